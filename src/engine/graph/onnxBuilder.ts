/**
 * A small typed builder for ONNX graphs over onnx-proto (ModelProto, IR 9, default-domain opset 20). The
 * transformer pieces built with it live in decoderBlocks.ts.
 */
import { onnx } from 'onnx-proto';
import { EngineError } from '../../shared/errors';
import { isHalf, matrixLength, type Matrix } from '../model';

export const IR_VERSION = 9;
export const OPSET_VERSION = 20;
export const PRODUCER_NAME = 'attention-inspector';

export type ElementType = 'float32' | 'int64' | 'bool';
/** A numeric dimension or a symbolic one (dim_param). */
export type Dim = number | string;

export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: onnx.ITensorProto };

export type Attributes = Readonly<Record<string, AttributeValue>>;

/** Attribute constructors: ONNX distinguishes int and float attributes, which JS numbers cannot. */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  tensor: (value: onnx.ITensorProto): AttributeValue => ({ kind: 'tensor', value }),
};

const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

const ELEMENT_DATA_TYPE: Readonly<Record<ElementType, onnx.TensorProto.DataType>> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  bool: DataType.BOOL,
};

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** ONNX raw_data is little-endian: on such hosts the bytes are a view of the array, so weights are not copied. */
function littleEndianBytes(data: Float32Array | Uint16Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i], true);
    else view.setUint16(i * 2, data[i], true);
  }
  return bytes;
}

/** A tensor's bytes kept outside the protobuf, under the name its initializer's `location` gives. */
export interface ExternalData {
  path: string;
  data: Uint8Array;
}

/** An ONNX model: the protobuf, and the initializer data it refers to by location. */
export interface OnnxGraph {
  bytes: Uint8Array;
  externalData: ExternalData[];
  /** Some matrices are 16-bit and cast where used: onnxruntime must not fold the casts (runtime.ts). */
  halfWeights: boolean;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return bytes;
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

function attributeProto(name: string, value: AttributeValue): onnx.IAttributeProto {
  switch (value.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: value.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: value.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: [...value.value] };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.value) };
    case 'tensor':
      return { name, type: AttributeType.TENSOR, t: value.value };
  }
}

