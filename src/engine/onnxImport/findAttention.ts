/**
 * Graph surgery that makes a third-party decoder's attention probabilities reachable, one value per layer:
 * - unfused exports: the Softmax whose output is the left operand of the attention MatMul (probs @ V);
 * - ONNX Attention (opset 23): qk_matmul_output_mode=3 makes its 4th output the probabilities;
 * - com.microsoft.GroupQueryAttention: qk_output=2 makes its 4th output the probabilities;
 * - com.microsoft.MultiHeadAttention: its 4th output is the masked, scaled QK^T: a Softmax is added on it;
 * - com.microsoft.Attention (the older fusion): a side branch recomputes them (legacyAttention.ts).
 * Layers are told apart by which past_key_values.{i} input each attention reads (nearest in the graph), so
 * a graph whose nodes are not in layer order still maps right. Anything that hides attention is refused.
 * (Merged decoders, which hide theirs in an If, are inlined before this runs: mergedDecoder.ts.)
 */
import { onnx } from 'onnx-proto';
import { EngineError } from '../../shared/errors';
import type { GraphEditor } from './graphEditor';
import { isLegacyAttention, legacyAttentionProbs, MS_DOMAIN, readLegacySpec } from './legacyAttention';

/** How the probabilities were reached; 'LegacyAttention' is com.microsoft.Attention, recomputed beside it. */
export type AttentionKind = 'softmax' | 'Attention' | 'GroupQueryAttention' | 'MultiHeadAttention' | 'LegacyAttention';

export interface AttentionTap {
  layer: number;
  /** The value holding the probabilities, [batch, heads, T, S] or [batch*heads, T, S]. */
  value: string;
  kind: AttentionKind;
  /**
   * An output this surgery switched on in a fused op: onnxruntime's shape inference does not type every
   * optional output, so the graph must declare it (float, rank 4).
   */
  addedOutput: string | null;
}

/** Ops that only move or re-type a tensor between the Softmax and the MatMul that applies it. */
const PASS_THROUGH = new Set(['Cast', 'Identity', 'Dropout']);
/** How far up the graph a layer's past_key_values input is looked for. */
const MAX_TRACE_NODES = 200;
const AttributeType = onnx.AttributeProto.AttributeType;

const HIDDEN_IN_SUBGRAPH =
  'keeps its attention inside If/Loop subgraphs (other than the If on use_cache_branch of a "merged" decoder): ' +
  'export or download the plain decoder with past (e.g. onnx/model.onnx), or use the safetensors version of the model';

/** Refuses graphs whose attention cannot be reached; checked first, as it explains the other oddities of such files. */
export function refuseHiddenAttention(editor: GraphEditor): void {
  refuseSubgraphAttention(editor);
  for (const node of editor.nodes) if (isLegacyAttention(node)) readLegacySpec(node);
}

/** Finds (and where needed, switches on) each layer's attention output. `pastLayer` maps past input names to layers. */
export function exposeAttention(editor: GraphEditor, layers: number, pastLayer: Map<string, number>): AttentionTap[] {
  refuseHiddenAttention(editor);
  const fused = fusedTaps(editor, pastLayer);
  const taps = fused.length > 0 ? fused : softmaxTaps(editor, pastLayer);
  if (taps.length === 0) {
    throw new EngineError(
      'UNSUPPORTED',
      'no attention found in the ONNX graph: no Softmax feeds a MatMul and no Attention, GroupQueryAttention or ' +
        'MultiHeadAttention node is present',
    );
  }
  return assignLayers(taps, layers);
}

interface Candidate {
  value: string;
  kind: AttentionKind;
  addedOutput: string | null;
  /** The layer whose past_key_values input this attention reads, when one was found. */
  layer: number | null;
}

function softmaxTaps(editor: GraphEditor, pastLayer: Map<string, number>): Candidate[] {
  const consumers = editor.consumers();
  const producers = editor.producers();
  const found: Candidate[] = [];
  for (const node of editor.nodes) {
    if (node.opType !== 'Softmax' || (node.domain && node.domain !== 'ai.onnx')) continue;
    const probs = node.output?.[0];
    if (!probs) continue;
    const matmul = attentionMatMul(probs, consumers);
    if (!matmul) continue;
    const values = matmul.input?.[1] ?? '';
    found.push({ value: probs, kind: 'softmax', addedOutput: null, layer: traceLayer([values], producers, pastLayer) });
  }
  return found;
}

/** The MatMul that reads `value` (through casts) as its left operand: probabilities times values. */
function attentionMatMul(value: string, consumers: Map<string, onnx.INodeProto[]>): onnx.INodeProto | null {
  let frontier = [value];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const v of frontier) {
      for (const reader of consumers.get(v) ?? []) {
        if (reader.opType === 'MatMul' && reader.input?.[0] === v) return reader;
        if (reader.opType && PASS_THROUGH.has(reader.opType) && reader.output?.[0]) next.push(reader.output[0]);
      }
    }
    frontier = next;
  }
  return null;
}

