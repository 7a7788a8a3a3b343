/**
 * Rewires a third-party decoder graph (Optimum / Transformers.js layout: input_ids, attention_mask,
 * optional position_ids, past_key_values.{i}.key/value -> logits, present.{i}.key/value) so that its inputs
 * and outputs are exactly those of graph/names.ts: the engine then feeds and reads it like a graph it built.
 *
 * - a merged decoder's If on use_cache_branch is replaced by its with-past branch (mergedDecoder.ts), and a
 *   stacked past_{i}/present_{i} cache is split into keys and values (stackedCache.ts), before anything else;
 * - attention_mask is computed inside the graph (all ones over past + new positions: batch 1, no padding);
 * - position_ids is passed through when the graph has it, else declared and unused (the graph derives
 *   positions from the mask, which gives the same numbers);
 * - float16 exports get Casts so the engine's float32 past/present/logits/attentions still fit;
 * - each layer's attention (findAttention.ts) becomes attentions.{i}, shaped [1, heads, T, S];
 * - the next-token statistics are appended on the logits (statsBlock.ts).
 */
import { onnx } from 'onnx-proto';
import { EngineError } from '../../shared/errors';
import * as io from '../graph/names';
import type { ModelConfig } from '../model';
import { exposeAttention, refuseHiddenAttention, type AttentionTap } from './findAttention';
import { GraphEditor, tensorElemType, toNumber, valueInfo } from './graphEditor';
import { inlineCacheBranch } from './mergedDecoder';
import { splitStackedCache } from './stackedCache';
import { appendNextTokenStats } from './statsBlock';

const DataType = onnx.TensorProto.DataType;
/** Oldest opset whose TopK, GatherElements and Softmax the statistics block can use. */
const MIN_OPSET = 11;

const PAST_INPUT = /^past(?:_key_values)?[._](\d+)[._](key|value)$/;
const PRESENT_OUTPUT = /^present(?:_key_values)?[._](\d+)[._](key|value)$/;

export interface WrappedDecoder {
  model: onnx.IModelProto;
  taps: AttentionTap[];
  /** The element type the original graph computes in (FLOAT or FLOAT16). */
  floatType: number;
}

interface KvName {
  layer: number;
  kind: 'key' | 'value';
}

function parseKv(name: string, pattern: RegExp): KvName | null {
  const m = pattern.exec(name);
  return m ? { layer: Number(m[1]), kind: m[2] === 'key' ? 'key' : 'value' } : null;
}

export function wrapDecoderGraph(model: onnx.IModelProto, config: ModelConfig): WrappedDecoder {
  const editor = new GraphEditor(model);
  inlineCacheBranch(editor, (name) => PAST_INPUT.test(name));
  refuseHiddenAttention(editor);
  if (editor.opset < MIN_OPSET) {
    throw new EngineError('UNSUPPORTED', `the ONNX file uses opset ${editor.opset}; opset ${MIN_OPSET} or newer is needed`);
  }
  splitStackedCache(editor);
  const io0 = classifyInputs(editor, config);
  const outputs = classifyOutputs(editor, config);
  const floatType = tensorElemType(io0.past.get(io.pastKey(0))) ?? DataType.FLOAT;
  if (floatType !== DataType.FLOAT && floatType !== DataType.FLOAT16) {
    throw new EngineError('UNSUPPORTED', `the ONNX graph's past_key_values are of ONNX type ${floatType}; float32 or float16 is needed`);
  }
  const pastLayer = new Map<string, number>();
  for (const [canonical, original] of io0.past) {
    const kv = parseKv(canonical, PAST_INPUT);
    if (kv && original.name) pastLayer.set(original.name, kv.layer);
  }
  const taps = exposeAttention(editor, config.layers, pastLayer);

  const before = editor.nodes.length;
  const inputs = rewireInputs(editor, config, io0, floatType);
  // Nodes standing in for removed or re-typed inputs go first, ahead of every reader.
  editor.nodes.unshift(...editor.nodes.splice(before));
  rewireOutputs(editor, config, outputs, taps);
  appendNextTokenStats(editor, io.LOGITS, io.NEXT_IDS, io.TOP_K);

  const initializers = new Set((editor.graph.initializer ?? []).map((t) => t.name));
  // Files from IR < 4 list initializers among the inputs; they stay, after the engine's inputs.
  const overridable = (editor.graph.input ?? []).filter((v) => v.name && initializers.has(v.name));
  editor.graph.input = [...inputs, ...overridable];
  editor.graph.output = declaredOutputs(config);
  // Recorded shapes and types of values that were renamed or re-typed would contradict the new graph.
  editor.graph.valueInfo = taps
    .filter((t) => t.addedOutput !== null)
    .map((t) => valueInfo(t.addedOutput ?? '', floatType, ['batch', 'heads', 'sequence', 'total_sequence']));
  return { model, taps, floatType };
}

