/** Small hand-made inputs for the webview unit tests. */
import type { ResultMeta } from '../../src/shared/protocol';
import type { ModelInfo, NextTokenInfo, Token } from '../../src/shared/types';

export function model(layers = 3, heads = 4): ModelInfo {
  return {
    name: 'tiny',
    family: 'llama',
    layers,
    heads,
    kvHeads: heads,
    kvHeadOf: Array.from({ length: heads }, (_, h) => h),
    headDim: 4,
    dim: 4 * heads,
    vocab: 32,
    context: 64,
    bosId: 1,
    eosId: 2,
  };
}

export function tokens(texts: readonly string[]): Token[] {
  let at = 0;
  return texts.map((text, i) => {
    if (i === 0 && text === '<s>') return { id: 1, text, start: 0, end: 0, special: true };
    const t = { id: 10 + i, text, start: at, end: at + text.length, special: false };
    at += text.length;
    return t;
  });
}

export function result(runId = 7, layers = 3, heads = 4): ResultMeta {
  const toks = tokens(['<s>', ' Once', ' upon', ' a', ' time']);
  const next: NextTokenInfo[] = toks.map((_, position) => ({
    position,
    top: [
      { id: 10 + position + 1, text: ` w${position}`, p: 0.5 },
      { id: 99, text: ',', p: 0.25 },
    ],
    actual: position + 1 < toks.length ? { id: 10 + position + 1, p: 0.5, rank: 1 } : null,
    entropy: 1.2,
  }));
  return {
    runId,
    model: model(layers, heads),
    tokens: toks,
    next,
    text: ' Once upon a time',
    source: { fileName: 'story.md', uri: 'file:///story.md', startLine: 2, endLine: 4, startOffset: 10, version: 1 },
    truncated: false,
  };
}

/** A causal [heads, T, T] layer whose rows sum to 1, with distinct values per head. */
export function causalLayer(heads: number, size: number, seed = 1): Float32Array {
  const data = new Float32Array(heads * size * size);
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < size; q++) {
      let sum = 0;
      for (let k = 0; k <= q; k++) {
        const v = 1 + ((h * 31 + q * 7 + k * 13 + seed) % 11);
        data[(h * size + q) * size + k] = v;
        sum += v;
      }
      for (let k = 0; k <= q; k++) data[(h * size + q) * size + k] /= sum;
    }
  }
  return data;
}
