/**
 * A minimal way to write ONNX graphs node by node for the import tests (hfOnnxGraphs.ts, onnxOptimizedGpt2.ts):
 * plain node lists, numbered value names, initializers from typed arrays. Deliberately not the engine's
 * graph/onnxBuilder.ts, so that the files under test are not shaped by the code that reads them.
 */
import { onnx } from 'onnx-proto';

export const T = onnx.TensorProto.DataType;
export const A = onnx.AttributeProto.AttributeType;
export const MS = 'com.microsoft';

export class Graph {
  nodes: onnx.INodeProto[] = [];
  initializers: onnx.ITensorProto[] = [];
  private n = 0;

  constructor(readonly opset: number) {}

  /** Outputs are named as given, else numbered (`outputs` of them). */
  op(opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = [], output?: string | string[], outputs = 1): string[] {
    const outs = output ? [output].flat() : Array.from({ length: outputs }, () => this.fresh());
    this.nodes.push({ opType, input: inputs, output: outs, attribute: attrs, name: `n${this.n++}` });
    return outs;
  }

  one(opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = [], output?: string): string {
    return this.op(opType, inputs, attrs, output)[0];
  }

  /** A value name not used yet. */
  fresh(): string {
    return `v${this.n++}`;
  }

  /** The last node added, e.g. to set its domain. */
  get last(): onnx.INodeProto {
    return this.nodes[this.nodes.length - 1];
  }

  floats(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({ name, dataType: T.FLOAT, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  ints(values: number[]): string {
    const name = `c${this.n++}`;
    this.initializers.push({ name, dataType: T.INT64, dims: [values.length], rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) });
    return name;
  }

  scalar(value: number): string {
    const name = `s${this.n++}`;
    this.initializers.push({ name, dataType: T.FLOAT, dims: [], rawData: new Uint8Array(Float32Array.of(value).buffer) });
    return name;
  }
}

export const int = (name: string, i: number): onnx.IAttributeProto => ({ name, type: A.INT, i });
export const ints = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: A.INTS, ints: values });
export const float = (name: string, f: number): onnx.IAttributeProto => ({ name, type: A.FLOAT, f });

export function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}
