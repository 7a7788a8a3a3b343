/**
 * inspect(): one forward pass over a text (or ids) that returns the tokens with their source spans, the
 * attention of the layers asked for ([heads, T, T] per layer) and, for every position, the model's top-k
 * guesses for the next token with the probability and rank of the token that actually follows.
 */
import { EngineError } from '../shared/errors';
import type { InspectOptions, InspectResult, LayerAttention, NextTokenInfo, Token } from '../shared/types';
import { probability, rankOf, rowStats, topKIndices } from '../shared/distribution';
import { ownedCopy, type EngineModel } from './engineModel';
import * as io from './graph/names';

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
  const fetches = [...(wantNext ? [io.LOGITS] : []), ...layers.map((l) => io.attention(l))];
  const outputs = fetches.length > 0 ? await model.session.run(model.feeds(ids, 0, null), fetches) : {};

  const t2 = performance.now();
  const T = ids.length;
  const attention: LayerAttention[] = layers.map((layer) => ({
    layer,
    heads: model.config.heads,
    size: T,
    data: ownedCopy(outputs[io.attention(layer)].data as Float32Array),
  }));
  const next = wantNext ? nextTokens(model, outputs[io.LOGITS].data as Float32Array, ids, topK) : [];
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

function nextTokens(model: EngineModel, logits: Float32Array, ids: number[], topK: number): NextTokenInfo[] {
  const V = model.config.vocab;
  const out: NextTokenInfo[] = new Array(ids.length);
  for (let pos = 0; pos < ids.length; pos++) {
    const offset = pos * V;
    const stats = rowStats(logits, offset, V);
    const top = topKIndices(logits, offset, V, topK).map((id) => ({
      id,
      text: model.label(id),
      p: probability(logits[offset + id], stats),
    }));
    const following = pos + 1 < ids.length ? ids[pos + 1] : null;
    const actual =
      following === null
        ? null
        : { id: following, p: probability(logits[offset + following], stats), rank: rankOf(logits, offset, V, following) };
    out[pos] = { position: pos, top, actual, entropy: stats.entropy };
  }
  return out;
}
