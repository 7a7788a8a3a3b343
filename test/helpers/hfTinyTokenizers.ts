/**
 * Small but real tokenizer.json files for the tiny random models: a byte-level BPE (GPT-2 layout, or Qwen2's
 * with a Split pre-tokenizer and NFC) and a SentencePiece-style BPE with byte fallback (Llama layout). Both
 * cover every byte, so any text encodes.
 */
import { byteToUnicode } from './hfGpt2Tokenizer';

export interface TinyTokenizer {
  json: object;
  config: object;
  /** Tokens the tokenizer defines; a model's vocab must be at least this. */
  size: number;
  bosId: number;
  eosId: number;
}

const SPACE_MARKER = '\u2581';
const QWEN_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

function added(id: number, content: string): object {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** 256 byte tokens, five merges ("Ġt", "he", "Ġthe", "in", "Ġa"), then <|endoftext|> (and <|im_start|> for Qwen2). */
export function tinyByteLevelTokenizer(qwen = false): TinyTokenizer {
  const unicode = byteToUnicode();
  const vocab: Record<string, number> = {};
  unicode.forEach((char, byte) => {
    vocab[char] = byte;
  });
  const merges = ['Ġ t', 'h e', 'Ġt he', 'i n', 'Ġ a'];
  merges.forEach((m, i) => {
    vocab[m.replace(' ', '')] = 256 + i;
  });
  const eosId = 256 + merges.length;
  vocab['<|endoftext|>'] = eosId;
  const addedTokens = [added(eosId, '<|endoftext|>')];
  if (qwen) addedTokens.push(added(eosId + 1, '<|im_start|>'));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: !qwen };
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: qwen ? { type: 'NFC' } : null,
    pre_tokenizer: qwen
      ? {
          type: 'Sequence',
          pretokenizers: [
            { type: 'Split', pattern: { Regex: QWEN_SPLIT }, behavior: 'Isolated', invert: false },
            byteLevel,
          ],
        }
      : byteLevel,
    post_processor: { ...byteLevel, use_regex: false },
    decoder: { ...byteLevel, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  const config = qwen
    ? { bos_token: null, eos_token: '<|endoftext|>', tokenizer_class: 'Qwen2Tokenizer', add_prefix_space: false }
    : { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', tokenizer_class: 'GPT2Tokenizer' };
  return { json, config, size: eosId + (qwen ? 2 : 1), bosId: eosId, eosId };
}

/** <unk>, <s>, </s>, the 256 byte pieces <0x00>..<0xFF>, then "▁", "▁t", "he", "▁the", "▁a" (Llama layout). */
export function tinySentencePieceTokenizer(): TinyTokenizer {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  const pieces = [SPACE_MARKER, `${SPACE_MARKER}t`, 'h', 'e', 'he', `${SPACE_MARKER}the`, 'a', `${SPACE_MARKER}a`];
  pieces.forEach((p, i) => {
    vocab[p] = 259 + i;
  });
  const merges = [`${SPACE_MARKER} t`, 'h e', `${SPACE_MARKER}t he`, `${SPACE_MARKER} a`];
  const bos = { SpecialToken: { id: '<s>', type_id: 0 } };
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: SPACE_MARKER },
        { type: 'Replace', pattern: { String: ' ' }, content: SPACE_MARKER },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, bos, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
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
      vocab,
      merges,
    },
  };
  const config = { add_bos_token: true, add_eos_token: false, bos_token: '<s>', eos_token: '</s>', tokenizer_class: 'LlamaTokenizer' };
  return { json, config, size: 259 + pieces.length, bosId: 1, eosId: 2 };
}
