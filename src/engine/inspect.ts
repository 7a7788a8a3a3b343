/**
 * inspect(): one forward pass over a text (or ids) that returns the tokens with their source spans, the
 * attention of the layers asked for ([heads, T, T] per layer) and, for every position, the model's top-k
 * guesses for the next token with the probability and rank of the token that actually follows.
 */
import { EngineError } from '../shared/errors';
import type { InspectOptions, InspectResult, LayerAttention, NextTokenInfo, Token, TokenProb } from '../shared/types';
import { ownedCopy, type EngineModel } from './engineModel';
import * as io from './graph/names';
import type { Tensor } from './runtime';

export type InspectInput = { text: string } | { ids: number[] };

export const DEFAULT_TOP_K = 10;

export async function inspect(model: EngineModel, input: InspectInput, options: InspectOptions = {}): Promise<InspectResult> {
  const topK = options.topK ?? DEFAULT_TOP_K;
  if (!Number.isInteger(topK) || topK < 1) throw new EngineError('BAD_INPUT', `top-k must be a whole number >= 1 (got ${topK})`);
  const layers = resolveLayers(model, options.layers);
  const wantNext = options.next ?? true;

  const t0 = performance.now();
  const tokens = tokenize(model, input);
  const ids = tokens.map((t) => t.id);
  model.checkIds(ids);

  const t1 = performance.now();
  const fetches = [...(wantNext ? io.NEXT_STATS : []), ...layers.map((l) => io.attention(l))];
  // The token after each position (the last one has none: any valid id will do, its answer is dropped).
  const following = ids.map((_, i) => (i + 1 < ids.length ? ids[i + 1] : 0));
  const k = Math.min(topK, model.config.vocab);
  const feeds = model.feeds(ids, 0, null, { ids: following, topK: k });
  const outputs = fetches.length > 0 ? await model.session.run(feeds, fetches) : {};

  const t2 = performance.now();
  const T = ids.length;
  const attention: LayerAttention[] = layers.map((layer) => ({
    layer,
    heads: model.config.heads,
    size: T,
    data: ownedCopy(outputs[io.attention(layer)].data as Float32Array),
  }));
  const next = wantNext ? nextTokens(model, outputs, following, k) : [];
  const t3 = performance.now();

  return {
    model: model.info,
    tokens,
    attention,
    next,
    timings: { tokenizeMs: t1 - t0, runMs: t2 - t1, extractMs: t3 - t2 },
  };
}

function tokenize(model: EngineModel, input: InspectInput): Token[] {
  if ('ids' in input) {
    return input.ids.map((id) => ({
      id,
      text: model.label(id),
      start: 0,
      end: 0,
      special: id === model.info.bosId || id === model.info.eosId,
    }));
  }
  if (input.text.length === 0) throw new EngineError('EMPTY_INPUT', 'the text is empty: select some text to inspect');
  if (!model.tokenizer) throw new EngineError('UNSUPPORTED', `${model.config.name} has no tokenizer: pass token ids instead`);
  // A text far beyond the context cannot fit whatever the tokenizer does: refuse before encoding megabytes.
  const maxChars = model.config.context * 64;
  if (input.text.length > maxChars) {
    throw new EngineError(
      'TOO_LONG',
      `the text is ${input.text.length} characters, far more than ${model.config.name}'s ${model.config.context} tokens`,
    );
  }
  return model.tokenizer.encode(input.text);
}

function resolveLayers(model: EngineModel, asked: number[] | undefined): number[] {
  const count = model.config.layers;
  if (!asked) return Array.from({ length: count }, (_, i) => i);
  for (const l of asked) {
    if (!Number.isInteger(l) || l < 0 || l >= count) {
      throw new EngineError('BAD_INPUT', `layer ${l} does not exist: ${model.config.name} has layers 0..${count - 1}`);
    }
  }
  return [...new Set(asked)].sort((a, b) => a - b);
}

/** Reads the graph's next.* outputs: probabilities are exp(logit - log Z), so only a few numbers per position cross. */
function nextTokens(model: EngineModel, outputs: Record<string, Tensor>, following: number[], k: number): NextTokenInfo[] {
  const topLogits = outputs[io.NEXT_TOP_LOGITS].data as Float32Array;
  const topIds = outputs[io.NEXT_TOP_IDS].data as BigInt64Array;
  const logZ = outputs[io.NEXT_LOG_Z].data as Float32Array;
  const entropy = outputs[io.NEXT_ENTROPY].data as Float32Array;
  const actualLogit = outputs[io.NEXT_ACTUAL_LOGIT].data as Float32Array;
  const actualLarger = outputs[io.NEXT_ACTUAL_LARGER].data as BigInt64Array;
  const T = following.length;
  const out: NextTokenInfo[] = new Array(T);
  for (let pos = 0; pos < T; pos++) {
    const top = new Array<TokenProb>(k);
    for (let j = 0; j < k; j++) {
      const id = Number(topIds[pos * k + j]);
      top[j] = { id, text: model.label(id), p: Math.exp(topLogits[pos * k + j] - logZ[pos]) };
    }
    const actual =
      pos + 1 < T
        ? { id: following[pos], p: Math.exp(actualLogit[pos] - logZ[pos]), rank: Number(actualLarger[pos]) + 1 }
        : null;
    out[pos] = { position: pos, top, actual, entropy: entropy[pos] };
  }
  return out;
}
