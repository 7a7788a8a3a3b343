/**
 * The Llama 1/2 tokenizer.json (32000 pieces; TinyLlama ships the same one), rebuilt from the vocabulary and
 * merges that the `llama-tokenizer-js` package extracted from it. Two layouts of the same tokenizer:
 * 'legacy' (normalizer Prepend "▁" + Replace, as meta-llama/Llama-2 and TinyLlama publish it) and
 * 'metaspace' (pre_tokenizer Metaspace with prepend_scheme "first", as transformers saves legacy=false).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const LLAMA_BOS_ID = 1;
export const LLAMA_EOS_ID = 2;
const SPACE_MARKER = '\u2581';

interface VocabAndMerges {
  vocab: string[];
  merges: string[];
}

let cached: VocabAndMerges | undefined;

/** The package keeps both as base64 string constants in its one source file; read them as text. */
function readPackageData(): VocabAndMerges {
  if (cached) return cached;
  const file = path.join(path.dirname(require.resolve('llama-tokenizer-js/package.json')), 'llama-tokenizer.js');
  const source = readFileSync(file, 'utf8');
  const constant = (name: string): string => {
    const match = new RegExp(`const ${name} = "([^"]+)"`).exec(source);
    if (!match) throw new Error(`llama-tokenizer-js: ${name} not found`);
    return match[1];
  };
  const vocab = Buffer.from(constant('llama_vocab_base64'), 'base64').toString('utf8').split('\n');
  const mergeBytes = Buffer.from(constant('llama_merges_binary'), 'base64');
  const merges: string[] = [];
  for (let i = 0; i + 3 < mergeBytes.length; i += 4) {
    merges.push(`${vocab[mergeBytes.readUInt16LE(i)]} ${vocab[mergeBytes.readUInt16LE(i + 2)]}`);
  }
  cached = { vocab, merges };
  return cached;
}

export type LlamaLayout = 'legacy' | 'metaspace';

export function llamaTokenizerJson(layout: LlamaLayout = 'legacy'): object {
  const { vocab, merges } = readPackageData();
  const special = (id: number, content: string): object => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const bos = { SpecialToken: { id: '<s>', type_id: 0 } };
  const legacy = layout === 'legacy';
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: legacy
      ? {
          type: 'Sequence',
          normalizers: [
            { type: 'Prepend', prepend: SPACE_MARKER },
            { type: 'Replace', pattern: { String: ' ' }, content: SPACE_MARKER },
          ],
        }
      : null,
    pre_tokenizer: legacy ? null : { type: 'Metaspace', replacement: SPACE_MARKER, prepend_scheme: 'first', split: false },
    post_processor: {
      type: 'TemplateProcessing',
      single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, bos, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [LLAMA_BOS_ID], tokens: ['<s>'] } },
    },
    // transformers writes the same decoder for both layouts.
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE_MARKER }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab: Object.fromEntries(vocab.map((piece, id) => [piece, id])),
      merges,
    },
  };
}

/** TinyLlama's tokenizer_config.json (the parts a loader reads). */
export const LLAMA_TOKENIZER_CONFIG = {
  add_bos_token: true,
  add_eos_token: false,
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
  legacy: false,
  tokenizer_class: 'LlamaTokenizer',
};

/** Encodings published with llama-tokenizer-js, checked there against the reference tokenizer. */
export const LLAMA_KNOWN_ENCODINGS: [string, number[]][] = [
  ['grabbed', [1, 2646, 1327, 287]],
  [' grabbed', [1, 29871, 2646, 1327, 287]],
  ['           grabbed', [1, 9651, 2646, 1327, 287]],
  ['\n', [1, 29871, 13]],
  [' \n', [1, 259, 13]],
  ['\ttabs\t\t\t\tout here', [1, 29871, 12, 21175, 12, 12, 12, 12, 449, 1244]],
  ['ax\n####\nboo', [1, 4853, 13, 4136, 13, 833, 29877]],
  ['镇', [1, 29871, 30411]],
  ['🦙', [1, 29871, 243, 162, 169, 156]],
  ['🦙Ꙋ', [1, 29871, 243, 162, 169, 156, 237, 156, 141]],
];
