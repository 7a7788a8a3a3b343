/**
 * com.microsoft.Attention, onnxruntime's older fused attention (optimised GPT-2 exports of
 * onnxruntime-transformers), computes QK^T, mask and softmax inside and returns none of them. A side branch
 * recomputes the probabilities from the node's own inputs the way its CPU kernel does:
 *   Q, K = input x weights + bias, split by qkv_hidden_sizes (else in equal thirds), into num_heads heads;
 *   K after the past keys (past is [2, batch, heads, past, head_size]);
 *   scores = QK^T * scale (default 1/sqrt(head_size)) + attention_bias;
 *   keys that mask_index marks 0 get mask_filter_value added; with unidirectional=1 future keys are dropped;
 *   Softmax over the keys.
 * The op still computes the layer's output; the branch costs one more QKV projection per layer. Forms of the
 * op this does not reproduce are refused, since a recomputation that silently differs from the op would
 * show attention the model does not use.
 */
import { onnx } from 'onnx-proto';
import { EngineError } from '../../shared/errors';
import { toNumber, type GraphEditor } from './graphEditor';

export const MS_DOMAIN = 'com.microsoft';

const DataType = onnx.TensorProto.DataType;
/** The kernel's mask_filter_value when the attribute is absent. */
const DEFAULT_MASK_FILTER = -10000;
/** What the kernel puts over future keys (std::numeric_limits<float>::lowest()): softmax gives them exactly 0. */
const FLOAT_LOWEST = -3.4028234663852886e38;

/** Attributes reproduced at any value; rotary_embedding_dim only matters with do_rotary=1, which is refused. */
const REPRODUCED = new Set(['num_heads', 'unidirectional', 'qkv_hidden_sizes', 'scale', 'mask_filter_value', 'rotary_embedding_dim']);
/** Attributes accepted only at their default, with why any other value is not reproduced. */
const DEFAULT_ONLY: Record<string, { value: number; why: string }> = {
  do_rotary: { value: 0, why: 'rotary embedding applied inside the op' },
  past_present_share_buffer: { value: 0, why: 'a preallocated key/value buffer' },
};

const INPUT = { x: 0, weights: 1, bias: 2, mask: 3, past: 4, attentionBias: 5 } as const;

interface LegacySpec {
  heads: number;
  causal: boolean;
  /** Widths of Q and K in the fused projection, or null for equal thirds. */
  qkWidths: [number, number] | null;
  /** Multiplier of QK^T, or null for 1/sqrt(head_size). */
  scale: number | null;
  maskFilter: number;
}

export function isLegacyAttention(node: onnx.INodeProto): boolean {
  return node.opType === 'Attention' && node.domain === MS_DOMAIN;
}

/** Throws an UNSUPPORTED error naming the attribute when the node uses a form the side branch cannot reproduce. */
export function readLegacySpec(node: onnx.INodeProto): LegacySpec {
  const spec: LegacySpec = { heads: 0, causal: false, qkWidths: null, scale: null, maskFilter: DEFAULT_MASK_FILTER };
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    const fixed = DEFAULT_ONLY[name];
    if (fixed && toNumber(a.i) !== fixed.value) refuse(node, `${name}=${toNumber(a.i)} (${fixed.why})`);
    else if (!fixed && !REPRODUCED.has(name)) refuse(node, `the attribute ${name}`);
    if (name === 'num_heads') spec.heads = toNumber(a.i);
    if (name === 'unidirectional') spec.causal = toNumber(a.i) === 1;
    if (name === 'scale' && a.f) spec.scale = a.f;
    if (name === 'mask_filter_value' && a.f !== null && a.f !== undefined) spec.maskFilter = a.f;
    if (name === 'qkv_hidden_sizes') spec.qkWidths = qkWidths(node, (a.ints ?? []).map(toNumber));
  }
  if (spec.heads <= 0) throw new EngineError('CORRUPT_MODEL', `com.microsoft.Attention node ${node.name ?? ''} has no num_heads`);
  return spec;
}

function qkWidths(node: onnx.INodeProto, sizes: number[]): [number, number] {
  if (sizes.length !== 3 || sizes[0] !== sizes[1]) refuse(node, `qkv_hidden_sizes=[${sizes.join(', ')}] (Q and K must be equally wide)`);
  return [sizes[0], sizes[1]];
}

function refuse(node: onnx.INodeProto, what: string): never {
  throw new EngineError(
    'UNSUPPORTED',
    `this ONNX file's com.microsoft.Attention node ${node.name ?? ''} uses ${what}, which the attention view cannot ` +
      'reproduce: use an unoptimized export or the safetensors version of the model',
  );
}

