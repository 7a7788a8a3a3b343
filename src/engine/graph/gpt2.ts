/**
 * ONNX graph for GPT-2: learned positions, pre-LayerNorm blocks with fused QKV, GELU (tanh approximation),
 * final LayerNorm and a classifier tied to wte. I/O as in names.ts.
 */
import { EngineError } from '../../shared/errors';
import type { Gpt2Layer, Gpt2Weights, ModelConfig } from '../model';
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
import { LOGITS } from './names';
import { attr, GraphBuilder } from './onnxBuilder';

interface LayerNormWeights {
  g: Float32Array;
  b: Float32Array;
}

export function buildGpt2Graph(config: ModelConfig, weights: Gpt2Weights): GraphBuilder {
  checkConfig(config, weights);
  const b = new GraphBuilder(config.name || 'gpt2');
  const inputs = declareDecoderInputs(b, config);
  const wte = b.addInitializer('wte', weights.wte, [config.vocab, config.dim]);
  const wpe = b.addInitializer('wpe', weights.wpe, [config.context, config.dim]);
  const mask = causalMask(b, inputs.inputIds, inputs.pastKeys[0]);
  let x = b.op('Add', [b.gatherRows(wte, inputs.inputIds), b.op('Gather', [wpe, inputs.positionIds])]);
  weights.layers.forEach((layer, i) => {
    x = block(b, config, layer, i, x, { mask, pastKey: inputs.pastKeys[i], pastValue: inputs.pastValues[i] });
  });
  const h = layerNorm(b, x, weights.lnF, 'ln_f', config.normEps);
  tiedLmHead(b, h, wte, config.dim, config.vocab);
  nextTokenStats(b, LOGITS, inputs);
  declareDecoderOutputs(b, config);
  return b;
}

function checkConfig(config: ModelConfig, weights: Gpt2Weights): void {
  if (config.heads !== config.kvHeads) {
    throw new EngineError('CORRUPT_MODEL', 'GPT-2 has as many key/value heads as query heads');
  }
  if (config.heads * config.headDim !== config.dim) {
    throw new EngineError('CORRUPT_MODEL', `${config.heads} heads of ${config.headDim} do not make width ${config.dim}`);
  }
  if (weights.layers.length !== config.layers || config.layers < 1) {
    throw new EngineError('CORRUPT_MODEL', `config says ${config.layers} layers, weights have ${weights.layers.length}`);
  }
}

function block(
  b: GraphBuilder,
  config: ModelConfig,
  layer: Gpt2Layer,
  index: number,
  x: string,
  attention: { mask: string; pastKey: string; pastValue: string },
): string {
  const { heads, headDim, dim, normEps } = config;
  const name = `h.${index}`;
  const h = layerNorm(b, x, layer.ln1, `${name}.ln_1`, normEps);
  const [q, k, v] = b.split(linear(b, h, layer.attn, `${name}.attn.c_attn`), [dim, dim, dim], 2);
  const attended = cachedAttention(b, {
    layer: index,
    q: splitHeads(b, q, heads, headDim),
    k: splitHeads(b, k, heads, headDim),
    v: splitHeads(b, v, heads, headDim),
    ...attention,
    heads,
    kvHeads: heads,
    headDim,
  });
  const afterAttention = b.op('Add', [x, linear(b, attended, layer.proj, `${name}.attn.c_proj`)]);
  const f = layerNorm(b, afterAttention, layer.ln2, `${name}.ln_2`, normEps);
  const inner = b.op('Gelu', [linear(b, f, layer.fc, `${name}.mlp.c_fc`)], { approximate: attr.string('tanh') });
  return b.op('Add', [afterAttention, linear(b, inner, layer.fcProj, `${name}.mlp.c_proj`)]);
}

function layerNorm(b: GraphBuilder, x: string, weights: LayerNormWeights, name: string, eps: number): string {
  const scale = b.addInitializer(`${name}.weight`, weights.g, [weights.g.length]);
  const bias = b.addInitializer(`${name}.bias`, weights.b, [weights.b.length]);
  return b.op('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(eps) });
}
