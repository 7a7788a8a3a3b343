/**
 * Choosing the next token from one row of logits: greedy, temperature, top-k and top-p (nucleus), with a
 * seeded generator so that the same seed gives the same tokens. Returns the distribution the token was
 * drawn from so the views can show it.
 */
import { EngineError } from '../shared/errors';
import type { SamplingOptions } from '../shared/types';
import { topKIndices } from '../shared/distribution';

/** mulberry32: a tiny, well-known 32-bit generator; plenty for sampling and trivially reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Candidate {
  id: number;
  p: number;
}

export interface SampleResult {
  id: number;
  /** The candidates the token was drawn from with their renormalised probabilities, best first. */
  candidates: Candidate[];
}

export interface ResolvedSampling {
  temperature: number;
  topK: number;
  topP: number;
}

export function resolveSampling(options: SamplingOptions): ResolvedSampling {
  const temperature = options.temperature ?? 1;
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  if (!Number.isFinite(temperature) || temperature < 0) {
    throw new EngineError('BAD_INPUT', `temperature must be a number >= 0 (got ${options.temperature})`);
  }
  if (!Number.isInteger(topK) || topK < 0) {
    throw new EngineError('BAD_INPUT', `top-k must be a whole number >= 0 (got ${options.topK})`);
  }
  if (!Number.isFinite(topP) || topP <= 0 || topP > 1) {
    throw new EngineError('BAD_INPUT', `top-p must be in (0, 1] (got ${options.topP})`);
  }
  return { temperature, topK, topP };
}

/**
 * The candidate set after temperature, top-k and top-p, renormalised, best first.
 * Temperature 0 or top-k 1 leave only the argmax (lowest id on ties).
 */
export function candidateDistribution(logits: Float32Array, offset: number, n: number, s: ResolvedSampling): Candidate[] {
  if (s.temperature === 0 || s.topK === 1) {
    const [best] = topKIndices(logits, offset, n, 1);
    return [{ id: best, p: 1 }];
  }
  const limit = s.topK > 0 ? Math.min(s.topK, n) : n;
  const order = limit < n ? topKIndices(logits, offset, n, limit) : sortedIndices(logits, offset, n);
  const max = logits[offset + order[0]];
  const weights = new Float64Array(order.length);
  let total = 0;
  for (let i = 0; i < order.length; i++) {
    weights[i] = Math.exp((logits[offset + order[i]] - max) / s.temperature);
    total += weights[i];
  }
  let keep = order.length;
  if (s.topP < 1) {
    // The smallest prefix (best first) whose mass reaches p.
    let mass = 0;
    for (let i = 0; i < order.length; i++) {
      mass += weights[i] / total;
      if (mass >= s.topP) {
        keep = i + 1;
        break;
      }
    }
  }
  let kept = 0;
  for (let i = 0; i < keep; i++) kept += weights[i];
  const out: Candidate[] = new Array(keep);
  for (let i = 0; i < keep; i++) out[i] = { id: order[i], p: weights[i] / kept };
  return out;
}

export function sample(candidates: Candidate[], random: () => number): number {
  if (candidates.length === 1) return candidates[0].id;
  const u = random();
  let acc = 0;
  for (const c of candidates) {
    acc += c.p;
    if (u < acc) return c.id;
  }
  return candidates[candidates.length - 1].id; // rounding left u just above the last cumulative sum
}

function sortedIndices(values: Float32Array, offset: number, n: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  return idx.sort((a, b) => values[offset + b] - values[offset + a] || a - b);
}
