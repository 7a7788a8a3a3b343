/**
 * Third-party-style ONNX decoders for the import tests, built here rather than downloaded:
 * - `strippedEngineGraph`: the engine's own graph for a Model with everything an exporter would not write
 *   removed (attentions.* and next.* outputs, next_ids/top_k inputs, the internal names that say
 *   "attention"), plus an attention_mask input as Optimum exports have: surgery must find attention alone;
 * - `handBuiltDecoder`: a small decoder written op by op at opset 14, with its attention softmax over a
 *   rank-3 [heads, T, S] tensor, a mask from attention_mask, no position_ids, optionally float16 at its
 *   boundaries; its maths is simple enough to recompute in the test (`fused`: the same model through a fused
 *   attention op; `withPast: false`: the first-step decoder without past inputs);
 * - `mergedDecoder`: two such decoders merged as Optimum's decoder_model_merged.onnx (an If on use_cache_branch);
 * - `attentionInsideIf`: attention inside an If that is not such a switch.
 */
import { onnx } from 'onnx-proto';
import { buildGraph } from '../../src/engine/graph';
import * as io from '../../src/engine/graph/names';
import type { Model } from '../../src/engine/model';
import { SeededRandom } from '../../src/engine/testing/randomModels';
import { A, Graph, int, ints, MS, T, valueInfo } from './onnxTestGraph';

// ---- the engine's graph, stripped to what an exporter writes ----

export function strippedEngineGraph(model: Model): Uint8Array {
  const decoded = onnx.ModelProto.decode(buildGraph(model));
  const graph = decoded.graph as onnx.GraphProto;
  const keep = new Set([io.LOGITS, ...graph.output.map((o) => o.name ?? '').filter((n) => n.startsWith('present.'))]);
  graph.output = graph.output.filter((o) => keep.has(o.name ?? ''));
  pruneDeadNodes(graph);
  const used = new Set(graph.node.flatMap((n) => n.input));
  graph.input = graph.input.filter((i) => used.has(i.name));
  // Exporters name internal values after their op, not "attentions".
  for (const node of graph.node) {
    node.output = (node.output ?? []).map((o) => o.replace(/^attentions\.(\d+)$/, 'softmax_out_$1'));
    node.input = (node.input ?? []).map((i) => i.replace(/^attentions\.(\d+)$/, 'softmax_out_$1'));
  }
  graph.input.splice(1, 0, valueInfo('attention_mask', T.INT64, ['batch_size', 'total_sequence_length']));
  return onnx.ModelProto.encode(decoded).finish();
}

function pruneDeadNodes(graph: onnx.GraphProto): void {
  const needed = new Set(graph.output.map((o) => o.name));
  const kept: onnx.INodeProto[] = [];
  for (let i = graph.node.length - 1; i >= 0; i--) {
    const node = graph.node[i];
    if ((node.output ?? []).some((o) => needed.has(o))) {
      kept.unshift(node);
      for (const input of node.input ?? []) needed.add(input);
    }
  }
  graph.node = kept as onnx.NodeProto[];
  graph.initializer = graph.initializer.filter((t) => needed.has(t.name));
}

// ---- a hand-built decoder ----

export interface TinyDecoder {
  layers: number;
  heads: number;
  headDim: number;
  dim: number;
  vocab: number;
  embedding: Float32Array; // [vocab, dim]
  wq: Float32Array[]; // [dim, dim] per layer
  wk: Float32Array[];
  wv: Float32Array[];
  wo: Float32Array[];
  head: Float32Array; // [dim, vocab]
}

export function tinyDecoder(seed = 7): TinyDecoder {
  const rng = new SeededRandom(seed);
  const layers = 2;
  const heads = 3;
  const headDim = 8;
  const dim = heads * headDim;
  const vocab = 40;
  const matrix = (rows: number, cols: number): Float32Array => rng.normal(rows * cols, 0, 1 / Math.sqrt(rows));
  const perLayer = (): Float32Array[] => Array.from({ length: layers }, () => matrix(dim, dim));
  return {
    layers,
    heads,
    headDim,
    dim,
    vocab,
    embedding: rng.normal(vocab * dim, 0, 1),
    wq: perLayer(),
    wk: perLayer(),
    wv: perLayer(),
    wo: perLayer(),
    head: matrix(dim, vocab),
  };
}

