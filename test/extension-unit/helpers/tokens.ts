/** Hand-written token lists shaped like the engine's (stories260K's tokenizer: BOS, pieces, byte tokens). */
import type { InspectResult, ModelInfo, NextTokenInfo, Token } from '../../../src/shared/types';

export const BOS: Token = { id: 1, text: '<s>', start: 0, end: 0, special: true };

export function tok(id: number, text: string, start: number, end: number): Token {
  return { id, text, start, end, special: false };
}

export const MODEL: ModelInfo = {
  name: 'tiny',
  family: 'llama',
  layers: 2,
  heads: 2,
  kvHeads: 1,
  kvHeadOf: [0, 0],
  headDim: 4,
  dim: 8,
  vocab: 512,
  context: 16,
  bosId: 1,
  eosId: 2,
};

/** A result over `tokens` with a simple next-token table and per-layer attention of the right shape. */
export function fakeResult(tokens: Token[]): InspectResult {
  const T = tokens.length;
  const next: NextTokenInfo[] = tokens.map((_, position) => ({
    position,
    top: [
      { id: 100 + position, text: `guess${position}`, p: 0.5 },
      { id: tokens[position + 1]?.id ?? 7, text: tokens[position + 1]?.text ?? 'x', p: 0.25 },
    ],
    actual: position + 1 < T ? { id: tokens[position + 1].id, p: 0.25, rank: 2 } : null,
    entropy: 1.5,
  }));
  const attention = [0, 1].map((layer) => ({ layer, heads: 2, size: T, data: new Float32Array(2 * T * T).fill(layer + 1) }));
  return { model: MODEL, tokens, attention, next, timings: { tokenizeMs: 0, runMs: 0, extractMs: 0 } };
}