interface InputMap {
  inputIds: onnx.IValueInfoProto;
  attentionMask: onnx.IValueInfoProto | null;
  positionIds: onnx.IValueInfoProto | null;
  /** names.ts past name -> the original input. */
  past: Map<string, onnx.IValueInfoProto>;
}

function classifyInputs(editor: GraphEditor, config: ModelConfig): InputMap {
  const initializers = new Set((editor.graph.initializer ?? []).map((t) => t.name));
  let inputIds: onnx.IValueInfoProto | null = null;
  let attentionMask: onnx.IValueInfoProto | null = null;
  let positionIds: onnx.IValueInfoProto | null = null;
  const past = new Map<string, onnx.IValueInfoProto>();
  const unknown: string[] = [];
  for (const input of editor.graph.input ?? []) {
    const name = input.name ?? '';
    if (initializers.has(name)) continue;
    const kv = parseKv(name, PAST_INPUT);
    if (name === io.INPUT_IDS) inputIds = input;
    else if (name === 'attention_mask') attentionMask = input;
    else if (name === io.POSITION_IDS) positionIds = input;
    else if (kv) past.set(kv.kind === 'key' ? io.pastKey(kv.layer) : io.pastValue(kv.layer), input);
    else unknown.push(name);
  }
  if (!inputIds) throw new EngineError('UNSUPPORTED', 'the ONNX graph has no input_ids input: not a decoder export this engine can drive');
  if (unknown.length > 0) {
    throw new EngineError('UNSUPPORTED', `the ONNX graph has inputs the engine cannot feed: ${unknown.join(', ')}`);
  }
  for (let layer = 0; layer < config.layers; layer++) {
    for (const name of [io.pastKey(layer), io.pastValue(layer)]) {
      const input = past.get(name);
      if (!input) {
        throw new EngineError(
          'UNSUPPORTED',
          `the ONNX graph has no ${name} input: the engine needs a decoder exported with its KV cache (with past)`,
        );
      }
      checkPastShape(input, config);
    }
  }
  if (past.size !== 2 * config.layers) {
    throw new EngineError('CORRUPT_MODEL', `the ONNX graph has ${past.size / 2} layers of past_key_values; config.json says ${config.layers}`);
  }
  return { inputIds, attentionMask, positionIds, past };
}

/** Static dims of [batch, kv_heads, past, head_dim] must agree with config.json. */
function checkPastShape(input: onnx.IValueInfoProto, config: ModelConfig): void {
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const fixed = (i: number): number | null => (dims[i]?.dimValue !== undefined && dims[i]?.dimValue !== null ? toNumber(dims[i].dimValue) : null);
  if (dims.length !== 0 && dims.length !== 4) {
    throw new EngineError('UNSUPPORTED', `the ONNX input ${input.name} has ${dims.length} dims; [batch, heads, past, head_dim] is needed`);
  }
  const heads = fixed(1);
  const headDim = fixed(3);
  if ((heads !== null && heads > 0 && heads !== config.kvHeads) || (headDim !== null && headDim > 0 && headDim !== config.headDim)) {
    throw new EngineError(
      'CORRUPT_MODEL',
      `the ONNX input ${input.name} is [batch, ${heads}, past, ${headDim}] but config.json gives ${config.kvHeads} key/value heads of ${config.headDim}`,
    );
  }
}

