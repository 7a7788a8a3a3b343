/**
 * Small edits on a decoded third-party ONNX graph: look up who produces and who reads a value, rename
 * values, add nodes, constants, inputs and outputs under names that cannot collide with the graph's own.
 * Unlike graph/onnxBuilder.ts (which builds our graphs from nothing at our opset), every helper here that
 * depends on the opset asks the graph which one it uses: a file exported at opset 14 must stay valid at 14.
 */
import { onnx } from 'onnx-proto';

const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

/** int64 fields decode as Long objects when protobufjs finds the long package; plain numbers otherwise. */
export type IntLike = number | { toNumber(): number };

export function toNumber(value: IntLike | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export type AttributeSpec =
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { tensor: onnx.ITensorProto };

function attribute(name: string, spec: AttributeSpec): onnx.IAttributeProto {
  if ('int' in spec) return { name, type: AttributeType.INT, i: spec.int };
  if ('ints' in spec) return { name, type: AttributeType.INTS, ints: spec.ints };
  if ('float' in spec) return { name, type: AttributeType.FLOAT, f: spec.float };
  return { name, type: AttributeType.TENSOR, t: spec.tensor };
}

export function int64Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return bytes;
}

export class GraphEditor {
  readonly graph: onnx.IGraphProto;
  /** The default domain's opset the file was exported at. */
  readonly opset: number;
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly model: onnx.IModelProto) {
    if (!model.graph) throw new Error('model without a graph');
    this.graph = model.graph;
    this.graph.node ??= [];
    this.graph.input ??= [];
    this.graph.output ??= [];
    this.graph.initializer ??= [];
    const imports = model.opsetImport ?? [];
    this.opset = toNumber(imports.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
    for (const n of this.graph.node) for (const name of [...(n.input ?? []), ...(n.output ?? [])]) this.names.add(name);
    for (const v of [...this.graph.input, ...this.graph.output]) if (v.name) this.names.add(v.name);
    for (const t of this.graph.initializer) if (t.name) this.names.add(t.name);
  }

  get nodes(): onnx.INodeProto[] {
    return this.graph.node ?? [];
  }

  /** A name no value of the graph has; `base` is kept readable in the result. */
  fresh(base: string): string {
    let name = `ai_inspector/${base}`;
    while (this.names.has(name)) name = `ai_inspector/${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Value name -> the node producing it. */
  producers(): Map<string, onnx.INodeProto> {
    const map = new Map<string, onnx.INodeProto>();
    for (const n of this.nodes) for (const o of n.output ?? []) if (o) map.set(o, n);
    return map;
  }

  /** Value name -> the nodes reading it. */
  consumers(): Map<string, onnx.INodeProto[]> {
    const map = new Map<string, onnx.INodeProto[]>();
    for (const n of this.nodes) {
      for (const i of n.input ?? []) {
        if (!i) continue;
        const list = map.get(i);
        if (list) list.push(n);
        else map.set(i, [n]);
      }
    }
    return map;
  }

  /** Makes every node that reads `from` read `to` instead. */
  redirectReaders(from: string, to: string): void {
    for (const n of this.nodes) n.input = (n.input ?? []).map((i) => (i === from ? to : i));
    this.names.add(to);
  }

  /** Renames a value a node produces, in the producer, its readers and the graph outputs. */
  renameValue(from: string, to: string): void {
    for (const n of this.nodes) {
      n.input = (n.input ?? []).map((i) => (i === from ? to : i));
      n.output = (n.output ?? []).map((o) => (o === from ? to : o));
    }
    for (const o of this.graph.output ?? []) if (o.name === from) o.name = to;
    this.names.add(to);
  }

  /** Appends a node; its outputs are fresh unless named. */
  add(opType: string, inputs: string[], outputs: string[] | number = 1, attributes: Record<string, AttributeSpec> = {}, domain = ''): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    for (const o of outs) this.names.add(o);
    this.nodes.push({
      name: this.fresh(`${opType}_node`),
      opType,
      domain,
      input: inputs,
      output: outs,
      attribute: Object.entries(attributes).map(([name, spec]) => attribute(name, spec)),
    });
    return outs;
  }

  /** Puts a node first (nodes that compute graph inputs' stand-ins must precede their readers). */
  prepend(node: onnx.INodeProto): void {
    this.nodes.unshift(node);
  }

  int64(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('const');
    this.graph.initializer?.push({ name, dataType: DataType.INT64, dims, rawData: int64Bytes(values) });
    return name;
  }

  float32(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('const');
    this.graph.initializer?.push({ name, dataType: DataType.FLOAT, dims, rawData: new Uint8Array(Float32Array.from(values).buffer) });
    return name;
  }

  /** Unsqueeze: axes are an attribute before opset 13, an input from 13 on. */
  unsqueeze(x: string, axes: number[]): string {
    if (this.opset >= 13) return this.add('Unsqueeze', [x, this.int64(axes)])[0];
    return this.add('Unsqueeze', [x], 1, { axes: { ints: axes } })[0];
  }

  /** A Reduce* op over the last axis, keeping it: axes moved from attribute to input at 13 (ReduceSum) or 18 (the rest). */
  reduceLast(op: 'ReduceSum' | 'ReduceLogSumExp', x: string, output?: string): string {
    const axesAsInput = op === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    const outs = output ? [output] : 1;
    if (axesAsInput) return this.add(op, [x, this.int64([-1])], outs, { keepdims: { int: 1 } })[0];
    return this.add(op, [x], outs, { axes: { ints: [-1] }, keepdims: { int: 1 } })[0];
  }

  /** dims [index] of x's shape, as a 1-D int64 tensor of one element (Shape's start/end need opset 15). */
  dim(x: string, index: number): string {
    const shape = this.add('Shape', [x])[0];
    return this.add('Gather', [shape, this.int64([index])], 1, { axis: { int: 0 } })[0];
  }

  /** dims [index] of x's shape as an int64 scalar (for Range and scalar arithmetic). */
  scalarDim(x: string, index: number): string {
    const shape = this.add('Shape', [x])[0];
    return this.add('Gather', [shape, this.int64([index], [])], 1, { axis: { int: 0 } })[0];
  }

  cast(x: string, to: number, output?: string): string {
    return this.add('Cast', [x], output ? [output] : 1, { to: { int: to } })[0];
  }
}

export function tensorElemType(value: onnx.IValueInfoProto | undefined): number | null {
  return value?.type?.tensorType?.elemType ?? null;
}

export function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
