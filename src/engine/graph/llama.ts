/**
 * ONNX graph for the Llama family: RMSNorm, rotary positions (interleaved or half pairs), grouped-query
 * attention with a KV cache, SwiGLU feed-forward, tied or separate classifier. I/O as in names.ts.
 */
import { EngineError } from '../../shared/errors';
import type { LlamaLayer, LlamaWeights, ModelConfig } from '../model';
import { LOGITS } from './names';
import {
  cachedAttention,
  causalMask,
  declareDecoderInputs,
  declareDecoderOutputs,
  linear,
  nextTokenStats,
  splitHeads,
  tiedLmHead,
} from './decoderBlocks';
import { attr, GraphBuilder } from './onnxBuilder';

const DEFAULT_ROPE_THETA = 10000;

/** cos/sin of every position's angles, gathered by position_ids and shaped to broadcast over a pair view. */
interface Rotary {
  interleaved: boolean;
  cos: string;
  sin: string;
}

/** Values shared by every layer. */
interface LayerContext {
  config: ModelConfig;
  rotary: Rotary;
  mask: string;
}

export function buildLlamaGraph(config: ModelConfig, weights: LlamaWeights): GraphBuilder {
  checkConfig(config, weights);
  const b = new GraphBuilder(config.name || 'llama');
  const inputs = declareDecoderInputs(b, config);
  const embedding = b.addInitializer('token_embedding', weights.tokenEmbedding, [config.vocab, config.dim]);
  const context: LayerContext = {
    config,
    rotary: rotaryTables(b, config, inputs.positionIds),
    mask: causalMask(b, inputs.inputIds, inputs.pastKeys[0]),
  };
  let x = b.gatherRows(embedding, inputs.inputIds);
  weights.layers.forEach((layer, i) => {
    x = decoderLayer(b, context, layer, i, x, inputs.pastKeys[i], inputs.pastValues[i]);
  });
  const h = rmsNorm(b, x, weights.finalNorm, 'final_norm', config.normEps);
  if (weights.lmHead) linear(b, h, weights.lmHead, 'lm_head', LOGITS);
  else tiedLmHead(b, h, embedding, config.dim, config.vocab);
  nextTokenStats(b, LOGITS, inputs);
  declareDecoderOutputs(b, config);
  return b;
}

function checkConfig(config: ModelConfig, weights: LlamaWeights): void {
  if (config.headDim % 2 !== 0) {
    throw new EngineError('UNSUPPORTED', `rotary embeddings need an even head size, got ${config.headDim}`);
  }
  if (config.heads % config.kvHeads !== 0) {
    throw new EngineError('CORRUPT_MODEL', `${config.heads} query heads cannot share ${config.kvHeads} kv heads evenly`);
  }
  if (weights.layers.length !== config.layers || config.layers < 1) {
    throw new EngineError('CORRUPT_MODEL', `config says ${config.layers} layers, weights have ${weights.layers.length}`);
  }
}

function decoderLayer(
  b: GraphBuilder,
  ctx: LayerContext,
  layer: LlamaLayer,
  index: number,
  x: string,
  pastKey: string,
  pastValue: string,
): string {
  const { heads, kvHeads, headDim, normEps } = ctx.config;
  const name = `layers.${index}`;
  const h = rmsNorm(b, x, layer.attnNorm, `${name}.attn_norm`, normEps);
  const q = splitHeads(b, linear(b, h, layer.wq, `${name}.wq`), heads, headDim);
  const k = splitHeads(b, linear(b, h, layer.wk, `${name}.wk`), kvHeads, headDim);
  const v = splitHeads(b, linear(b, h, layer.wv, `${name}.wv`), kvHeads, headDim);
  const attended = cachedAttention(b, {
    layer: index,
    q: applyRotary(b, q, heads, headDim, ctx.rotary),
    k: applyRotary(b, k, kvHeads, headDim, ctx.rotary),
    v,
    pastKey,
    pastValue,
    mask: ctx.mask,
    heads,
    kvHeads,
    headDim,
  });
  const afterAttention = b.op('Add', [x, linear(b, attended, layer.wo, `${name}.wo`)]);
  const f = rmsNorm(b, afterAttention, layer.ffnNorm, `${name}.ffn_norm`, normEps);
  const gate = linear(b, f, layer.w1, `${name}.w1`);
  const up = linear(b, f, layer.w3, `${name}.w3`);
  const silu = b.op('Mul', [gate, b.op('Sigmoid', [gate])]);
  const down = linear(b, b.op('Mul', [silu, up]), layer.w2, `${name}.w2`);
  return b.op('Add', [afterAttention, down]);
}