interface OutputMap {
  logits: onnx.IValueInfoProto;
  /** names.ts present name -> the original output. */
  present: Map<string, onnx.IValueInfoProto>;
}

function classifyOutputs(editor: GraphEditor, config: ModelConfig): OutputMap {
  let logits: onnx.IValueInfoProto | null = null;
  const present = new Map<string, onnx.IValueInfoProto>();
  for (const output of editor.graph.output ?? []) {
    const name = output.name ?? '';
    const kv = parseKv(name, PRESENT_OUTPUT);
    if (name === io.LOGITS) logits = output;
    else if (kv) present.set(kv.kind === 'key' ? io.presentKey(kv.layer) : io.presentValue(kv.layer), output);
  }
  if (!logits) throw new EngineError('UNSUPPORTED', 'the ONNX graph has no logits output: not a causal language model export');
  for (let layer = 0; layer < config.layers; layer++) {
    for (const name of [io.presentKey(layer), io.presentValue(layer)]) {
      if (!present.has(name)) throw new EngineError('UNSUPPORTED', `the ONNX graph has no ${name} output (its KV cache)`);
    }
  }
  return { logits, present };
}

/** Declares the names.ts inputs and makes the graph's own inputs stand-ins computed from them. */
function rewireInputs(editor: GraphEditor, config: ModelConfig, inputs: InputMap, floatType: number): onnx.IValueInfoProto[] {
  const seq = [1, io.SEQUENCE_DIM];
  retypeIdInput(editor, inputs.inputIds);
  if (inputs.positionIds) retypeIdInput(editor, inputs.positionIds);
  const pastDims = [1, config.kvHeads, io.PAST_SEQUENCE_DIM, config.headDim];
  for (const [canonical, original] of inputs.past) {
    const name = original.name ?? '';
    if (floatType === DataType.FLOAT16) {
      const half = editor.fresh(`${canonical}.fp16`);
      editor.redirectReaders(name, half);
      editor.cast(canonical, DataType.FLOAT16, half);
    } else if (name !== canonical) {
      editor.redirectReaders(name, canonical);
    }
  }
  if (inputs.attentionMask) {
    const maskType = tensorElemType(inputs.attentionMask) ?? DataType.INT64;
    const total = editor.add('Add', [editor.dim(io.INPUT_IDS, 1), editor.dim(io.pastKey(0), 2)])[0];
    const shape = editor.add('Concat', [editor.int64([1]), total], 1, { axis: { int: 0 } })[0];
    const one: onnx.ITensorProto = { dataType: maskType, dims: [1], rawData: oneOf(maskType) };
    editor.add('ConstantOfShape', [shape], [inputs.attentionMask.name ?? 'attention_mask'], { value: { tensor: one } });
  }
  const declared = [
    valueInfo(io.INPUT_IDS, DataType.INT64, seq),
    valueInfo(io.POSITION_IDS, DataType.INT64, seq),
    valueInfo(io.NEXT_IDS, DataType.INT64, seq),
    valueInfo(io.TOP_K, DataType.INT64, [1]),
  ];
  for (let layer = 0; layer < config.layers; layer++) {
    declared.push(valueInfo(io.pastKey(layer), DataType.FLOAT, pastDims), valueInfo(io.pastValue(layer), DataType.FLOAT, pastDims));
  }
  return declared;
}

