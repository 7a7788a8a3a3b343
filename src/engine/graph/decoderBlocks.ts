/**
 * The transformer pieces both decoder families share, written over GraphBuilder: the graph's declared I/O
 * (names.ts), linear layers, the causal mask, head splitting, attention with a KV cache, the tied LM head.
 */
import { onnx } from 'onnx-proto';
import type { Linear, ModelConfig } from '../model';
import * as io from './names';
import { attr, type Dim, type GraphBuilder } from './onnxBuilder';

export interface DecoderInputs {
  inputIds: string;
  positionIds: string;
  nextIds: string;
  topK: string;
  pastKeys: string[];
  pastValues: string[];
}

/** Declares the inputs listed in names.ts, in graphInputNames order. */
export function declareDecoderInputs(b: GraphBuilder, config: ModelConfig): DecoderInputs {
  const inputIds = b.addInput(io.INPUT_IDS, 'int64', [1, io.SEQUENCE_DIM]);
  const positionIds = b.addInput(io.POSITION_IDS, 'int64', [1, io.SEQUENCE_DIM]);
  const nextIds = b.addInput(io.NEXT_IDS, 'int64', [1, io.SEQUENCE_DIM]);
  const topK = b.addInput(io.TOP_K, 'int64', [1]);
  const pastDims: Dim[] = [1, config.kvHeads, io.PAST_SEQUENCE_DIM, config.headDim];
  const pastKeys: string[] = [];
  const pastValues: string[] = [];
  for (let i = 0; i < config.layers; i++) {
    pastKeys.push(b.addInput(io.pastKey(i), 'float32', pastDims));
    pastValues.push(b.addInput(io.pastValue(i), 'float32', pastDims));
  }
  return { inputIds, positionIds, nextIds, topK, pastKeys, pastValues };
}

/** Declares the outputs listed in names.ts, in graphOutputNames order. */
export function declareDecoderOutputs(b: GraphBuilder, config: ModelConfig): void {
  b.addOutput(io.LOGITS, 'float32', [1, io.SEQUENCE_DIM, config.vocab]);
  for (let i = 0; i < config.layers; i++) {
    b.addOutput(io.attention(i), 'float32', [1, config.heads, io.SEQUENCE_DIM, io.TOTAL_SEQUENCE_DIM]);
  }
  const perPosition: Dim[] = [1, io.SEQUENCE_DIM, 1];
  b.addOutput(io.NEXT_TOP_LOGITS, 'float32', [1, io.SEQUENCE_DIM, io.TOP_K_DIM]);
  b.addOutput(io.NEXT_TOP_IDS, 'int64', [1, io.SEQUENCE_DIM, io.TOP_K_DIM]);
  b.addOutput(io.NEXT_LOG_Z, 'float32', perPosition);
  b.addOutput(io.NEXT_ENTROPY, 'float32', perPosition);
  b.addOutput(io.NEXT_ACTUAL_LOGIT, 'float32', perPosition);
  b.addOutput(io.NEXT_ACTUAL_LARGER, 'int64', perPosition);
  const presentDims: Dim[] = [1, config.kvHeads, io.TOTAL_SEQUENCE_DIM, config.headDim];
  for (let i = 0; i < config.layers; i++) {
    b.addOutput(io.presentKey(i), 'float32', presentDims);
    b.addOutput(io.presentValue(i), 'float32', presentDims);
  }
}

/**
 * The next-token statistics of names.ts from the logits [1, T, vocab], computed in the graph: onnxruntime's
 * vectorised exp and TopK over T x vocab values cost a fraction of doing the same in JS, and the caller
 * then reads a few numbers per position instead of the whole logits tensor.
 */
export function nextTokenStats(b: GraphBuilder, logits: string, inputs: DecoderInputs): void {
  const lastAxis = b.int64([-1]);
  const keep = { keepdims: attr.int(1) };
  const logZ = b.op('ReduceLogSumExp', [logits, lastAxis], keep, io.NEXT_LOG_Z);
  // H = log Z - sum(p * x): with p = softmax(x)
  const expected = b.op('ReduceSum', [b.op('Mul', [b.op('Softmax', [logits], { axis: attr.int(-1) }), logits]), lastAxis], keep);
  b.op('Sub', [logZ, expected], {}, io.NEXT_ENTROPY);
  b.addNode('TopK', [logits, inputs.topK], [io.NEXT_TOP_LOGITS, io.NEXT_TOP_IDS], {
    axis: attr.int(-1),
    largest: attr.int(1),
    sorted: attr.int(1),
  });
  const nextIndex = b.unsqueeze(inputs.nextIds, [2]);
  const actual = b.op('GatherElements', [logits, nextIndex], { axis: attr.int(2) }, io.NEXT_ACTUAL_LOGIT);
  const larger = b.op('Cast', [b.op('Greater', [logits, actual])], { to: attr.int(onnx.TensorProto.DataType.INT64) });
  b.op('ReduceSum', [larger, lastAxis], keep, io.NEXT_ACTUAL_LARGER);
}