/** Adds the side branch; returns the probabilities, float32 [batch, heads, T, S]. */
export function legacyAttentionProbs(editor: GraphEditor, node: onnx.INodeProto): string {
  const spec = readLegacySpec(node);
  const input = (i: number): string => node.input?.[i] ?? '';
  // Computed in float32 whatever the export's type, so that the constants below fit any file.
  let qkv = editor.add('MatMul', [input(INPUT.x), input(INPUT.weights)])[0];
  if (input(INPUT.bias)) qkv = editor.add('Add', [qkv, input(INPUT.bias)])[0];
  const [q, k] = splitQueryKey(editor, editor.cast(qkv, DataType.FLOAT), spec);
  let keys = k;
  if (input(INPUT.past)) {
    const pastKeys = editor.add('Gather', [input(INPUT.past), editor.int64([0], [])], 1, { axis: { int: 0 } })[0];
    keys = editor.add('Concat', [editor.cast(pastKeys, DataType.FLOAT), k], 1, { axis: { int: 2 } })[0];
  }
  const transposed = editor.add('Transpose', [keys], 1, { perm: { ints: [0, 1, 3, 2] } })[0];
  let scores = editor.add('Mul', [editor.add('MatMul', [q, transposed])[0], scaleOf(editor, q, spec)])[0];
  if (input(INPUT.attentionBias)) scores = editor.add('Add', [scores, editor.cast(input(INPUT.attentionBias), DataType.FLOAT)])[0];
  if (input(INPUT.mask)) scores = editor.add('Add', [scores, paddingPenalty(editor, node, input(INPUT.mask), spec.maskFilter)])[0];
  if (spec.causal) scores = editor.add('Where', [futureKeys(editor, q, keys), editor.float32([FLOAT_LOWEST], []), scores])[0];
  return editor.add('Softmax', [scores], 1, { axis: { int: -1 } })[0];
}

/** Q and K of the fused projection [batch, T, width], each as [batch, heads, T, head_size]. */
function splitQueryKey(editor: GraphEditor, qkv: string, spec: LegacySpec): [string, string] {
  let parts: [string, string];
  if (spec.qkWidths) {
    const [qWidth, kWidth] = spec.qkWidths;
    const slice = (start: number, end: number): string =>
      editor.add('Reshape', [
        editor.add('Slice', [qkv, editor.int64([start]), editor.int64([end]), editor.int64([2])])[0],
        editor.int64([0, 0, spec.heads, -1]),
      ])[0];
    parts = [slice(0, qWidth), slice(qWidth, qWidth + kWidth)];
  } else {
    const thirds = editor.add('Reshape', [qkv, editor.int64([0, 0, 3, spec.heads, -1])])[0];
    const third = (i: number): string => editor.add('Gather', [thirds, editor.int64([i], [])], 1, { axis: { int: 2 } })[0];
    parts = [third(0), third(1)];
  }
  const toHeads = (x: string): string => editor.add('Transpose', [x], 1, { perm: { ints: [0, 2, 1, 3] } })[0];
  return [toHeads(parts[0]), toHeads(parts[1])];
}

function scaleOf(editor: GraphEditor, q: string, spec: LegacySpec): string {
  if (spec.scale !== null) return editor.float32([spec.scale], []);
  const headSize = editor.cast(editor.scalarDim(q, 3), DataType.FLOAT);
  return editor.add('Reciprocal', [editor.add('Sqrt', [headSize])[0]])[0];
}

/**
 * mask_filter_value where mask_index is 0, else 0, broadcast over the scores. Only the 0/1 masks are
 * reproduced: [batch, total] (the usual one) and [batch, T, total]; 1-D end positions and 4-D masks are not.
 */
function paddingPenalty(editor: GraphEditor, node: onnx.INodeProto, mask: string, filter: number): string {
  const rank = declaredRank(editor, mask);
  if (rank !== 2 && rank !== 3) {
    refuse(node, `a mask_index of ${rank === null ? 'unknown rank' : `rank ${rank}`} (only 2-D [batch, total_length] and 3-D 0/1 masks are reproduced)`);
  }
  const keep = editor.add('Greater', [editor.cast(mask, DataType.FLOAT), editor.float32([0], [])])[0];
  const penalty = editor.add('Where', [keep, editor.float32([0], []), editor.float32([filter], [])])[0];
  return editor.unsqueeze(penalty, rank === 2 ? [1, 2] : [1]);
}

/** Bool [T, S]: key s lies after query t, counting the past keys that precede the queries. */
function futureKeys(editor: GraphEditor, q: string, keys: string): string {
  const queries = editor.scalarDim(q, 2);
  const total = editor.scalarDim(keys, 2);
  const zero = editor.int64([0], []);
  const one = editor.int64([1], []);
  const past = editor.add('Sub', [total, queries])[0];
  const queryPositions = editor.add('Add', [editor.add('Range', [zero, queries, one])[0], past])[0];
  const keyPositions = editor.add('Range', [zero, total, one])[0];
  return editor.add('Greater', [keyPositions, editor.unsqueeze(queryPositions, [1])])[0];
}

/** The rank the file declares for a value, looking through Cast and Identity (masks are often cast to int32). */
function declaredRank(editor: GraphEditor, value: string): number | null {
  const producers = editor.producers();
  const declared = [...(editor.graph.input ?? []), ...(editor.graph.valueInfo ?? []), ...(editor.graph.output ?? [])];
  let name = value;
  for (let hops = 0; hops < 8; hops++) {
    const dims = declared.find((v) => v.name === name)?.type?.tensorType?.shape?.dim;
    if (dims) return dims.length;
    const producer = producers.get(name);
    if (!producer || (producer.opType !== 'Cast' && producer.opType !== 'Identity')) return null;
    name = producer.input?.[0] ?? '';
  }
  return null;
}
