/**
 * Messages between the engine client (any thread) and the engine worker: one discriminated union per
 * direction keyed on `type`, every request carrying an id that its replies echo.
 */
import type { ErrorData } from '../shared/errors';
import type {
  GenerateOptions,
  GenerateResult,
  GenerateStep,
  InspectOptions,
  InspectResult,
  ModelInfo,
} from '../shared/types';

/** Where a model comes from; the worker caches loaded models by this key. */
export interface ModelSource {
  /** A folder holding a supported model (llama2.c, Hugging Face safetensors or ONNX). */
  dir: string;
  /** The name to show for it, when the folder's own name says nothing (a hub cache folder is a revision). */
  name?: string;
}

export type ModelInput = { text: string } | { ids: number[] };

export type WorkerRequest =
  | { type: 'load'; id: number; source: ModelSource }
  | { type: 'inspect'; id: number; source: ModelSource; input: ModelInput; options: InspectOptions }
  | { type: 'generate'; id: number; source: ModelSource; prompt: ModelInput; options: GenerateOptions }
  | { type: 'cancel'; id: number; target: number }
  | { type: 'unload'; id: number; source: ModelSource };

export type WorkerReply =
  /** The worker has begun this request (the ones before it have finished). */
  | { type: 'started'; id: number }
  | { type: 'loaded'; id: number; info: ModelInfo; loadMs: number }
  | { type: 'inspected'; id: number; result: InspectResult }
  | { type: 'step'; id: number; step: GenerateStep }
  | { type: 'generated'; id: number; result: GenerateResult }
  | { type: 'unloaded'; id: number }
  | { type: 'error'; id: number; error: ErrorData };

/**
 * The buffers of every typed array in a value, for a postMessage transfer list. Empty buffers are left out:
 * Node silently drops a whole message whose transfer list holds an already-detached buffer.
 */
export function transferablesOf(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const { buffer } = value;
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0 && !out.includes(buffer)) out.push(buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferablesOf(item, out);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) transferablesOf(item, out);
  }
  return out;
}
