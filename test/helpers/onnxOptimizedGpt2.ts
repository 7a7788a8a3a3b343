/**
 * A GPT-2 in the layout of onnxruntime-transformers' optimised GPT-2 exports (models/gpt2/convert_to_onnx.py
 * followed by its optimizer): each layer's attention is one com.microsoft.Attention node on the fused QKV
 * weights and bias, with the int32 attention_mask as its mask_index and a stacked past_{i}
 * [2, batch, heads, past, head_size] in, present_{i} out; LayerNormalization, com.microsoft.FastGelu and a
 * MatMul on the transposed token embedding do the rest. Built from an engine Model so that
 * reference.ts can check it.
 */
import { onnx } from 'onnx-proto';
import { matrixFloat32, transpose, type Gpt2Weights, type Linear, type Model } from '../../src/engine/model';
import { Graph, float, int, ints, MS, T, valueInfo } from './onnxTestGraph';

export interface OptimizedGpt2Options {
  /** The default domain's opset; such exports were made at 11 to 14. Default 12. */
  opset?: number;
  /** Extra attributes on every Attention node (e.g. do_rotary, to check that it is refused). */
  attentionAttributes?: onnx.IAttributeProto[];
  /** Write qkv_hidden_sizes explicitly instead of leaving the equal thirds implied. */
  qkvHiddenSizes?: boolean;
}

export function optimizedGpt2Graph(model: Model, options: OptimizedGpt2Options = {}): Uint8Array {
  const { config } = model;
  const weights = model.weights as Gpt2Weights;
  const { dim, heads, headDim, vocab, context, normEps } = config;
  const g = new Graph(options.opset ?? 12);
  const linear = (x: string, w: Linear, name: string): string =>
    g.one('Add', [g.one('MatMul', [x, g.floats(`${name}.weight`, matrixFloat32(w.w), [w.inDim, w.outDim])]), g.floats(`${name}.bias`, w.b ?? new Float32Array(w.outDim), [w.outDim])]);
  const layerNorm = (x: string, ln: { g: Float32Array; b: Float32Array }, name: string): string =>
    g.one('LayerNormalization', [x, g.floats(`${name}.weight`, ln.g, [dim]), g.floats(`${name}.bias`, ln.b, [dim])], [int('axis', -1), float('epsilon', normEps)]);

  const wte = g.floats('transformer.wte.weight', matrixFloat32(weights.wte), [vocab, dim]);
  const wpe = g.floats('transformer.wpe.weight', weights.wpe, [context, dim]);
  let x = g.one('Add', [g.one('Gather', [wte, 'input_ids']), g.one('Gather', [wpe, 'position_ids'])]);
  weights.layers.forEach((layer, l) => {
    const name = `transformer.h.${l}`;
    const h = layerNorm(x, layer.ln1, `${name}.ln_1`);
    const attrs = [int('num_heads', heads), int('unidirectional', 1), ...(options.attentionAttributes ?? [])];
    if (options.qkvHiddenSizes) attrs.push(ints('qkv_hidden_sizes', [dim, dim, dim]));
    const qkvWeight = g.floats(`${name}.attn.c_attn.weight`, matrixFloat32(layer.attn.w), [dim, 3 * dim]);
    const qkvBias = g.floats(`${name}.attn.c_attn.bias`, layer.attn.b ?? new Float32Array(3 * dim), [3 * dim]);
    const attended = g.fresh();
    g.op('Attention', [h, qkvWeight, qkvBias, 'attention_mask', `past_${l}`], attrs, [attended, `present_${l}`]);
    g.last.domain = MS;
    x = g.one('Add', [x, linear(attended, layer.proj, `${name}.attn.c_proj`)]);
    const f = layerNorm(x, layer.ln2, `${name}.ln_2`);
    const fcWeight = g.floats(`${name}.mlp.c_fc.weight`, matrixFloat32(layer.fc.w), [dim, layer.fc.outDim]);
    const fcBias = g.floats(`${name}.mlp.c_fc.bias`, layer.fc.b ?? new Float32Array(layer.fc.outDim), [layer.fc.outDim]);
    const inner = g.one('FastGelu', [g.one('MatMul', [f, fcWeight]), fcBias]);
    g.last.domain = MS;
    x = g.one('Add', [x, linear(inner, layer.fcProj, `${name}.mlp.c_proj`)]);
  });
  const final = layerNorm(x, weights.lnF, 'transformer.ln_f');
  g.one('MatMul', [final, g.floats('lm_head.weight', transpose(matrixFloat32(weights.wte), vocab, dim), [dim, vocab])], [], 'logits');

  const pastDims = (length: string): (number | string)[] => [2, 'batch_size', heads, length, headDim];
  const decoded: onnx.IModelProto = {
    irVersion: 7,
    producerName: 'onnxruntime.transformers',
    opsetImport: [
      { domain: '', version: g.opset },
      { domain: MS, version: 1 },
    ],
    graph: {
      name: 'torch-jit-export',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        valueInfo('input_ids', T.INT64, ['batch_size', 'seq_len']),
        valueInfo('position_ids', T.INT64, ['batch_size', 'seq_len']),
        valueInfo('attention_mask', T.INT32, ['batch_size', 'total_seq_len']),
        ...weights.layers.map((_, l) => valueInfo(`past_${l}`, T.FLOAT, pastDims('past_seq_len'))),
      ],
      output: [
        valueInfo('logits', T.FLOAT, ['batch_size', 'seq_len', vocab]),
        ...weights.layers.map((_, l) => valueInfo(`present_${l}`, T.FLOAT, pastDims('total_seq_len'))),
      ],
    },
  };
  return onnx.ModelProto.encode(decoded).finish();
}