function valueInfo(name: string, type: ElementType, dims: readonly Dim[]): onnx.IValueInfoProto {
  const dim = dims.map((d): onnx.TensorShapeProto.IDimension =>
    typeof d === 'number' ? { dimValue: d } : { dimParam: d },
  );
  return { name, type: { tensorType: { elemType: ELEMENT_DATA_TYPE[type], shape: { dim } } } };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  /** Every value name defined so far (inputs, initializers, node outputs). */
  private readonly defined = new Set<string>();
  private readonly constantCache = new Map<string, string>();
  /** Initializers holding 16-bit floats. */
  private readonly halfValues = new Set<string>();
  /** Initializers added as weights (addInitializer), the ones that may become external data. */
  private readonly weightNames = new Set<string>();
  /** Next suffix to try per base name, so naming stays linear in the graph size. */
  private readonly suffixes = new Map<string, number>();

  constructor(private readonly graphName: string) {}

  /** `base` when no value has that name yet, else `base_1`, `base_2`, ... */
  uniqueName(base: string): string {
    if (!this.defined.has(base)) return base;
    for (let n = this.suffixes.get(base) ?? 1; ; n++) {
      const candidate = `${base}_${n}`;
      if (!this.defined.has(candidate)) {
        this.suffixes.set(base, n + 1);
        return candidate;
      }
    }
  }

  addInput(name: string, type: ElementType, dims: readonly Dim[]): string {
    this.define(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares a graph output; some node must produce `name` before toBytes(). */
  addOutput(name: string, type: ElementType, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /**
   * A weight stored as raw_data in its own precision; the array is referenced, not copied. Returns the
   * initializer's name: read 16-bit ones through asFloat32() (or gatherRows()), never directly.
   */
  addInitializer(baseName: string, data: Matrix, dims: readonly number[]): string {
    if (matrixLength(data) !== elementCount(dims)) {
      const shape = dims.join(', ');
      throw new EngineError('CORRUPT_MODEL', `initializer ${baseName}: ${matrixLength(data)} values do not fill [${shape}]`);
    }
    const name = this.define(this.uniqueName(baseName));
    this.weightNames.add(name);
    if (isHalf(data)) {
      this.halfValues.add(name);
      const dataType = data.dtype === 'float16' ? DataType.FLOAT16 : DataType.BFLOAT16;
      this.initializers.push({ name, dataType, dims: [...dims], rawData: littleEndianBytes(data.bits) });
    } else {
      this.initializers.push({ name, dataType: DataType.FLOAT, dims: [...dims], rawData: littleEndianBytes(data) });
    }
    return name;
  }

  /** A weight as a float32 value: the initializer itself, or a Cast of a 16-bit one added at this point. */
  weight(baseName: string, data: Matrix, dims: readonly number[]): string {
    return this.asFloat32(this.addInitializer(baseName, data, dims));
  }

  /**
   * `value` as float32. A 16-bit value gets a Cast here, so a graph that asks right before each use holds
   * only the float32 copies in flight, not all of them.
   */
  asFloat32(value: string): string {
    if (!this.halfValues.has(value)) return value;
    return this.op('Cast', [value], { to: attr.int(DataType.FLOAT) });
  }

  /** Rows `indices` of a [rows, cols] table as float32: a 16-bit table is cast after the Gather, not before. */
  gatherRows(table: string, indices: string): string {
    const rows = this.op('Gather', [table, indices]);
    return this.halfValues.has(table) ? this.op('Cast', [rows], { to: attr.int(DataType.FLOAT) }) : rows;
  }

  /** An int64 constant (shapes, axes, sizes); equal constants are shared. `dims` [] makes a scalar. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.cachedConstant('i64', values, dims, (name) => ({
      name,
      dataType: DataType.INT64,
      dims: [...dims],
      rawData: int64Bytes(values),
    }));
  }

  /** A float32 constant; a single number makes a scalar. Equal constants are shared. */
  float32(values: number | readonly number[], dims?: readonly number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const shape = dims ?? (typeof values === 'number' ? [] : [list.length]);
    return this.cachedConstant('f32', list, shape, (name) => ({
      name,
      dataType: DataType.FLOAT,
      dims: [...shape],
      rawData: littleEndianBytes(Float32Array.from(list)),
    }));
  }

  /**
   * Adds a node with one output and returns the output's name: `output` exactly when given (graph outputs
   * need their exact names), else a fresh name derived from the op type.
   */
  op(opType: string, inputs: readonly string[], attributes: Attributes = {}, output?: string): string {
    const name = output ?? this.uniqueName(opType.toLowerCase());
    this.addNode(opType, inputs, [name], attributes);
    return name;
  }

  /** Adds a node with `count` outputs (e.g. Split) and returns their fresh names. */
  multiOp(opType: string, inputs: readonly string[], count: number, attributes: Attributes = {}): string[] {
    const names: string[] = [];
    for (let i = 0; i < count; i++) names.push(this.define(this.uniqueName(`${opType.toLowerCase()}_out`)));
    this.pushNode(opType, inputs, names, attributes);
    return names;
  }

  addNode(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Attributes = {}): void {
    for (const output of outputs) this.define(output);
    this.pushNode(opType, inputs, outputs, attributes);
  }

  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.int64(shape)]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.op('Transpose', [x], { perm: attr.ints(perm) });
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.int64(axes)]);
  }

  concat(inputs: readonly string[], axis: number, output?: string): string {
    return this.op('Concat', inputs, { axis: attr.int(axis) }, output);
  }

  split(x: string, sizes: readonly number[], axis: number): string[] {
    return this.multiOp('Split', [x, this.int64(sizes)], sizes.length, { axis: attr.int(axis) });
  }

  /** The dims [start, end) of x's shape as a 1-D int64 tensor. */
  shapeSlice(x: string, start: number, end: number): string {
    return this.op('Shape', [x], { start: attr.int(start), end: attr.int(end) });
  }

  /** The model with every initializer inside the protobuf (which caps it at 2 GiB). */
  toBytes(): Uint8Array {
    return this.build(Infinity).bytes;
  }

  /**
   * The model with each weight of at least `externalMinBytes` bytes moved to external data (one entry per
   * tensor, viewing the weight arrays: nothing is copied), so the protobuf stays small whatever the model's
   * size and onnxruntime copies each weight into its heap exactly once. Shape constants always stay inline:
   * onnxruntime's shape inference reads them before any external data is loaded.
   */
  build(externalMinBytes: number): OnnxGraph {
    const externalData: ExternalData[] = [];
    const initializer = this.initializers.map((tensor): onnx.ITensorProto => {
      const raw = tensor.rawData;
      if (!raw || raw.byteLength < externalMinBytes || !this.weightNames.has(tensor.name ?? '')) return tensor;
      const location = `${externalData.length}.weight`;
      externalData.push({ path: location, data: raw });
      const { rawData: _inline, ...rest } = tensor;
      return {
        ...rest,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: '0' },
          { key: 'length', value: String(raw.byteLength) },
        ],
      };
    });
    return { bytes: this.encode(initializer), externalData, halfWeights: this.halfValues.size > 0 };
  }

  private encode(initializer: onnx.ITensorProto[]): Uint8Array {
    for (const output of this.outputs) {
      if (!output.name || !this.defined.has(output.name)) {
        throw new EngineError('INTERNAL', `graph output ${output.name} is never produced`);
      }
    }
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: PRODUCER_NAME,
      opsetImport: [{ domain: '', version: OPSET_VERSION }],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }

  private define(name: string): string {
    if (this.defined.has(name)) throw new EngineError('INTERNAL', `value ${name} is defined twice`);
    this.defined.add(name);
    return name;
  }

  private pushNode(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Attributes,
  ): void {
    // Checking here reports a wiring mistake at its source rather than as an opaque onnxruntime load error.
    for (const input of inputs) {
      if (input !== '' && !this.defined.has(input)) {
        throw new EngineError('INTERNAL', `${opType} reads undefined value ${input}`);
      }
    }
    this.nodes.push({
      name: `${opType}_${this.nodes.length}`,
      opType,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attributes).map(([name, value]) => attributeProto(name, value)),
    });
  }

  private cachedConstant(
    kind: string,
    values: readonly number[],
    dims: readonly number[],
    make: (name: string) => onnx.ITensorProto,
  ): string {
    if (values.length !== elementCount(dims)) {
      throw new EngineError('INTERNAL', `constant of ${values.length} values for dims [${dims.join(', ')}]`);
    }
    const key = `${kind}[${dims.join(',')}]${values.join(',')}`;
    const cached = this.constantCache.get(key);
    if (cached) return cached;
    const name = this.define(this.uniqueName(`const_${kind}`));
    this.initializers.push(make(name));
    this.constantCache.set(key, name);
    return name;
  }
}

// ---- Decoder pieces shared by the family builders ----
