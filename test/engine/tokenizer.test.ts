import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EngineError, type ErrorCode } from '../../src/shared/errors';
import type { Token } from '../../src/shared/types';
import { Llama2cTokenizer } from '../../src/engine/tokenizers/llama2c';
import { visibleText } from '../../src/engine/tokenizers/tokenizer';

const MODEL_DIR = process.env.STORIES260K_DIR ?? path.resolve(__dirname, '../../../shared/models/stories260K');
const SEEDS_DIR = path.resolve(__dirname, '../../../shared/seeds');

function loadTokenizer(): Llama2cTokenizer {
  return Llama2cTokenizer.fromBytes(readFileSync(path.join(MODEL_DIR, 'tok512.bin')), 'tok512.bin');
}

function ids(tokens: Token[]): number[] {
  return tokens.map((t) => t.id);
}

function expectEngineError(fn: () => unknown, code: ErrorCode, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

/**
 * Checks the offset contract: non-special tokens, grouped by identical span, tile the text in order with no gap
 * or overlap; a group of several tokens is the byte tokens of one character, labelled "<char> k/n".
 */
function assertSpansTile(tokens: Token[], text: string): void {
  const groups: Token[][] = [];
  for (const t of tokens.filter((tok) => !tok.special)) {
    const last = groups[groups.length - 1];
    if (last && last[0].start === t.start && last[0].end === t.end && t.start !== t.end) last.push(t);
    else groups.push([t]);
  }
  let cursor = 0;
  let rebuilt = '';
  for (const group of groups) {
    const { start, end } = group[0];
    assert.equal(start, cursor, `token ${JSON.stringify(group[0])} starts at ${start}, expected ${cursor}`);
    assert.ok(end >= start);
    rebuilt += text.slice(start, end);
    cursor = end;
    if (group.length > 1) assertByteGroup(group, text.slice(start, end));
  }
  assert.equal(cursor, text.length);
  assert.equal(rebuilt, text);
}

function assertByteGroup(group: Token[], char: string): void {
  assert.equal([...char].length, 1, `several tokens share the span of ${JSON.stringify(char)}`);
  // TextEncoder writes a lone surrogate as U+FFFD, and so does the tokenizer.
  const shown = /^[\uD800-\uDFFF]$/.test(char) ? '\uFFFD' : char;
  const n = new TextEncoder().encode(char).length;
  assert.equal(group.length, n);
  group.forEach((t, k) => {
    assert.ok(t.id >= 3 && t.id <= 258, `token ${t.id} in a shared span is not a byte token`);
    assert.equal(t.text, `${visibleText(shown)} ${k + 1}/${n}`);
  });
}

function seedText(chars: number): string {
  const file = readdirSync(SEEDS_DIR).find((f) => f.startsWith('000_') && f.endsWith('.txt'));
  assert.ok(file, 'seed 000 is missing');
  return readFileSync(path.join(SEEDS_DIR, file), 'utf8').slice(0, chars);
}

describe('Llama2cTokenizer (tok512.bin)', () => {
  const tok = loadTokenizer();

  it('reads the whole vocabulary and the llama2.c special ids', () => {
    assert.equal(tok.vocabSize, 512);
    assert.equal(tok.bosId, 1);
    assert.equal(tok.eosId, 2);
    assert.equal(tok.piece(3), '<0x00>');
    assert.equal(tok.piece(258), '<0xFF>');
  });

  it('encodes "a time" as the merge rule gives it, worked out by hand from the vocabulary', () => {
    // Start: BOS, dummy " ", "a", " ", "t", "i", "m", "e". Mergeable pairs and their pieces' scores:
    // " a" -2, " t" -0, "im" -29. Best " t" -> [" ", "a", " t", "i", "m", "e"]; then " a" -2 (" ti" and
    // "a t" are not pieces) -> [" a", " t", "i", "m", "e"]; then "im" -29 -> [" a", " t", "im", "e"];
    // then "ime" -110 -> [" a", " t", "ime"]; then " time" -119 -> [" a", " time"]; " a time" is no piece.
    const idOf = new Map(Array.from({ length: tok.vocabSize }, (_, id) => [tok.piece(id), id] as const));
    const scoreOf = (p: string): number | undefined => {
      const id = idOf.get(p);
      return id === undefined ? undefined : tok.score(id);
    };
    assert.deepEqual(
      [' a', ' t', 'im', 'ime', ' time'].map(scoreOf),
      [-2, -0, -29, -110, -119],
    );
    for (const absent of [' ti', 'a ', 'a t', 'ti', 'me', ' tim', ' a time', ' a t']) {
      assert.equal(idOf.has(absent), false, `${JSON.stringify(absent)} is a piece`);
    }
    assert.deepEqual(ids(tok.encode('a time')), [1, idOf.get(' a'), idOf.get(' time')]);
    assert.deepEqual(ids(tok.encode('a time')), [1, 261, 378]);
  });

  it('encodes "Once upon a time" into its words, with the dummy prefix on the first', () => {
    const tokens = tok.encode('Once upon a time');
    assert.deepEqual(ids(tokens), [1, 403, 407, 261, 378]);
    assert.deepEqual(
      tokens.map((t) => t.text),
      ['<s>', ' Once', ' upon', ' a', ' time'],
    );
    // The dummy-prefix space has no source: " Once" spans "Once" only.
    assert.deepEqual(
      tokens.slice(1).map((t) => [t.start, t.end]),
      [
        [0, 4],
        [4, 9],
        [9, 11],
        [11, 16],
      ],
    );
  });

  it('gives BOS a special, empty span and leaves it out on request', () => {
    const [bos, ...rest] = tok.encode('Hi');
    assert.deepEqual(bos, { id: 1, text: '<s>', start: 0, end: 0, special: true });
    assert.ok(rest.every((t) => !t.special));
    assert.deepEqual(ids(tok.encode('Hi', { addBos: false })), ids(rest));
  });

  it('adds no dummy prefix to empty text', () => {
    assert.deepEqual(ids(tok.encode('')), [1]);
    assert.deepEqual(tok.encode('', { addBos: false }), []);
  });

  it('gives a token that is only the dummy prefix an empty span at 0', () => {
    const tokens = tok.encode('\nx');
    assert.deepEqual(tokens[1], { id: 410, text: ' ', start: 0, end: 0, special: false });
    assert.deepEqual(tokens[2], { id: 13, text: '↵', start: 0, end: 1, special: false });
    const spaced = tok.encode('  hi');
    assert.deepEqual(
      spaced.slice(1).map((t) => [t.text, t.start, t.end]),
      [
        [' ', 0, 0],
        [' ', 0, 1],
        [' h', 1, 3],
        ['i', 3, 4],
      ],
    );
  });

  it('splits a character missing from the vocabulary into byte tokens that share its span', () => {
    const tokens = tok.encode('今天');
    assert.deepEqual(
      tokens.slice(2).map((t) => [t.id, t.text, t.start, t.end]),
      [
        [0xe4 + 3, '今 1/3', 0, 1],
        [0xbb + 3, '今 2/3', 0, 1],
        [0x8a + 3, '今 3/3', 0, 1],
        [0xe5 + 3, '天 1/3', 1, 2],
        [0xa4 + 3, '天 2/3', 1, 2],
        [0xa9 + 3, '天 3/3', 1, 2],
      ],
    );
  });

  it('treats an emoji outside the BMP as one character of two UTF-16 units', () => {
    const tokens = tok.encode('😀!');
    const emoji = tokens.filter((t) => t.text.startsWith('😀'));
    assert.deepEqual(
      emoji.map((t) => [t.text, t.start, t.end]),
      [
        ['😀 1/4', 0, 2],
        ['😀 2/4', 0, 2],
        ['😀 3/4', 0, 2],
        ['😀 4/4', 0, 2],
      ],
    );
  });

  it('shows control bytes readably and keeps spaces', () => {
    const tokens = tok.encode('a\r\nb\tc');
    assert.deepEqual(
      tokens.slice(1).map((t) => t.text),
      [' a', '␍', '↵', 'b', '⇥', 'c'],
    );
    assert.equal(tok.label(13), '↵');
    assert.equal(tok.label(1), '<s>');
    assert.equal(tok.label(2), '</s>');
    assert.equal(tok.label(0), '<unk>');
    assert.equal(tok.label(0x41 + 3), 'A');
    assert.equal(tok.label(0xe4 + 3), '<0xE4>', 'a lone high byte is labelled by its piece, not as mojibake');
    assert.equal(tok.label(403), ' Once');
    assert.equal(visibleText('a\u0000\u007f\u0085 b\r'), 'a␀␡\\u0085 b␍');
  });

  const roundTrips: Record<string, string> = {
    ascii: 'Once upon a time, there was a little girl named Lily.',
    chinese: '今天天气很好',
    emoji: '😀👍🏽',
    mixed: 'Lily said "hi" 今天\r\n\tThe end.\n\n  ok…',
    'leading spaces': '   three spaces first',
    'one newline': '\n',
  };
  for (const [name, text] of Object.entries(roundTrips)) {
    it(`decodes its own encoding back to the text and tiles it with spans (${name})`, () => {
      const tokens = tok.encode(text);
      assert.equal(tok.decode(ids(tokens)), text);
      assertSpansTile(tokens, text);
    });
  }

  it('tiles the first 2000 characters of a seed document and decodes them back', () => {
    const text = seedText(2000);
    const tokens = tok.encode(text);
    assertSpansTile(tokens, text);
    assert.equal(tok.decode(ids(tokens)), text);
    assert.ok(tokens.some((t) => t.id >= 259), 'expected merged pieces in the seed text');
  });

  it('encodes a lone surrogate as U+FFFD without throwing, keeping offsets', () => {
    const text = 'x\uD800y\uDC00';
    const tokens = tok.encode(text);
    assertSpansTile(tokens, text);
    const lone = tokens.filter((t) => t.start === 1);
    assert.deepEqual(
      lone.map((t) => [t.id, t.text]),
      [
        [0xef + 3, '\uFFFD 1/3'],
        [0xbf + 3, '\uFFFD 2/3'],
        [0xbd + 3, '\uFFFD 3/3'],
      ],
    );
    assert.equal(tok.decode(ids(tokens)), 'x\uFFFDy\uFFFD');
  });

  it('encodes a long document in linear-ish time', () => {
    const text = seedText(4000).repeat(50);
    const t0 = performance.now();
    const tokens = tok.encode(text);
    const ms = performance.now() - t0;
    assertSpansTile(tokens, text);
    assert.ok(ms < 5000, `encoding ${text.length} characters took ${ms.toFixed(0)} ms`);
  });

  describe('decoding', () => {
    it('strips the leading space of the piece after BOS only', () => {
      assert.equal(tok.decode([1, 403, 407]), 'Once upon');
      assert.equal(tok.decode([403, 407]), ' Once upon');
      assert.equal(tok.decoder({ previousId: 1 }).push(403), 'Once');
      assert.equal(tok.decoder({ previousId: 407 }).push(403), ' Once');
    });

    it('prints nothing for BOS, EOS and lone non-whitespace ASCII controls, as safe_printf does', () => {
      assert.equal(tok.decode([1, 2]), '');
      assert.equal(tok.decode([0x07 + 3, 0x41 + 3, 0x0a + 3, 0x09 + 3]), 'A\n\t');
    });

    it('holds the bytes of a character until it is complete', () => {
      const stream = tok.decoder();
      assert.deepEqual(
        [0xe4, 0xbb, 0x8a, 0x21].map((b) => stream.push(b + 3)),
        ['', '', '今', '!'],
      );
      assert.equal(stream.flush(), '');
    });

    it('flushes an incomplete character as U+FFFD and can be reused', () => {
      const stream = tok.decoder();
      assert.equal(stream.push(0xe4 + 3), '');
      assert.equal(stream.flush(), '\uFFFD');
      assert.equal(stream.push(403), ' Once');
    });

    it('rejects ids outside the vocabulary', () => {
      expectEngineError(() => tok.decode([512]), 'BAD_INPUT', /512 is outside the vocabulary \(0\.\.511\)/);
      expectEngineError(() => tok.label(-1), 'BAD_INPUT', /outside the vocabulary/);
      expectEngineError(() => tok.decoder().push(1.5), 'BAD_INPUT', /outside the vocabulary/);
    });
  });

  describe('parsing', () => {
    const bytes = readFileSync(path.join(MODEL_DIR, 'tok512.bin'));

    it('reports a truncated file', () => {
      expectEngineError(
        () => Llama2cTokenizer.fromBytes(bytes.subarray(0, bytes.length - 3), 'tok512.bin'),
        'CORRUPT_MODEL',
        /^tok512\.bin: truncated: piece 511 needs 6227 bytes, file has 6224$/,
      );
      expectEngineError(() => Llama2cTokenizer.fromBytes(new Uint8Array(2)), 'CORRUPT_MODEL', /not a llama2\.c tokenizer/);
    });

    it('reports a piece longer than max_token_length', () => {
      const copy = Uint8Array.from(bytes);
      new DataView(copy.buffer).setInt32(4 + 4, 1000, true);
      expectEngineError(() => Llama2cTokenizer.fromBytes(copy, 't.bin'), 'CORRUPT_MODEL', /piece 0 claims 1000 bytes/);
    });

    it('requires the byte-fallback pieces at ids 3..258', () => {
      const copy = Uint8Array.from(bytes);
      const at = copy.indexOf(0x3c, 4 + 8 + 5 + 8 + 5 + 8 + 6 + 8); // "<" of "<0x00>"
      copy[at + 1] = 0x41;
      expectEngineError(() => Llama2cTokenizer.fromBytes(copy, 't.bin'), 'CORRUPT_MODEL', /piece 3 is "<Ax00>"/);
    });

    it('checks the vocabulary size against the model', () => {
      assert.doesNotThrow(() => tok.assertMatchesModel(512));
      expectEngineError(
        () => tok.assertMatchesModel(256),
        'TOKENIZER_MISMATCH',
        /tokenizer has 512 tokens, model expects 256/,
      );
    });
  });
});
