/**
 * The weights of a Hugging Face model folder as one set of named tensors, whether they sit in a single
 * model.safetensors or in shards listed by model.safetensors.index.json. PyTorch pickles are refused: loading
 * one runs whatever code it carries.
 */
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EngineError } from '../../shared/errors';
import { isPickleFileName, pickleRefusal } from '../../shared/pickle';
import type { Matrix } from '../model';
import { SafetensorsFile, type TensorEntry } from './safetensors';

export { isPickleFileName, pickleRefusal };

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export class HfCheckpoint {
  private constructor(
    private readonly files: SafetensorsFile[],
    private readonly owner: Map<string, SafetensorsFile>,
  ) {}

  /** Opens the folder's safetensors weights; MODEL_NOT_FOUND / UNSUPPORTED say what is there instead. */
  static async open(dir: string): Promise<HfCheckpoint> {
    const names = await readdir(dir).catch(() => [] as string[]);
    if (names.includes(INDEX_FILE)) return HfCheckpoint.openSharded(dir);
    if (names.includes(SINGLE_FILE)) return HfCheckpoint.fromFiles([path.join(dir, SINGLE_FILE)]);
    const loose = names.filter((n) => n.endsWith('.safetensors')).sort();
    if (loose.length > 0) return HfCheckpoint.fromFiles(loose.map((n) => path.join(dir, n)));
    const pickle = names.find(isPickleFileName);
    if (pickle) throw pickleRefusal(dir, pickle);
    throw new EngineError(
      'MODEL_NOT_FOUND',
      `no weights in ${dir}: expected ${SINGLE_FILE} or ${INDEX_FILE} with its shards next to config.json`,
    );
  }

  private static async openSharded(dir: string): Promise<HfCheckpoint> {
    const indexPath = path.join(dir, INDEX_FILE);
    const weightMap = parseIndex(await readFile(indexPath, 'utf8'), indexPath);
    const shardNames = [...new Set(Object.values(weightMap))].sort();
    for (const shard of shardNames) {
      if (shard !== path.basename(shard) || !shard.endsWith('.safetensors')) {
        throw new EngineError('CORRUPT_MODEL', `${INDEX_FILE} names ${JSON.stringify(shard)}, not a .safetensors file in the folder`);
      }
    }
    const checkpoint = await HfCheckpoint.fromFiles(shardNames.map((s) => path.join(dir, s)));
    for (const [tensor, shard] of Object.entries(weightMap)) {
      const file = checkpoint.owner.get(tensor);
      if (!file || path.basename(file.file) !== shard) {
        await checkpoint.close();
        throw new EngineError('CORRUPT_MODEL', `${INDEX_FILE} puts ${tensor} in ${shard}, but that shard does not hold it`);
      }
    }
    return checkpoint;
  }

  private static async fromFiles(paths: string[]): Promise<HfCheckpoint> {
    const files: SafetensorsFile[] = [];
    const owner = new Map<string, SafetensorsFile>();
    try {
      for (const p of paths) {
        const file = await SafetensorsFile.open(p);
        files.push(file);
        for (const name of file.header.tensors.keys()) {
          const previous = owner.get(name);
          if (previous) {
            throw new EngineError('CORRUPT_MODEL', `tensor ${name} is in both ${path.basename(previous.file)} and ${path.basename(p)}`);
          }
          owner.set(name, file);
        }
      }
    } catch (err) {
      await Promise.all(files.map((f) => f.close()));
      throw err;
    }
    return new HfCheckpoint(files, owner);
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  names(): string[] {
    return [...this.owner.keys()];
  }

  entry(name: string): TensorEntry | undefined {
    return this.owner.get(name)?.header.tensors.get(name);
  }

  /** Total bytes of tensor data on disk. */
  get dataBytes(): number {
    let total = 0;
    for (const [name, file] of this.owner) {
      const e = file.header.tensors.get(name);
      if (e) total += e.end - e.start;
    }
    return total;
  }

  readFloat32(name: string): Promise<Float32Array> {
    return this.fileOf(name).readFloat32(name);
  }

  /** See SafetensorsFile.readMatrix. */
  readMatrix(name: string, keepHalf: boolean): Promise<Matrix> {
    return this.fileOf(name).readMatrix(name, keepHalf);
  }

  /**
   * Parameters in all tensors, and the bytes each takes on average: 2 for a 16-bit checkpoint even when a few
   * small tensors (norms) are float32, as config.json's torch_dtype says for it (the hub's size check).
   */
  parameterCount(): { parameters: number; storedBytesPerWeight: 2 | 4 } {
    let parameters = 0;
    for (const [name, file] of this.owner) {
      const e = file.header.tensors.get(name);
      if (e) parameters += e.shape.reduce((n, d) => n * d, 1);
    }
    return { parameters, storedBytesPerWeight: this.dataBytes < 3 * parameters ? 2 : 4 };
  }

  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.close()));
  }

  private fileOf(name: string): SafetensorsFile {
    const file = this.owner.get(name);
    if (!file) throw new EngineError('CORRUPT_MODEL', `the weights have no tensor named ${name}`);
    return file;
  }
}

function parseIndex(text: string, file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EngineError('CORRUPT_MODEL', `${file} is not valid JSON`);
  }
  const map = typeof parsed === 'object' && parsed !== null && 'weight_map' in parsed ? parsed.weight_map : undefined;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new EngineError('CORRUPT_MODEL', `${file} has no "weight_map" object`);
  }
  const out: Record<string, string> = {};
  for (const [tensor, shard] of Object.entries(map)) {
    if (typeof shard !== 'string') throw new EngineError('CORRUPT_MODEL', `${file}: shard of ${tensor} is not a file name`);
    out[tensor] = shard;
  }
  return out;
}