/** The engine feeds int64 ids; an export that takes int32 gets a Cast. */
function retypeIdInput(editor: GraphEditor, input: onnx.IValueInfoProto): void {
  const type = tensorElemType(input) ?? DataType.INT64;
  if (type === DataType.INT64) return;
  const name = input.name ?? '';
  const narrow = editor.fresh(`${name}.cast`);
  editor.redirectReaders(name, narrow);
  editor.cast(name, type, narrow);
}

function oneOf(type: number): Uint8Array {
  switch (type) {
    case DataType.INT64:
      return new Uint8Array(new BigInt64Array([1n]).buffer);
    case DataType.INT32:
      return new Uint8Array(new Int32Array([1]).buffer);
    case DataType.FLOAT:
      return new Uint8Array(new Float32Array([1]).buffer);
    case DataType.BOOL:
      return Uint8Array.of(1);
    default:
      throw new EngineError('UNSUPPORTED', `the ONNX graph's attention_mask has ONNX type ${type}; int64, int32, float or bool is needed`);
  }
}

/** Produces logits, attentions.{i} and present.{i}.* as names.ts names them, in float32. */
function rewireOutputs(editor: GraphEditor, config: ModelConfig, outputs: OutputMap, taps: AttentionTap[]): void {
  toFloatOutput(editor, outputs.logits, io.LOGITS);
  for (const [canonical, original] of outputs.present) {
    const kv = parseKv(canonical, PRESENT_OUTPUT);
    if (kv && kv.layer < config.layers) toFloatOutput(editor, original, canonical);
  }
  const perHead = editor.add('Concat', [editor.int64([1, config.heads]), editor.dim(io.INPUT_IDS, 1), editor.int64([-1])], 1, {
    axis: { int: 0 },
  })[0];
  for (const tap of taps) {
    const shaped = editor.add('Reshape', [tap.value, perHead])[0];
    editor.cast(shaped, DataType.FLOAT, io.attention(tap.layer));
  }
}

/** Renames the graph's output value aside and produces `name` as its float32 copy. */
function toFloatOutput(editor: GraphEditor, original: onnx.IValueInfoProto, name: string): void {
  const from = original.name ?? '';
  const aside = editor.fresh(`${from}.original`);
  editor.renameValue(from, aside);
  editor.cast(aside, DataType.FLOAT, name);
}

function declaredOutputs(config: ModelConfig): onnx.IValueInfoProto[] {
  const perPosition = [1, io.SEQUENCE_DIM, 1];
  const presentDims = [1, config.kvHeads, io.TOTAL_SEQUENCE_DIM, config.headDim];
  const out = [valueInfo(io.LOGITS, DataType.FLOAT, [1, io.SEQUENCE_DIM, config.vocab])];
  for (let i = 0; i < config.layers; i++) {
    out.push(valueInfo(io.attention(i), DataType.FLOAT, [1, config.heads, io.SEQUENCE_DIM, io.TOTAL_SEQUENCE_DIM]));
  }
  out.push(
    valueInfo(io.NEXT_TOP_LOGITS, DataType.FLOAT, [1, io.SEQUENCE_DIM, io.TOP_K_DIM]),
    valueInfo(io.NEXT_TOP_IDS, DataType.INT64, [1, io.SEQUENCE_DIM, io.TOP_K_DIM]),
    valueInfo(io.NEXT_LOG_Z, DataType.FLOAT, perPosition),
    valueInfo(io.NEXT_ENTROPY, DataType.FLOAT, perPosition),
    valueInfo(io.NEXT_ACTUAL_LOGIT, DataType.FLOAT, perPosition),
    valueInfo(io.NEXT_ACTUAL_LARGER, DataType.INT64, perPosition),
  );
  for (let i = 0; i < config.layers; i++) {
    out.push(valueInfo(io.presentKey(i), DataType.FLOAT, presentDims), valueInfo(io.presentValue(i), DataType.FLOAT, presentDims));
  }
  return out;
}
