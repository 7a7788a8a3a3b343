/**
 * Whether a model can run here, decided from the hub's file list before anything large is downloaded.
 * WebAssembly memory is at most 4 GiB, and onnxruntime-web holds every weight in it:
 * - safetensors checkpoints become a graph built by the engine, whose weights are passed as external data
 *   and held once; large 16-bit checkpoints keep 16-bit matrices (weightPrecision.ts, the loader's rule);
 * - an ONNX file is read whole, so its bytes and the initializers parsed from them are both in memory while
 *   the session is created: about twice the file; its external data file (.onnx_data) is held once.
 */
import { EngineError } from '../../shared/errors';
import { planWeights, WASM_MEMORY_LIMIT_BYTES, type WeightPrecision } from '../weightPrecision';
import type { HubFile } from './listing';

export { WASM_MEMORY_LIMIT_BYTES } from '../weightPrecision';

/** Measured here on an ONNX file and its session: protobuf bytes plus initializers, plus working memory. */
const ONNX_FILE_COPIES = 2;
const ONNX_WORKING_BYTES = 512 * 2 ** 20;

export interface Requirement {
  /** What will be downloaded. */
  downloadBytes: number;
  /** How the weights are held: float32, 16-bit as stored, or an ONNX file as it is. */
  precision: WeightPrecision | 'onnx';
  /** Bytes of weights the session holds. */
  weightBytes: number;
  /** Estimated peak WebAssembly memory. */
  memoryBytes: number;
}

const WEIGHT_FILE = /\.(safetensors|bin|onnx|onnx_data)$/i;
const ONNX_FILE = /\.(onnx|onnx_data)$/i;
const ONNX_PROTOBUF = /\.onnx$/i;

/** Bytes per stored weight, from config.json's torch_dtype (float32 when it says nothing). */
export function bytesPerWeight(torchDtype: unknown): number {
  return torchDtype === 'float16' || torchDtype === 'bfloat16' ? 2 : 4;
}

export function estimateRequirement(files: readonly HubFile[], storedBytesPerWeight: number): Requirement {
  const downloadBytes = files.reduce((n, f) => n + f.size, 0);
  const weights = files.filter((f) => WEIGHT_FILE.test(f.path));
  const fileBytes = weights.reduce((n, f) => n + f.size, 0);
  if (weights.some((f) => ONNX_FILE.test(f.path))) {
    const inline = weights.filter((f) => ONNX_PROTOBUF.test(f.path)).reduce((n, f) => n + f.size, 0);
    const memoryBytes = ONNX_FILE_COPIES * inline + (fileBytes - inline) + ONNX_WORKING_BYTES;
    return { downloadBytes, precision: 'onnx', weightBytes: fileBytes, memoryBytes };
  }
  const plan = planWeights(fileBytes / storedBytesPerWeight, storedBytesPerWeight);
  return { downloadBytes, precision: plan.precision, weightBytes: plan.graphBytes, memoryBytes: plan.memoryBytes };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

const HELD_AS: Readonly<Record<Requirement['precision'], string>> = {
  float32: 'as float32',
  stored16: 'kept 16-bit',
  onnx: 'from its ONNX file',
};

/** The reason `model` cannot run here, or null when it fits. */
export function requirementProblem(model: string, r: Requirement): string | null {
  if (r.memoryBytes <= WASM_MEMORY_LIMIT_BYTES) return null;
  return (
    `${model} needs about ${formatBytes(r.memoryBytes)} of WebAssembly memory (${formatBytes(r.weightBytes)} of weights ` +
    `${HELD_AS[r.precision]}, plus working memory); WebAssembly is limited to ${formatBytes(WASM_MEMORY_LIMIT_BYTES)}`
  );
}

export function checkRequirement(model: string, r: Requirement): void {
  const problem = requirementProblem(model, r);
  if (problem) throw new EngineError('UNSUPPORTED', `${problem}. Nothing was downloaded.`);
}
