/**
 * onnxruntime-transformers' GPT-2 exports keep each layer's cache as one stacked tensor, past_{i} in and
 * present_{i} out, [2, batch, heads, length, head_size] with the keys at 0 and the values at 1. This turns
 * them into the separate past_key_values.{i}.key/value inputs and present.{i}.key/value outputs that
 * wrapDecoder.ts rewires, stacking and unstacking inside the graph.
 */
import { onnx } from 'onnx-proto';
import { EngineError } from '../../shared/errors';
import type { GraphEditor } from './graphEditor';

const STACKED_PAST = /^past[._](\d+)$/;
const STACKED_PRESENT = /^present[._](\d+)$/;

export function splitStackedCache(editor: GraphEditor): void {
  const before = editor.nodes.length;
  editor.graph.input = (editor.graph.input ?? []).flatMap((input) => {
    const layer = STACKED_PAST.exec(input.name ?? '')?.[1];
    if (layer === undefined) return [input];
    const [key, value] = halves(editor, input, `past_key_values.${layer}`);
    const parts = [key, value].map((half) => editor.unsqueeze(half.name ?? '', [0]));
    editor.add('Concat', parts, [input.name ?? ''], { axis: { int: 0 } });
    return [key, value];
  });
  // The stacks are built from the new inputs, ahead of every reader.
  editor.nodes.unshift(...editor.nodes.splice(before));
  editor.graph.output = (editor.graph.output ?? []).flatMap((output) => {
    const layer = STACKED_PRESENT.exec(output.name ?? '')?.[1];
    if (layer === undefined) return [output];
    const halvesOut = halves(editor, output, `present.${layer}`);
    halvesOut.forEach((half, index) => {
      editor.add('Gather', [output.name ?? '', editor.int64([index], [])], [half.name ?? ''], { axis: { int: 0 } });
    });
    return halvesOut;
  });
}

/** Value infos `${base}.key` and `${base}.value`: the stacked value's type less its leading 2. */
function halves(editor: GraphEditor, stacked: onnx.IValueInfoProto, base: string): onnx.IValueInfoProto[] {
  const tensorType = stacked.type?.tensorType;
  const dims = tensorType?.shape?.dim;
  if (dims && dims.length !== 5) {
    throw new EngineError('UNSUPPORTED', `the ONNX graph's ${stacked.name} has ${dims.length} dims; a stacked cache is [2, batch, heads, length, head_size]`);
  }
  return ['key', 'value'].map((kind) => {
    const name = `${base}.${kind}`;
    if (editor.has(name)) throw new EngineError('CORRUPT_MODEL', `the ONNX graph has both ${stacked.name} and ${name}`);
    const shape = dims ? { dim: dims.slice(1) } : null;
    return { name, type: { tensorType: { elemType: tensorType?.elemType ?? null, shape } } };
  });
}