/** x @ W (+ b) for x [..., in]; weights become initializers `${name}.weight` / `${name}.bias`. */
export function linear(b: GraphBuilder, x: string, layer: Linear, name: string, output?: string): string {
  const w = b.weight(`${name}.weight`, layer.w, [layer.inDim, layer.outDim]);
  if (!layer.b) return b.op('MatMul', [x, w], {}, output);
  const bias = b.addInitializer(`${name}.bias`, layer.b, [layer.outDim]);
  return b.op('Add', [b.op('MatMul', [x, w]), bias], {}, output);
}

/**
 * Boolean [T, P+T]: query t (absolute position P+t) may see key s iff s <= P+t. Trilu keeps j <= i + k,
 * so k = P on a block of trues gives exactly that, for any past length (0 included).
 */
export function causalMask(b: GraphBuilder, inputIds: string, pastKey: string): string {
  const queryLength = b.shapeSlice(inputIds, 1, 2);
  const pastLength = b.shapeSlice(pastKey, 2, 3);
  const totalLength = b.op('Add', [queryLength, pastLength]);
  const trues = b.op('ConstantOfShape', [b.concat([queryLength, totalLength], 0)], {
    value: attr.tensor({ dataType: onnx.TensorProto.DataType.BOOL, dims: [1], rawData: Uint8Array.of(1) }),
  });
  const pastScalar = b.op('Squeeze', [pastLength, b.int64([0])]);
  return b.op('Trilu', [trues, pastScalar], { upper: attr.int(0) }, b.uniqueName('causal_mask'));
}

/** [1, T, heads*headDim] -> [1, heads, T, headDim]. */
export function splitHeads(b: GraphBuilder, x: string, heads: number, headDim: number): string {
  return b.transpose(b.reshape(x, [1, -1, heads, headDim]), [0, 2, 1, 3]);
}

export interface AttentionBlock {
  layer: number;
  /** [1, heads, T, headDim], positions already applied. */
  q: string;
  /** [1, kvHeads, T, headDim], positions already applied. */
  k: string;
  v: string;
  pastKey: string;
  pastValue: string;
  /** From causalMask. */
  mask: string;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** Each kv head serves heads/kvHeads consecutive query heads (kvHeadMap): [1, kv, S, d] -> [1, heads, S, d]. */
function expandKvHeads(b: GraphBuilder, x: string, heads: number, kvHeads: number, headDim: number): string {
  if (heads === kvHeads) return x;
  const group = heads / kvHeads;
  const repeated = b.op('Expand', [b.unsqueeze(x, [2]), b.int64([1, 1, group, 1, 1])]);
  return b.reshape(repeated, [1, heads, -1, headDim]);
}

/**
 * Causal softmax attention with a KV cache. Emits present.{layer}.key/value (past ++ new) and
 * attentions.{layer} (the probabilities of every query head); returns the merged context [1, T, heads*headDim].
 */
export function cachedAttention(b: GraphBuilder, a: AttentionBlock): string {
  const key = b.concat([a.pastKey, a.k], 2, io.presentKey(a.layer));
  const value = b.concat([a.pastValue, a.v], 2, io.presentValue(a.layer));
  const keys = expandKvHeads(b, key, a.heads, a.kvHeads, a.headDim);
  const values = expandKvHeads(b, value, a.heads, a.kvHeads, a.headDim);
  const dots = b.op('MatMul', [a.q, b.transpose(keys, [0, 1, 3, 2])]);
  const scores = b.op('Mul', [dots, b.float32(1 / Math.sqrt(a.headDim))]);
  // A large finite negative rather than -Infinity: exp underflows to exactly 0 and no row can become NaN.
  const masked = b.op('Where', [a.mask, scores, b.float32(-1e9)]);
  const probs = b.op('Softmax', [masked], { axis: attr.int(-1) }, io.attention(a.layer));
  const context = b.op('MatMul', [probs, values]);
  return b.reshape(b.transpose(context, [0, 2, 1, 3]), [1, -1, a.heads * a.headDim]);
}

/**
 * Logits from a classifier tied to the [vocab, dim] embedding initializer: Gemm with transB reads it as is,
 * so its bytes appear once in the file.
 */
export function tiedLmHead(b: GraphBuilder, x: string, embedding: string, dim: number, vocab: number): string {
  const rows = b.reshape(x, [-1, dim]);
  const logits = b.op('Gemm', [rows, b.asFloat32(embedding)], { transB: attr.int(1) });
  return b.op('Reshape', [logits, b.int64([1, -1, vocab])], {}, io.LOGITS);
}
