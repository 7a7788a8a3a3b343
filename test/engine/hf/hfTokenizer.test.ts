import assert from 'node:assert/strict';
import { Tokenizer as LibraryTokenizer } from '@huggingface/tokenizers';
import { encode as gpt2Reference } from 'gpt-tokenizer/encoding/r50k_base';
import { HfTokenizer } from '../../../src/engine/tokenizers/hf';
import type { Token } from '../../../src/shared/types';
import { GPT2_EOS_ID, GPT2_TOKENIZER_CONFIG, gpt2TokenizerJson } from '../../helpers/hfGpt2Tokenizer';
import { LLAMA_KNOWN_ENCODINGS, LLAMA_TOKENIZER_CONFIG, llamaTokenizerJson } from '../../helpers/hfLlamaTokenizer';
import { tinyByteLevelTokenizer } from '../../helpers/hfTinyTokenizers';

const SAMPLES = [
  'Hello world',
  'The quick brown fox jumps over the lazy dog.',
  '  two leading spaces, trailing  ',
  'line one\nline two\n\n\tindented',
  '今天天气很好',
  'emoji 🙂👍🏽 and 🦙!',
  "It's 3.14159 - isn't it? (yes) [no] {maybe}",
  'Ünïcödé façade naïve café',
  'mixed 中文 and English, 日本語も。',
];

function texts(tokens: Token[], text: string): string[] {
  return tokens.map((t) => text.slice(t.start, t.end));
}

/**
 * Spans move forward (tokens sharing a character share its span), leave no hole in the text, and each holds
 * what its token decodes to (less a space the tokenizer invented).
 */
function checkSpans(tokenizer: HfTokenizer, text: string, tokens: Token[]): void {
  let lastStart = 0;
  let lastEnd = 0;
  for (const t of tokens) {
    if (t.special && t.start === t.end) continue;
    const where = `${JSON.stringify(text)}: ${JSON.stringify(t.text)} at [${t.start}, ${t.end})`;
    assert.ok(t.start <= t.end && t.end <= text.length, where);
    assert.ok(t.start >= lastStart && t.end >= lastEnd, `${where} goes back`);
    assert.ok(t.start <= lastEnd, `${where} leaves a hole after ${lastEnd}`);
    lastStart = t.start;
    lastEnd = t.end;
    const piece = new TextDecoder().decode(tokenizer.bytesOf(t.id));
    const slice = text.slice(t.start, t.end);
    if (!piece.includes('\uFFFD')) assert.ok(slice === piece || ` ${slice}` === piece || t.start === t.end, where);
  }
  assert.equal(lastEnd, text.length, 'the spans reach the end of the text');
}

