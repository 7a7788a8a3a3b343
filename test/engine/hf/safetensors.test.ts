import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HfCheckpoint } from '../../../src/engine/formats/hfCheckpoint';
import { SafetensorsFile } from '../../../src/engine/formats/safetensors';
import { float32ToBf16Bits, float32ToFp16Bits, safetensorsBytes, type NamedTensor } from '../../helpers/hfWriter';
import { rejectsWith } from '../../helpers/assertions';

/** A file whose header is `header` (any JSON value) followed by `dataBytes` zero bytes. */
function rawFile(header: unknown, dataBytes: number, declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe('safetensors', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ai-safetensors-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const save = async (name: string, bytes: Uint8Array): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    return file;
  };

  const open = async (name: string, bytes: Uint8Array): Promise<SafetensorsFile> => SafetensorsFile.open(await save(name, bytes));

  it('reads F32, F16 and BF16 tensors as float32, subnormals and extremes included', async () => {
    const values = Float32Array.from([0, -0, 1, -2.5, 65504, 6.1e-5, 5.96e-8, 1e-3, 3.14159, -6e4, 1e-40, 7]);
    const tensors: NamedTensor[] = [{ name: 'x', shape: [3, 4], data: values }];
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      const file = await open(`values-${dtype}.safetensors`, safetensorsBytes(tensors, dtype));
      try {
        const read = await file.readFloat32('x');
        assert.equal(read.length, 12);
        for (let i = 0; i < values.length; i++) {
          const expected =
            dtype === 'F32'
              ? values[i]
              : dtype === 'F16'
                ? halfToNumber(float32ToFp16Bits(values[i]))
                : new Float32Array(new Uint32Array([float32ToBf16Bits(values[i]) << 16]).buffer)[0];
          assert.ok(Object.is(read[i], expected), `${dtype}[${i}]: ${read[i]} vs ${expected}`);
        }
      } finally {
        await file.close();
      }
    }
  });

  it('converts every finite fp16 bit pattern exactly', async () => {
    // All-ones exponents (infinities, NaN) are refused as damaged weights; every other pattern converts.
    const bits = new Uint16Array(65536).map((_, i) => ((i & 0x7c00) === 0x7c00 ? 0 : i));
    const header = { all: { dtype: 'F16', shape: [65536], data_offsets: [0, 131072] } };
    const bytes = rawFile(header, 131072);
    bytes.set(new Uint8Array(bits.buffer), bytes.length - 131072);
    const file = await open('all-fp16.safetensors', bytes);
    try {
      const read = await file.readFloat32('all');
      for (let i = 0; i < 65536; i++) assert.ok(Object.is(read[i], Math.fround(halfToNumber(bits[i]))), `bits ${i}`);
    } finally {
      await file.close();
    }
  });

  describe('malformed files are a clear CORRUPT_MODEL, never a crash or a hang', () => {
    const good: NamedTensor[] = [
      { name: 'a', shape: [2, 3], data: new Float32Array(6).fill(1) },
      { name: 'b', shape: [4], data: new Float32Array(4).fill(2) },
    ];

    it('a header that points past the data section', async () => {
      const header = { a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] }, b: { dtype: 'F32', shape: [4], data_offsets: [24, 40] } };
      await assert.rejects(open('past-end.safetensors', rawFile(header, 30)), rejectsWith('CORRUPT_MODEL', /b: data_offsets end at 40, past the 30-byte/));
    });

    it('offsets that disagree with dtype and shape', async () => {
      const header = { a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } };
      await assert.rejects(open('size.safetensors', rawFile(header, 24)), rejectsWith('CORRUPT_MODEL', /F32 \[2, 3\] needs 24 bytes but data_offsets give 20/));
    });

    it('overlapping tensors', async () => {
      const header = { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } };
      await assert.rejects(open('overlap.safetensors', rawFile(header, 24)), rejectsWith('CORRUPT_MODEL', /overlap/));
    });

    it('a truncated file', async () => {
      const bytes = safetensorsBytes(good, 'F32');
      await assert.rejects(open('truncated.safetensors', bytes.subarray(0, bytes.length - 10)), rejectsWith('CORRUPT_MODEL', /truncated/));
      await assert.rejects(open('header-cut.safetensors', bytes.subarray(0, 20)), rejectsWith('CORRUPT_MODEL', /header length \d+ runs past the end/));
      await assert.rejects(open('tiny.safetensors', Uint8Array.of(1, 2, 3)), rejectsWith('CORRUPT_MODEL', /too short/));
    });

    it('an absurd header length', async () => {
      await assert.rejects(open('huge.safetensors', rawFile({}, 0, 1n << 62n)), rejectsWith('CORRUPT_MODEL', /over the \d+-byte limit/));
    });

    it('a header that is not JSON, or not the right JSON', async () => {
      await assert.rejects(open('garbage.safetensors', rawFile('{"a": [1, 2', 0)), rejectsWith('CORRUPT_MODEL', /not valid JSON/));
      await assert.rejects(open('array.safetensors', rawFile([1, 2], 0)), rejectsWith('CORRUPT_MODEL', /not a JSON object/));
      await assert.rejects(
        open('dtype.safetensors', rawFile({ a: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, 4)),
        rejectsWith('CORRUPT_MODEL', /unknown dtype "F33"/),
      );
      await assert.rejects(
        open('shape.safetensors', rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4)),
        rejectsWith('CORRUPT_MODEL', /shape \[-1\]/),
      );
      await assert.rejects(
        open('offsets.safetensors', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4)),
        rejectsWith('CORRUPT_MODEL', /data_offsets \[4,0\]/),
      );
    });

    it('a weight that is infinite or NaN, named with its index', async () => {
      for (const dtype of ['F32', 'F16', 'BF16'] as const) {
        const data = Float32Array.from([1, 2, 3, NaN, 5]);
        const file = await open(`nan-${dtype}.safetensors`, safetensorsBytes([{ name: 'w', shape: [5], data }], dtype));
        try {
          await assert.rejects(file.readFloat32('w'), rejectsWith('CORRUPT_MODEL', /tensor w\[3\] is NaN/));
          // kept 16-bit for a large model, the values are checked all the same
          await assert.rejects(file.readMatrix('w', true), rejectsWith('CORRUPT_MODEL', /tensor w\[3\] is NaN/));
        } finally {
          await file.close();
        }
      }
    });

    it('a quantized tensor is refused as unsupported when read', async () => {
      const file = await open('int8.safetensors', rawFile({ q: { dtype: 'I8', shape: [4], data_offsets: [0, 4] } }, 4));
      try {
        await assert.rejects(file.readFloat32('q'), rejectsWith('UNSUPPORTED', /q is I8; only F32, F16 and BF16/));
      } finally {
        await file.close();
      }
    });
  });

  describe('sharded checkpoints', () => {
    it('checks that the index and the shards agree', async () => {
      const shardDir = await mkdtemp(path.join(tmpdir(), 'ai-shards-'));
      try {
        await writeFile(path.join(shardDir, 'part-1.safetensors'), safetensorsBytes([{ name: 'a', shape: [1], data: Float32Array.of(1) }], 'F32'));
        const index = (map: Record<string, string>): Promise<void> =>
          writeFile(path.join(shardDir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: map }));
        await index({ a: 'part-1.safetensors', b: 'part-1.safetensors' });
        await assert.rejects(HfCheckpoint.open(shardDir), rejectsWith('CORRUPT_MODEL', /puts b in part-1\.safetensors, but that shard does not hold it/));
        await index({ a: 'part-2.safetensors' });
        await assert.rejects(HfCheckpoint.open(shardDir), rejectsWith('MODEL_NOT_FOUND', /part-2\.safetensors/));
        await index({ a: '../elsewhere.safetensors' });
        await assert.rejects(HfCheckpoint.open(shardDir), rejectsWith('CORRUPT_MODEL', /not a \.safetensors file in the folder/));
        await index({ a: 'part-1.safetensors' });
        const checkpoint = await HfCheckpoint.open(shardDir);
        assert.deepEqual(Array.from(await checkpoint.readFloat32('a')), [1]);
        await checkpoint.close();
      } finally {
        await rm(shardDir, { recursive: true, force: true });
      }
    });
  });
});

/** IEEE half to number, written out independently of the engine's table. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
