/**
 * safetensors files (model.safetensors, or shards listed by model.safetensors.index.json): an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype, shape and [begin, end) byte range in
 * the data section that follows, then the data. Nothing in the file is trusted: the header's length, every
 * tensor's range and its agreement with dtype and shape are checked before any byte is read, and tensors are
 * read one at a time through a file handle, so a model is never held twice in memory.
 */
import { open, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import { matrixFloat32, type HalfMatrix, type Matrix } from '../model';
import { bf16ToFloat32, firstNonFinite, firstNonFiniteHalf, fp16ToFloat32 } from './halfFloat';

/** Hugging Face's own reader refuses headers over 100 MB; real ones are a few hundred KB. */
const MAX_HEADER_BYTES = 100_000_000;
const LENGTH_PREFIX_BYTES = 8;

/** Bytes per element of every dtype the format defines; only F32, F16 and BF16 can be read as weights. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

export type FloatDtype = 'F32' | 'F16' | 'BF16';

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  start: number;
  end: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

function corrupt(file: string, detail: string): EngineError {
  return new EngineError('CORRUPT_MODEL', `${path.basename(file)}: ${detail}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses and checks a header. `headerJson` is the JSON text, `fileSize` the whole file's size; every tensor
 * must lie inside the data section, hold exactly shape x dtype bytes and overlap no other tensor.
 */
export function parseSafetensorsHeader(headerJson: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerJson));
  } catch {
    throw corrupt(file, 'the header is not valid JSON (not a safetensors file, or a damaged one)');
  }
  if (!isRecord(parsed)) throw corrupt(file, 'the header is not a JSON object');
  const dataStart = LENGTH_PREFIX_BYTES + headerJson.byteLength;
  const dataSize = fileSize - dataStart;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      metadata = readMetadata(value, file);
      continue;
    }
    tensors.set(name, readEntry(name, value, dataStart, dataSize, file));
  }
  checkNoOverlap([...tensors.values()], file);
  return { tensors, metadata };
}

function readMetadata(value: unknown, file: string): Record<string, string> {
  if (!isRecord(value)) throw corrupt(file, '__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

function readEntry(name: string, value: unknown, dataStart: number, dataSize: number, file: string): TensorEntry {
  if (!isRecord(value)) throw corrupt(file, `tensor ${name}: its header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    throw corrupt(file, `tensor ${name}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw corrupt(file, `tensor ${name}: shape ${JSON.stringify(shape)} is not a list of sizes`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw corrupt(file, `tensor ${name}: data_offsets ${JSON.stringify(offsets)} is not a [begin, end] pair`);
  }
  const [begin, end] = offsets as [number, number];
  const expected = shape.reduce((n: number, d: number) => n * d, 1) * DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    throw corrupt(
      file,
      `tensor ${name}: ${dtype} [${shape.join(', ')}] needs ${expected} bytes but data_offsets give ${end - begin}`,
    );
  }
  if (end > dataSize) {
    throw corrupt(file, `tensor ${name}: data_offsets end at ${end}, past the ${dataSize}-byte data section (truncated file?)`);
  }
  return { name, dtype, shape: [...shape], start: dataStart + begin, end: dataStart + end };
}

function checkNoOverlap(entries: TensorEntry[], file: string): void {
  const sorted = entries.filter((e) => e.end > e.start).sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) {
      throw corrupt(file, `tensors ${sorted[i - 1].name} and ${sorted[i].name} overlap in the data section`);
    }
  }
}