/** Reference: per layer the probabilities [heads, T, S], and the logits [T, vocab], past included. */
export function tinyDecoderReference(m: TinyDecoder, ids: number[]): { attention: Float64Array[]; logits: Float64Array } {
  const n = ids.length;
  let x = ids.map((id) => Float64Array.from(m.embedding.subarray(id * m.dim, (id + 1) * m.dim)));
  const matVec = (v: Float64Array, w: Float32Array, cols: number): Float64Array => {
    const out = new Float64Array(cols);
    for (let i = 0; i < v.length; i++) for (let j = 0; j < cols; j++) out[j] += v[i] * w[i * cols + j];
    return out;
  };
  const attention: Float64Array[] = [];
  for (let l = 0; l < m.layers; l++) {
    const q = x.map((r) => matVec(r, m.wq[l], m.dim));
    const k = x.map((r) => matVec(r, m.wk[l], m.dim));
    const v = x.map((r) => matVec(r, m.wv[l], m.dim));
    const probs = new Float64Array(m.heads * n * n);
    const ctx = x.map(() => new Float64Array(m.dim));
    for (let h = 0; h < m.heads; h++) {
      for (let t = 0; t < n; t++) {
        const scores: number[] = [];
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let d = 0; d < m.headDim; d++) dot += q[t][h * m.headDim + d] * k[s][h * m.headDim + d];
          scores.push(dot / Math.sqrt(m.headDim));
        }
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        e.forEach((value, s) => {
          probs[(h * n + t) * n + s] = value / z;
          for (let d = 0; d < m.headDim; d++) ctx[t][h * m.headDim + d] += (value / z) * v[s][h * m.headDim + d];
        });
      }
    }
    attention.push(probs);
    x = x.map((r, t) => {
      const o = matVec(ctx[t], m.wo[l], m.dim);
      return r.map((value, i) => value + o[i]);
    });
  }
  const logits = new Float64Array(n * m.vocab);
  x.forEach((r, t) => logits.set(matVec(r, m.head, m.vocab), t * m.vocab));
  return { attention, logits };
}

export interface HandBuiltOptions {
  /** past_key_values, present.* and logits in float16, as fp16 exports have. */
  float16?: boolean;
  /**
   * Compute attention with a fused op instead of MatMul/Softmax: the ONNX Attention op (opset 23), or
   * onnxruntime's com.microsoft GroupQueryAttention / MultiHeadAttention as its optimizer writes them.
   */
  fused?: 'attention23' | 'gqa' | 'mha';
  /** false: no past_key_values inputs, the first-step decoder Optimum merges with the with-past one (unfused only). */
  withPast?: boolean;
}