function fusedTaps(editor: GraphEditor, pastLayer: Map<string, number>): Candidate[] {
  const producers = editor.producers();
  const found: Candidate[] = [];
  // A snapshot: the loop adds nodes.
  for (const node of [...editor.nodes]) {
    const inputs = (node.input ?? []).filter(Boolean);
    const tap = fusedTap(editor, node);
    if (tap) found.push({ ...tap, layer: traceLayer(inputs, producers, pastLayer) });
  }
  return found;
}

function fusedTap(editor: GraphEditor, node: onnx.INodeProto): Omit<Candidate, 'layer'> | null {
  const domain = node.domain ?? '';
  if (node.opType === 'Attention' && (domain === '' || domain === 'ai.onnx')) {
    setIntAttribute(node, 'qk_matmul_output_mode', 3);
    const probs = ensureOutput(editor, node, 3);
    return { value: probs, kind: 'Attention', addedOutput: probs };
  }
  if (node.opType === 'GroupQueryAttention' && domain === MS_DOMAIN) {
    setIntAttribute(node, 'qk_output', 2);
    const probs = ensureOutput(editor, node, 3);
    return { value: probs, kind: 'GroupQueryAttention', addedOutput: probs };
  }
  if (node.opType === 'MultiHeadAttention' && domain === MS_DOMAIN) {
    const scores = ensureOutput(editor, node, 3);
    const probs = editor.add('Softmax', [scores], 1, { axis: { int: -1 } })[0];
    return { value: probs, kind: 'MultiHeadAttention', addedOutput: scores };
  }
  if (isLegacyAttention(node)) return { value: legacyAttentionProbs(editor, node), kind: 'LegacyAttention', addedOutput: null };
  return null;
}

/** The node's output at `index`, adding it (with empty names for skipped optional outputs) when the export left it out. */
function ensureOutput(editor: GraphEditor, node: onnx.INodeProto, index: number): string {
  const outputs = [...(node.output ?? [])];
  while (outputs.length <= index) outputs.push('');
  if (!outputs[index]) outputs[index] = editor.fresh(`${node.opType ?? 'attention'}_probs`);
  node.output = outputs;
  return outputs[index];
}

function setIntAttribute(node: onnx.INodeProto, name: string, value: number): void {
  const attributes = (node.attribute ?? []).filter((a) => a.name !== name);
  attributes.push({ name, type: AttributeType.INT, i: value });
  node.attribute = attributes;
}

/** Breadth-first up the producers from `start` to the nearest past_key_values input; its layer, or null. */
function traceLayer(start: string[], producers: Map<string, onnx.INodeProto>, pastLayer: Map<string, number>): number | null {
  const seen = new Set<string>();
  let frontier = [...start];
  let visited = 0;
  while (frontier.length > 0 && visited < MAX_TRACE_NODES) {
    const next: string[] = [];
    for (const value of frontier) {
      if (seen.has(value)) continue;
      seen.add(value);
      const layer = pastLayer.get(value);
      if (layer !== undefined) return layer;
      const producer = producers.get(value);
      if (!producer) continue;
      visited++;
      next.push(...(producer.input ?? []).filter(Boolean));
    }
    frontier = next;
  }
  return null;
}

/** Layers from the past inputs when every tap found one, distinct; else graph order. */
function assignLayers(candidates: Candidate[], layers: number): AttentionTap[] {
  if (candidates.length !== layers) {
    throw new EngineError(
      'UNSUPPORTED',
      `found ${candidates.length} attention ${candidates.length === 1 ? 'block' : 'blocks'} in the ONNX graph but config.json ` +
        `says ${layers} layers; this export's attention cannot be matched to its layers`,
    );
  }
  const traced = candidates.map((c) => c.layer);
  const distinct = new Set(traced);
  const byPast = traced.every((l) => l !== null) && distinct.size === layers;
  return candidates.map((c, i) => ({
    layer: byPast && c.layer !== null ? c.layer : i,
    value: c.value,
    kind: c.kind,
    addedOutput: c.addedOutput,
  }));
}

function refuseSubgraphAttention(editor: GraphEditor): void {
  for (const node of editor.nodes) {
    for (const a of node.attribute ?? []) {
      const graphs = [...(a.g ? [a.g] : []), ...(a.graphs ?? [])];
      if (graphs.some(containsAttention)) {
        throw new EngineError('UNSUPPORTED', `this ONNX file ${HIDDEN_IN_SUBGRAPH}`);
      }
    }
  }
}

function containsAttention(graph: onnx.IGraphProto): boolean {
  return (graph.node ?? []).some(
    (n) =>
      n.opType === 'Softmax' ||
      (n.opType ?? '').endsWith('Attention') ||
      (n.attribute ?? []).some((a) => (a.g && containsAttention(a.g)) || (a.graphs ?? []).some(containsAttention)),
  );
}
