/**
 * In which precision a model's matrices go into the ONNX graph, and how much WebAssembly memory that takes.
 * Shared by the loaders (which decide) and the hub client (which checks a model fits before downloading it),
 * so both always agree. No imports: the extension bundle carries this file.
 *
 * Float32 matrices run fastest (onnxruntime pre-packs constant MatMul operands), so they are the default.
 * A checkpoint stored as float16/bfloat16 whose float32 form would exceed FLOAT32_WEIGHT_BUDGET keeps its
 * 16-bit matrices instead: the graph casts each to float32 just before its MatMul, so the numbers are the
 * same and only the run is slower. The weights always reach onnxruntime as external data, which it copies
 * straight into its heap: they are held there once, not also as a protobuf (measured with
 * `bench/memory.bench.ts`).
 */

/** WebAssembly (32-bit) memory can never exceed this. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 2 ** 30;

/** Above this many bytes of float32 weights, 16-bit checkpoints keep their 16-bit matrices. */
export const FLOAT32_WEIGHT_BUDGET_BYTES = 2 ** 30;

/**
 * Heap beyond the weights: onnxruntime itself, activations, the logits statistics and the attention of
 * every layer for a few hundred tokens, and, with 16-bit weights, the float32 copies a run casts (a few
 * matrices at once). `bench/memory.bench.ts` measured, after inspecting about 215 tokens: GPT-2 small 0.94 GiB
 * (estimate 1.21), Qwen2.5-0.5B 2.00 GiB (2.13), TinyLlama-1.1B 3.43 GiB (3.82).
 */
const BASE_WORKING_BYTES = 768 * 2 ** 20;
const HALF_CAST_OVERHEAD = 0.5;

export type WeightPrecision = 'float32' | 'stored16';

export interface WeightPlan {
  precision: WeightPrecision;
  /** Bytes of weights in the graph. */
  graphBytes: number;
  /** Estimated peak WebAssembly memory while the model runs. */
  memoryBytes: number;
}

/** What the engine does with `parameters` weights stored with `storedBytesPerWeight` bytes each. */
export function planWeights(parameters: number, storedBytesPerWeight: number): WeightPlan {
  const float32Bytes = parameters * 4;
  const precision: WeightPrecision =
    storedBytesPerWeight === 2 && float32Bytes > FLOAT32_WEIGHT_BUDGET_BYTES ? 'stored16' : 'float32';
  const graphBytes = precision === 'stored16' ? parameters * 2 : float32Bytes;
  const castBytes = precision === 'stored16' ? graphBytes * HALF_CAST_OVERHEAD : 0;
  return { precision, graphBytes, memoryBytes: Math.round(graphBytes + castBytes + BASE_WORKING_BYTES) };
}