/** One open .safetensors file. Close it when done. */
export class SafetensorsFile {
  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    readonly header: SafetensorsHeader,
  ) {}

  static async open(file: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      throw new EngineError('MODEL_NOT_FOUND', `cannot open ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      const header = await readHeader(handle, file);
      return new SafetensorsFile(file, handle, header);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  /**
   * The tensor's values as float32 (converted from F16/BF16). EngineError when it is missing, of another
   * dtype, or holds an infinity or NaN (a damaged file: the model would compute nothing but NaN).
   */
  async readFloat32(name: string): Promise<Float32Array> {
    const entry = this.header.tensors.get(name);
    if (!entry) throw corrupt(this.file, `no tensor named ${name}`);
    const bytes = entry.end - entry.start;
    switch (entry.dtype) {
      case 'F32': {
        const out = new Float32Array(bytes / 4);
        await this.readInto(new Uint8Array(out.buffer), entry);
        if (!LITTLE_ENDIAN_HOST) swapBytes(new Uint8Array(out.buffer), 4);
        return this.finite(name, { data: out, firstNonFinite: firstNonFinite(out) });
      }
      case 'F16':
      case 'BF16': {
        const raw = await this.readBits(entry);
        return this.finite(name, entry.dtype === 'F16' ? fp16ToFloat32(raw) : bf16ToFloat32(raw));
      }
      default:
        throw new EngineError(
          'UNSUPPORTED',
          `${path.basename(this.file)}: tensor ${name} is ${entry.dtype}; only F32, F16 and BF16 weights can be loaded (quantized checkpoints are not supported)`,
        );
    }
  }

  /**
   * The tensor as a Matrix: with `keepHalf`, F16/BF16 tensors keep their 16-bit values (checked finite, not
   * converted); anything else is read as readFloat32 reads it.
   */
  async readMatrix(name: string, keepHalf: boolean): Promise<Matrix> {
    const entry = this.header.tensors.get(name);
    if (!keepHalf || !entry || (entry.dtype !== 'F16' && entry.dtype !== 'BF16')) return this.readFloat32(name);
    const half: HalfMatrix = { dtype: entry.dtype === 'F16' ? 'float16' : 'bfloat16', bits: await this.readBits(entry) };
    const at = firstNonFiniteHalf(half.bits, half.dtype);
    if (at >= 0) throw corrupt(this.file, `tensor ${name}[${at}] is ${matrixFloat32({ ...half, bits: half.bits.subarray(at, at + 1) })[0]}`);
    return half;
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private async readBits(entry: TensorEntry): Promise<Uint16Array> {
    const raw = new Uint16Array((entry.end - entry.start) / 2);
    await this.readInto(new Uint8Array(raw.buffer), entry);
    if (!LITTLE_ENDIAN_HOST) swapBytes(new Uint8Array(raw.buffer), 2);
    return raw;
  }

  private finite(name: string, converted: { data: Float32Array; firstNonFinite: number }): Float32Array {
    const at = converted.firstNonFinite;
    if (at >= 0) throw corrupt(this.file, `tensor ${name}[${at}] is ${converted.data[at]}`);
    return converted.data;
  }

  private async readInto(target: Uint8Array, entry: TensorEntry): Promise<void> {
    let done = 0;
    while (done < target.byteLength) {
      const { bytesRead } = await this.handle.read(target, done, target.byteLength - done, entry.start + done);
      if (bytesRead === 0) throw corrupt(this.file, `tensor ${entry.name}: the file ends inside its data (truncated)`);
      done += bytesRead;
    }
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

async function readHeader(handle: FileHandle, file: string): Promise<SafetensorsHeader> {
  const { size } = await handle.stat();
  if (size < LENGTH_PREFIX_BYTES) throw corrupt(file, `only ${size} bytes: too short for a safetensors file`);
  const prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  await handle.read(prefix, 0, LENGTH_PREFIX_BYTES, 0);
  const headerLength = prefix.readBigUInt64LE(0);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw corrupt(file, `header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  }
  const length = Number(headerLength);
  if (LENGTH_PREFIX_BYTES + length > size) {
    throw corrupt(file, `header length ${length} runs past the end of the ${size}-byte file (truncated?)`);
  }
  const json = Buffer.alloc(length);
  const { bytesRead } = await handle.read(json, 0, length, LENGTH_PREFIX_BYTES);
  if (bytesRead !== length) throw corrupt(file, 'the file ends inside its header (truncated)');
  return parseSafetensorsHeader(json, size, file);
}