/** Encodes the tiny decoder in the Optimum layout (see the file comment). */
export function handBuiltDecoder(m: TinyDecoder, options: HandBuiltOptions = {}): Uint8Array {
  const fused = options.fused ?? null;
  const g = new Graph(fused === 'attention23' ? 23 : 14);
  const half = options.float16 ?? false;
  const withPast = options.withPast ?? true;
  const boundary = half ? T.FLOAT16 : T.FLOAT;
  const emb = g.floats('embed.weight', m.embedding, [m.vocab, m.dim]);
  let x = g.one('Gather', [emb, 'input_ids'], [int('axis', 0)]);
  // Additive padding mask from attention_mask [1, S]: 0 where 1, -1e4 where 0; broadcast over [heads, T, S].
  const maskFloat = g.one('Cast', ['attention_mask'], [int('to', T.FLOAT)]);
  const padding = g.one('Mul', [g.one('Sub', [g.scalar(1), maskFloat]), g.scalar(-1e4)]);
  const seqLen = g.one('Gather', [g.one('Shape', ['input_ids']), g.ints([1])], [int('axis', 0)]);
  const totalLen = g.one('Gather', [g.one('Shape', ['attention_mask']), g.ints([1])], [int('axis', 0)]);
  const pastLen = g.one('Sub', [totalLen, seqLen]);
  const ones = g.one('ConstantOfShape', [g.one('Concat', [seqLen, totalLen], [int('axis', 0)])], [
    { name: 'value', type: A.TENSOR, t: { dataType: T.BOOL, dims: [1], rawData: Uint8Array.of(1) } },
  ]);
  const causal = g.one('Trilu', [ones, g.one('Squeeze', [pastLen, g.ints([0])])], [int('upper', 0)]);
  for (let l = 0; l < m.layers; l++) {
    const heads4 = (w: Float32Array, name: string): string =>
      g.one('Transpose', [g.one('Reshape', [g.one('MatMul', [x, g.floats(name, w, [m.dim, m.dim])]), g.ints([1, -1, m.heads, m.headDim])])], [
        ints('perm', [0, 2, 1, 3]),
      ]);
    const q = heads4(m.wq[l], `l${l}.wq`);
    const k = heads4(m.wk[l], `l${l}.wk`);
    const v = heads4(m.wv[l], `l${l}.wv`);
    const past = (kind: string): string => (half ? g.one('Cast', [`past_key_values.${l}.${kind}`], [int('to', T.FLOAT)]) : `past_key_values.${l}.${kind}`);
    let context: string;
    let presentKey: string;
    let presentValue: string;
    if (fused === 'attention23') {
      const mask = g.one('And', [causal, g.one('Cast', [g.one('Unsqueeze', ['attention_mask', g.ints([0])])], [int('to', T.BOOL)])]);
      [context, presentKey, presentValue] = g.op('Attention', [q, k, v, mask, past('key'), past('value')], [], undefined, 3);
    } else if (fused === 'gqa' || fused === 'mha') {
      const flat = (name: string, w: Float32Array): string => g.one('MatMul', [x, g.floats(name, w, [m.dim, m.dim])]);
      const [q2, k2, v2] = [flat(`l${l}.wq2`, m.wq[l]), flat(`l${l}.wk2`, m.wk[l]), flat(`l${l}.wv2`, m.wv[l])];
      let out: string;
      if (fused === 'gqa') {
        // seqlens_k = tokens seen - 1 and the total length, both int32, as the optimizer derives them from the mask.
        const seen = g.one('ReduceSum', ['attention_mask', g.ints([1])], [int('keepdims', 0)]);
        const seqlens = g.one('Cast', [g.one('Sub', [seen, g.ints([1])])], [int('to', T.INT32)]);
        const total = g.one('Cast', [g.one('Squeeze', [totalLen, g.ints([0])])], [int('to', T.INT32)]);
        [out, presentKey, presentValue] = g.op('GroupQueryAttention', [q2, k2, v2, past('key'), past('value'), seqlens, total], [int('num_heads', m.heads), int('kv_num_heads', m.heads)], undefined, 3);
      } else {
        [out, presentKey, presentValue] = g.op('MultiHeadAttention', [q2, k2, v2, '', '', '', past('key'), past('value')], [int('num_heads', m.heads), int('unidirectional', 1)], undefined, 3);
      }
      g.last.domain = MS;
      context = g.one('Transpose', [g.one('Reshape', [out, g.ints([1, -1, m.heads, m.headDim])])], [ints('perm', [0, 2, 1, 3])]);
    } else {
      presentKey = withPast ? g.one('Concat', [past('key'), k], [int('axis', 2)]) : k;
      presentValue = withPast ? g.one('Concat', [past('value'), v], [int('axis', 2)]) : v;
      // Rank-3 attention, [heads, T, d] x [heads, d, S], as some exporters write it.
      const q3 = g.one('Reshape', [q, g.ints([m.heads, -1, m.headDim])]);
      const k3 = g.one('Reshape', [presentKey, g.ints([m.heads, -1, m.headDim])]);
      const v3 = g.one('Reshape', [presentValue, g.ints([m.heads, -1, m.headDim])]);
      const scores = g.one('Div', [g.one('MatMul', [q3, g.one('Transpose', [k3], [ints('perm', [0, 2, 1])])]), g.scalar(Math.sqrt(m.headDim))]);
      const masked = g.one('Where', [causal, g.one('Add', [scores, padding]), g.scalar(-1e4)]);
      const probs = g.one('Softmax', [masked], [int('axis', -1)]);
      context = g.one('Reshape', [g.one('MatMul', [probs, v3]), g.ints([1, m.heads, -1, m.headDim])]);
    }
    for (const [value, kind] of [
      [presentKey, 'key'],
      [presentValue, 'value'],
    ]) {
      g.one(half ? 'Cast' : 'Identity', [value], half ? [int('to', T.FLOAT16)] : [], `present.${l}.${kind}`);
    }
    const merged = g.one('Reshape', [g.one('Transpose', [context], [ints('perm', [0, 2, 1, 3])]), g.ints([1, -1, m.dim])]);
    x = g.one('Add', [x, g.one('MatMul', [merged, g.floats(`l${l}.wo`, m.wo[l], [m.dim, m.dim])])]);
  }
  const logits = g.one('MatMul', [x, g.floats('lm_head', m.head, [m.dim, m.vocab])]);
  g.one(half ? 'Cast' : 'Identity', [logits], half ? [int('to', T.FLOAT16)] : [], 'logits');
  const pastDims = ['batch_size', m.heads, 'past_sequence_length', m.headDim];
  const model: onnx.IModelProto = {
    irVersion: fused === 'attention23' ? 10 : 8,
    producerName: 'test-exporter',
    opsetImport: [{ domain: '', version: g.opset }, ...(fused === 'gqa' || fused === 'mha' ? [{ domain: MS, version: 1 }] : [])],
    graph: {
      name: 'tiny',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        valueInfo('input_ids', T.INT64, ['batch_size', 'sequence_length']),
        valueInfo('attention_mask', T.INT64, ['batch_size', 'total_sequence_length']),
        ...Array.from({ length: withPast ? m.layers : 0 }, (_, l) => [
          valueInfo(`past_key_values.${l}.key`, boundary, pastDims),
          valueInfo(`past_key_values.${l}.value`, boundary, pastDims),
        ]).flat(),
      ],
      output: [
        valueInfo('logits', boundary, ['batch_size', 'sequence_length', m.vocab]),
        ...Array.from({ length: m.layers }, (_, l) => [
          valueInfo(`present.${l}.key`, boundary, ['batch_size', m.heads, 'total_sequence_length', m.headDim]),
          valueInfo(`present.${l}.value`, boundary, ['batch_size', m.heads, 'total_sequence_length', m.headDim]),
        ]).flat(),
      ],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/**
 * A merged decoder as Optimum's merge_decoders writes decoder_model_merged.onnx: one If on a boolean
 * use_cache_branch input, the with-past export as then_branch and the first-step export as else_branch,
 * the weights both hold lifted into the main graph and everything else left in its branch (both branches
 * reuse the same value names and name their outputs like the If's).
 */
export function mergedDecoder(withPastBytes: Uint8Array, noPastBytes: Uint8Array): Uint8Array {
  const withPast = onnx.ModelProto.decode(withPastBytes).graph as onnx.GraphProto;
  const noPast = onnx.ModelProto.decode(noPastBytes).graph as onnx.GraphProto;
  const sameBytes = (a: onnx.ITensorProto, b: onnx.ITensorProto): boolean => Buffer.from(a.rawData ?? []).equals(Buffer.from(b.rawData ?? []));
  const shared = withPast.initializer.filter((t) => noPast.initializer.some((u) => u.name === t.name && sameBytes(t, u)));
  const sharedNames = new Set(shared.map((t) => t.name));
  const branch = (g: onnx.GraphProto, name: string): onnx.IGraphProto => ({
    name,
    node: g.node,
    initializer: g.initializer.filter((t) => !sharedNames.has(t.name)),
    output: g.output,
  });
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'optimum',
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'merged',
      node: [
        {
          name: 'optimum::if',
          opType: 'If',
          input: ['use_cache_branch'],
          output: withPast.output.map((o) => o.name ?? ''),
          attribute: [
            { name: 'then_branch', type: A.GRAPH, g: branch(withPast, 'with_past') },
            { name: 'else_branch', type: A.GRAPH, g: branch(noPast, 'no_past') },
          ],
        },
      ],
      initializer: shared,
      input: [...withPast.input, valueInfo('use_cache_branch', T.BOOL, [1])],
      output: withPast.output,
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** A graph whose only attention sits inside an If that is not a merged decoder's use_cache_branch switch. */
export function attentionInsideIf(): Uint8Array {
  const branch = (name: string): onnx.IGraphProto => ({
    name,
    node: [{ opType: 'Softmax', input: ['x_in'], output: [`${name}_out`], attribute: [int('axis', -1)] }],
    output: [valueInfo(`${name}_out`, T.FLOAT, [1, 1, 'n', 'n'])],
  });
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'switched',
      node: [
        { opType: 'Identity', input: ['past_key_values.0.key'], output: ['x_in'] },
        {
          opType: 'If',
          input: ['short_context'],
          output: ['logits'],
          attribute: [
            { name: 'then_branch', type: A.GRAPH, g: branch('then') },
            { name: 'else_branch', type: A.GRAPH, g: branch('else') },
          ],
        },
        { opType: 'Identity', input: ['past_key_values.0.key'], output: ['present.0.key'] },
        { opType: 'Identity', input: ['past_key_values.0.value'], output: ['present.0.value'] },
      ],
      input: [
        valueInfo('input_ids', T.INT64, [1, 'n']),
        valueInfo('short_context', T.BOOL, [1]),
        valueInfo('past_key_values.0.key', T.FLOAT, [1, 1, 'p', 4]),
        valueInfo('past_key_values.0.value', T.FLOAT, [1, 1, 'p', 4]),
      ],
      output: [valueInfo('logits', T.FLOAT, [1, 'n', 8]), valueInfo('present.0.key', T.FLOAT, [1, 1, 'p', 4]), valueInfo('present.0.value', T.FLOAT, [1, 1, 'p', 4])],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