/** x / sqrt(mean(x^2) + eps) * g over the last axis; the Pow/ReduceMean/Sqrt/Div shape is what ORT fuses. */
function rmsNorm(b: GraphBuilder, x: string, gain: Float32Array, name: string, eps: number): string {
  const g = b.addInitializer(`${name}.weight`, gain, [gain.length]);
  const squares = b.op('Pow', [x, b.float32(2)]);
  const meanSquare = b.op('ReduceMean', [squares, b.int64([-1])], { keepdims: attr.int(1) });
  const rms = b.op('Sqrt', [b.op('Add', [meanSquare, b.float32(eps)])]);
  return b.op('Mul', [b.op('Div', [x, rms]), g]);
}

/**
 * Pair k of a head rotates by angle position * theta^(-2k/headDim). Tables [context, headDim/2] are baked in
 * and gathered by position_ids, then unsqueezed to [1, 1, T, half, 1] (interleaved) or [1, 1, T, 1, half].
 */
function rotaryTables(b: GraphBuilder, config: ModelConfig, positionIds: string): Rotary {
  const half = config.headDim / 2;
  const theta = config.ropeTheta ?? DEFAULT_ROPE_THETA;
  const cos = new Float32Array(config.context * half);
  const sin = new Float32Array(config.context * half);
  for (let pos = 0; pos < config.context; pos++) {
    for (let k = 0; k < half; k++) {
      const angle = pos * Math.pow(theta, (-2 * k) / config.headDim);
      cos[pos * half + k] = Math.cos(angle);
      sin[pos * half + k] = Math.sin(angle);
    }
  }
  const interleaved = (config.ropeStyle ?? 'interleaved') === 'interleaved';
  const axes = interleaved ? [1, 4] : [1, 3];
  const gathered = (table: Float32Array, name: string): string =>
    b.unsqueeze(b.op('Gather', [b.addInitializer(name, table, [config.context, half]), positionIds]), axes);
  return { interleaved, cos: gathered(cos, 'rope.cos'), sin: gathered(sin, 'rope.sin') };
}

/**
 * Rotates each (a, c) pair of x [1, heads, T, headDim] to (a cos - c sin, a sin + c cos). The pair view puts
 * the two members on their own axis: dims (2k, 2k+1) for interleaved, (k, k + half) for half.
 */
function applyRotary(b: GraphBuilder, x: string, heads: number, headDim: number, rotary: Rotary): string {
  const half = headDim / 2;
  const pairShape = rotary.interleaved ? [1, heads, -1, half, 2] : [1, heads, -1, 2, half];
  const pairAxis = rotary.interleaved ? 4 : 3;
  const [a, c] = b.split(b.reshape(x, pairShape), [1, 1], pairAxis);
  const mul = (u: string, w: string): string => b.op('Mul', [u, w]);
  const first = b.op('Sub', [mul(a, rotary.cos), mul(c, rotary.sin)]);
  const second = b.op('Add', [mul(a, rotary.sin), mul(c, rotary.cos)]);
  return b.reshape(b.concat([first, second], pairAxis), [1, heads, -1, headDim]);
}