describe('Hugging Face tokenizers (tokenizer.json through @huggingface/tokenizers)', () => {
  describe('GPT-2 (byte-level BPE), rebuilt from the published ranks', () => {
    let gpt2: HfTokenizer;
    let library: LibraryTokenizer;
    before(() => {
      gpt2 = HfTokenizer.fromJson(gpt2TokenizerJson(), GPT2_TOKENIZER_CONFIG, { name: 'gpt2', modelVocab: 50257 });
      library = new LibraryTokenizer(gpt2TokenizerJson(), GPT2_TOKENIZER_CONFIG);
    });

    it('gives the known ids', () => {
      const ids = (s: string): number[] => gpt2.encode(s).map((t) => t.id);
      assert.deepEqual(ids('Hello world'), [15496, 995]);
      assert.deepEqual(ids('Hello, world!'), [15496, 11, 995, 0]);
      assert.deepEqual(ids(' Hello'), [18435]);
      assert.deepEqual(ids('<|endoftext|>'), [GPT2_EOS_ID]);
      assert.equal(gpt2.bosId, GPT2_EOS_ID);
      assert.equal(gpt2.eosId, GPT2_EOS_ID);
    });

    it('agrees with an independent GPT-2 encoder (gpt-tokenizer) on every sample', () => {
      for (const text of SAMPLES) assert.deepEqual(gpt2.encode(text).map((t) => t.id), gpt2Reference(text), JSON.stringify(text));
    });

    it('adds no BOS: GPT-2 does not prepend one', () => {
      assert.equal(gpt2.encode('Hi').length, 1);
    });

    it('maps ASCII, spaces and newlines to exact spans with readable labels', () => {
      const text = ' leading  spaces\n\nnew';
      const tokens = gpt2.encode(text);
      assert.deepEqual(texts(tokens, text), [' leading', ' ', ' spaces', '\n', '\n', 'new']);
      assert.deepEqual(tokens.map((t) => t.text), [' leading', ' ', ' spaces', '↵', '↵', 'new']);
    });

    it('gives every byte token of a CJK character that character’s span and a "今 1/3"-style label', () => {
      const text = '今天天气很好';
      const tokens = gpt2.encode(text);
      assert.deepEqual(
        tokens.map((t) => [t.text, t.start, t.end]),
        [
          ['今 1-2/3', 0, 1],
          ['今 3/3', 0, 1],
          ['天', 1, 2],
          ['天', 2, 3],
          ['气 1-2/3', 3, 4],
          ['气 3/3', 3, 4],
          ['很 1-2/3', 4, 5],
          ['很 3/3', 4, 5],
          ['好 1-2/3', 5, 6],
          ['好 3/3', 5, 6],
        ],
      );
    });

    it('handles emoji (surrogate pairs) split over several tokens', () => {
      const text = 'a 👍🏽!';
      const tokens = gpt2.encode(text);
      for (const t of tokens.filter((x) => x.text.startsWith('👍'))) assert.deepEqual([t.start, t.end], [2, 4]);
      for (const t of tokens.filter((x) => x.text.startsWith('🏽'))) assert.deepEqual([t.start, t.end], [4, 6]);
      assert.deepEqual(tokens.at(-1), { id: 0, text: '!', start: 6, end: 7, special: false });
    });

    it('keeps spans consistent on every sample', () => {
      for (const text of SAMPLES) checkSpans(gpt2, text, gpt2.encode(text));
    });

    it('gives a control token typed in the text its own span', () => {
      const text = 'a<|endoftext|>b';
      const tokens = gpt2.encode(text);
      assert.deepEqual(tokens[1], { id: GPT2_EOS_ID, text: '<|endoftext|>', start: 1, end: 14, special: true });
    });

    it('labels ids alone without mojibake', () => {
      assert.equal(gpt2.label(15496), 'Hello');
      assert.equal(gpt2.label(995), ' world');
      assert.equal(gpt2.label(198), '↵');
      assert.equal(gpt2.label(20015), '<0xE4><0xBB>', 'first two bytes of 今 alone');
      assert.equal(gpt2.label(GPT2_EOS_ID), '<|endoftext|>');
      for (let id = 0; id < 50257; id += 7) assert.ok(!/[ÃâĠĊ]/.test(gpt2.label(id)) || gpt2.label(id) === new TextDecoder().decode(gpt2.bytesOf(id)), `id ${id}`);
    });

    it('decodes as the library does and streams whole characters only', () => {
      for (const text of SAMPLES) {
        const ids = gpt2.encode(text).map((t) => t.id);
        assert.equal(gpt2.decode(ids), text);
        assert.equal(gpt2.decode(ids), library.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }));
      }
      const stream = gpt2.decoder();
      const emoji = gpt2.encode('🦙').map((t) => t.id);
      assert.ok(emoji.length > 1);
      const pieces = emoji.map((id) => stream.push(id));
      assert.deepEqual(pieces.slice(0, -1), new Array(emoji.length - 1).fill(''));
      assert.equal(pieces.at(-1), '🦙');
      assert.equal(stream.flush(), '');
    });
  });

  describe('Llama (SentencePiece-style BPE with byte fallback), rebuilt from the published vocabulary', () => {
    let legacy: HfTokenizer;
    let metaspace: HfTokenizer;
    before(() => {
      legacy = HfTokenizer.fromJson(llamaTokenizerJson('legacy'), LLAMA_TOKENIZER_CONFIG, { name: 'llama', modelVocab: 32000 });
      metaspace = HfTokenizer.fromJson(llamaTokenizerJson('metaspace'), LLAMA_TOKENIZER_CONFIG, { name: 'llama', modelVocab: 32000 });
    });

    it('gives the known ids, BOS first', () => {
      for (const [text, ids] of LLAMA_KNOWN_ENCODINGS) assert.deepEqual(legacy.encode(text).map((t) => t.id), ids, JSON.stringify(text));
      assert.deepEqual(legacy.encode('Hello world!').map((t) => t.id), [1, 15043, 3186, 29991]);
      assert.equal(legacy.bosId, 1);
      assert.equal(legacy.eosId, 2);
    });

    it('gives BOS and the invented dummy-prefix space empty spans, and the rest exact ones', () => {
      const text = ' x';
      const tokens = legacy.encode(text);
      assert.deepEqual(
        tokens.map((t) => [t.id, t.text, t.start, t.end, t.special]),
        [
          [1, '<s>', 0, 0, true],
          [29871, ' ', 0, 0, false],
          [921, ' x', 0, 2, false],
        ],
      );
      const hello = legacy.encode('Hello world!');
      assert.deepEqual(texts(hello, 'Hello world!'), ['', 'Hello', ' world', '!']);
    });

    it('labels byte-fallback tokens of one character with that character and its part', () => {
      const text = '天气';
      const tokens = legacy.encode(text);
      assert.deepEqual(
        tokens.slice(2).map((t) => [t.text, t.start, t.end]),
        [
          ['天', 0, 1],
          ['气 1/3', 1, 2],
          ['气 2/3', 1, 2],
          ['气 3/3', 1, 2],
        ],
      );
      assert.equal(legacy.label(233), '<0xE6>');
      assert.equal(legacy.label(13), '↵');
    });

    it('keeps spans consistent on every sample, in both tokenizer.json layouts', () => {
      for (const tokenizer of [legacy, metaspace]) for (const text of SAMPLES) checkSpans(tokenizer, text, tokenizer.encode(text));
    });

    it('decodes as the library does, dropping the dummy prefix after BOS', () => {
      for (const [layout, tokenizer] of [['legacy', legacy], ['metaspace', metaspace]] as const) {
        const library = new LibraryTokenizer(llamaTokenizerJson(layout), LLAMA_TOKENIZER_CONFIG);
        for (const text of SAMPLES) {
          const ids = tokenizer.encode(text).map((t) => t.id);
          assert.equal(
            tokenizer.decode(ids),
            library.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
            `${layout}: ${JSON.stringify(text)}`,
          );
        }
      }
      assert.equal(legacy.decode(legacy.encode('Hello world!').map((t) => t.id)), 'Hello world!');
      const continuation = legacy.decoder({ previousId: 15043 });
      assert.equal(continuation.push(3186), ' world', 'a continuation keeps its space');
    });

    it('follows add_bos_token from tokenizer_config.json and the addBos option', () => {
      const noBos = HfTokenizer.fromJson(llamaTokenizerJson(), { ...LLAMA_TOKENIZER_CONFIG, add_bos_token: false }, { name: 'llama' });
      assert.deepEqual(noBos.encode('Hello').map((t) => t.id), [15043]);
      assert.deepEqual(legacy.encode('Hello', { addBos: false }).map((t) => t.id), [15043]);
      const withEos = HfTokenizer.fromJson(llamaTokenizerJson(), { ...LLAMA_TOKENIZER_CONFIG, add_eos_token: true }, { name: 'llama' });
      const tokens = withEos.encode('Hello');
      assert.deepEqual(tokens.map((t) => [t.id, t.start, t.end]), [[1, 0, 0], [15043, 0, 5], [2, 5, 5]]);
    });
  });

  describe('offsets when the normalizer rewrites the text', () => {
    it('maps a rewritten stretch to the input it came from (NFC)', () => {
      const tiny = tinyByteLevelTokenizer(true);
      const qwen = HfTokenizer.fromJson(tiny.json, tiny.config, { name: 'qwen' });
      const text = 'e\u0301t\u00e9 a\u0301';
      const tokens = qwen.encode(text);
      // NFC turns e + combining acute into é (C3 A9): those bytes stand for the two input characters.
      assert.deepEqual(
        tokens.map((t) => [t.text, text.slice(t.start, t.end)]),
        [
          ['<0xC3>', 'e\u0301'],
          ['<0xA9>', 'e\u0301'],
          ['t', 't'],
          ['é 1/2', '\u00e9'],
          ['é 2/2', '\u00e9'],
          [' ', ' '],
          ['<0xC3>', 'a\u0301'],
          ['<0xA1>', 'a\u0301'],
        ],
      );
    });
  });
});
