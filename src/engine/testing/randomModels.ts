/**
 * Deterministic random-weight models for tests and benchmarks. Matrices are drawn with standard deviation
 * 1/sqrt(fan-in) (PyTorch-style scaling; about 0.036 at GPT-2-small width, near GPT-2's 0.02) so attention
 * logits stay O(1) even at tiny test widths: softmax rows are neither near-uniform nor one-hot.
 */
import type { Gpt2Layer, Gpt2Weights, Linear, LlamaLayer, LlamaWeights, Model, ModelConfig } from '../model';

export interface RandomLlamaOptions {
  /** Give wq, wk and wv biases (as Qwen2 has). Default false. */
  qkvBias?: boolean;
  /** Tie the classifier to the token embedding (no lmHead). Default true. */
  tiedHead?: boolean;
}

export const LLAMA_TEST_CONFIG: ModelConfig = {
  family: 'llama',
  name: 'random-llama',
  dim: 48,
  hiddenDim: 96,
  layers: 3,
  heads: 6,
  kvHeads: 2,
  headDim: 8,
  vocab: 97,
  context: 64,
  normEps: 1e-5,
  ropeTheta: 10000,
  ropeStyle: 'interleaved',
};

export const GPT2_TEST_CONFIG: ModelConfig = {
  family: 'gpt2',
  name: 'random-gpt2',
  dim: 32,
  hiddenDim: 128,
  layers: 2,
  heads: 4,
  kvHeads: 4,
  headDim: 8,
  vocab: 101,
  context: 64,
  normEps: 1e-5,
};

/** Overrides that turn GPT2_TEST_CONFIG into GPT-2 small's shape (124M parameters). */
export const GPT2_SMALL_SHAPE: Partial<ModelConfig> = {
  name: 'random-gpt2-small',
  dim: 768,
  hiddenDim: 3072,
  layers: 12,
  heads: 12,
  vocab: 50257,
  context: 1024,
};

/** Seeded source of approximately normal values (mulberry32 underneath). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /**
   * Fills `out` with about N(mean, std^2): each value is the sum of the four bytes of one 32-bit draw
   * (Irwin-Hall, tails cut at 3.45 std), which is several times faster than Box-Muller on 124M values.
   */
  fillNormal(out: Float32Array, mean: number, std: number): Float32Array {
    const scale = std / Math.sqrt((4 * (256 * 256 - 1)) / 12);
    let state = this.state;
    for (let i = 0; i < out.length; i++) {
      state = (state + 0x6d2b79f5) | 0;
      let r = Math.imul(state ^ (state >>> 15), state | 1);
      r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
      r ^= r >>> 14;
      const bytes = (r & 255) + ((r >>> 8) & 255) + ((r >>> 16) & 255) + ((r >>> 24) & 255);
      out[i] = mean + (bytes - 510) * scale;
    }
    this.state = state;
    return out;
  }

  normal(length: number, mean: number, std: number): Float32Array {
    return this.fillNormal(new Float32Array(length), mean, std);
  }
}

const GAIN_STD = 0.1;
const BIAS_STD = 0.02;

function randomLinear(rng: SeededRandom, inDim: number, outDim: number, withBias: boolean): Linear {
  const w = rng.normal(inDim * outDim, 0, 1 / Math.sqrt(inDim));
  return withBias ? { w, b: rng.normal(outDim, 0, BIAS_STD), inDim, outDim } : { w, inDim, outDim };
}

function randomGain(rng: SeededRandom, dim: number): Float32Array {
  return rng.normal(dim, 1, GAIN_STD);
}

/** headDim follows dim/heads unless overridden, so changing only dim or heads stays consistent. */
function resolveConfig(base: ModelConfig, overrides: Partial<ModelConfig>): ModelConfig {
  const merged = { ...base, ...overrides };
  const headDim = overrides.headDim ?? (overrides.dim || overrides.heads ? merged.dim / merged.heads : base.headDim);
  return { ...merged, headDim };
}

export function randomLlamaModel(
  overrides: Partial<ModelConfig> = {},
  seed = 1,
  options: RandomLlamaOptions = {},
): Model {
  const config = resolveConfig(LLAMA_TEST_CONFIG, { ...overrides, family: 'llama' });
  const { dim, hiddenDim, heads, kvHeads, headDim, vocab } = config;
  const rng = new SeededRandom(seed);
  const bias = options.qkvBias ?? false;
  const layers: LlamaLayer[] = [];
  for (let i = 0; i < config.layers; i++) {
    layers.push({
      attnNorm: randomGain(rng, dim),
      wq: randomLinear(rng, dim, heads * headDim, bias),
      wk: randomLinear(rng, dim, kvHeads * headDim, bias),
      wv: randomLinear(rng, dim, kvHeads * headDim, bias),
      wo: randomLinear(rng, heads * headDim, dim, false),
      ffnNorm: randomGain(rng, dim),
      w1: randomLinear(rng, dim, hiddenDim, false),
      w2: randomLinear(rng, hiddenDim, dim, false),
      w3: randomLinear(rng, dim, hiddenDim, false),
    });
  }
  const weights: LlamaWeights = {
    family: 'llama',
    tokenEmbedding: rng.normal(vocab * dim, 0, 1 / Math.sqrt(dim)),
    layers,
    finalNorm: randomGain(rng, dim),
  };
  if (options.tiedHead === false) weights.lmHead = randomLinear(rng, dim, vocab, false);
  return { config, weights };
}

export function randomGpt2Model(overrides: Partial<ModelConfig> = {}, seed = 1): Model {
  const resolved = resolveConfig(GPT2_TEST_CONFIG, { ...overrides, family: 'gpt2' });
  const config: ModelConfig = { ...resolved, kvHeads: resolved.heads };
  const { dim, hiddenDim, vocab, context } = config;
  const rng = new SeededRandom(seed);
  const layerNorm = (): { g: Float32Array; b: Float32Array } => ({
    g: randomGain(rng, dim),
    b: rng.normal(dim, 0, BIAS_STD),
  });
  const layers: Gpt2Layer[] = [];
  for (let i = 0; i < config.layers; i++) {
    layers.push({
      ln1: layerNorm(),
      attn: randomLinear(rng, dim, 3 * dim, true),
      proj: randomLinear(rng, dim, dim, true),
      ln2: layerNorm(),
      fc: randomLinear(rng, dim, hiddenDim, true),
      fcProj: randomLinear(rng, hiddenDim, dim, true),
    });
  }
  const weights: Gpt2Weights = {
    family: 'gpt2',
    wte: rng.normal(vocab * dim, 0, 1 / Math.sqrt(dim)),
    wpe: rng.normal(context * dim, 0, 0.5 / Math.sqrt(dim)),
    layers,
    lnF: layerNorm(),
  };
  return { config, weights };
}
