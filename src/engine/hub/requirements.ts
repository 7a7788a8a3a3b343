/**
 * Whether a model can run here, decided from the hub's file list before anything large is downloaded.
 * The engine turns every weight into float32 and builds one ONNX protobuf holding them all, which
 * onnxruntime-web then copies into its WebAssembly heap. So two hard limits apply:
 * - a protobuf message is at most 2 GiB: float32 weights beyond that cannot be put in one graph;
 * - WebAssembly memory is at most 4 GiB, and a session briefly holds the graph bytes and its own copy of the
 *   weights, plus working memory: about 2x the float32 weights + 512 MiB. Measured here: a Qwen2.5-0.5B-shaped
 *   model (1.84 GiB of float32 weights, estimate 4.2 GiB) fails to create its session with bad_alloc, while a
 *   SmolLM2-135M-shaped one (0.50 GiB) loads with a peak RSS of 2.5 GB.
 */
import { EngineError } from '../../shared/errors';
import type { HubFile } from './listing';

export const PROTOBUF_LIMIT_BYTES = 2 ** 31;
export const WASM_MEMORY_LIMIT_BYTES = 4 * 2 ** 30;
const WORKING_MEMORY_BYTES = 512 * 2 ** 20;

export interface Requirement {
  /** What will be downloaded. */
  downloadBytes: number;
  /** The weights as float32, i.e. the size of the ONNX graph the engine builds. */
  float32Bytes: number;
  /** Estimated WebAssembly memory while the session is created. */
  memoryBytes: number;
}

const WEIGHT_FILE = /\.(safetensors|bin|onnx|onnx_data)$/i;

/** Bytes per stored weight, from config.json's torch_dtype (float32 when it says nothing). */
export function bytesPerWeight(torchDtype: unknown): number {
  return torchDtype === 'float16' || torchDtype === 'bfloat16' ? 2 : 4;
}

export function estimateRequirement(files: readonly HubFile[], storedBytesPerWeight: number): Requirement {
  const downloadBytes = files.reduce((n, f) => n + f.size, 0);
  const weightBytes = files.filter((f) => WEIGHT_FILE.test(f.path)).reduce((n, f) => n + f.size, 0);
  const float32Bytes = Math.round((weightBytes / storedBytesPerWeight) * 4);
  return { downloadBytes, float32Bytes, memoryBytes: 2 * float32Bytes + WORKING_MEMORY_BYTES };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The reason `model` cannot run here, or null when it fits. */
export function requirementProblem(model: string, r: Requirement): string | null {
  if (r.float32Bytes >= PROTOBUF_LIMIT_BYTES) {
    return (
      `${model} has ${formatBytes(r.float32Bytes)} of weights as float32, more than the ${formatBytes(PROTOBUF_LIMIT_BYTES)} ` +
      'one ONNX graph can hold: it is too large for this engine (pick a smaller model)'
    );
  }
  if (r.memoryBytes > WASM_MEMORY_LIMIT_BYTES) {
    return (
      `${model} needs about ${formatBytes(r.memoryBytes)} of WebAssembly memory (${formatBytes(r.float32Bytes)} of float32 ` +
      `weights, held twice while loading, plus working memory); WebAssembly is limited to ${formatBytes(WASM_MEMORY_LIMIT_BYTES)}`
    );
  }
  return null;
}

export function checkRequirement(model: string, r: Requirement): void {
  const problem = requirementProblem(model, r);
  if (problem) throw new EngineError('UNSUPPORTED', `${problem}. Nothing was downloaded.`);
}
