/**
 * The one module that imports onnxruntime. It owns backend settings (where the WASM files are, threads,
 * log level), turns ONNX bytes into sessions, serialises runs on a session and reports onnxruntime's own
 * failures as EngineErrors with a bounded message.
 */
import * as ort from 'onnxruntime-web';
import { pathToFileURL } from 'node:url';
import { EngineError } from '../shared/errors';
import type { OnnxGraph } from './graph/onnxBuilder';

export type Tensor = ort.Tensor;
export type Feeds = Record<string, ort.Tensor>;

export interface RuntimeOptions {
  /** Folder holding ort-wasm-simd-threaded.{mjs,wasm}; needed when the engine is bundled. */
  wasmDir?: string;
  /** WASM threads; Node supports more than one, a VS Code webview does not. */
  threads?: number;
}

let configured = false;

/**
 * onnxruntime would otherwise turn each Cast of a 16-bit weight into a float32 initializer when the session
 * is created (constant folding, and FuseFp16InitializerToFp32NodeTransformer at level 'all'), which brings
 * back the memory the 16-bit weights save: with both off a TinyLlama-shaped graph's heap holds 2.1 GiB
 * after loading instead of failing with bad_alloc. Folding stays on for small constants.
 */
const KEEP_HALF_WEIGHTS = {
  constant_folding_max_output_size_in_bytes: String(1 << 20),
  disable_specified_optimizers: 'FuseFp16InitializerToFp32NodeTransformer',
};

export function configureRuntime(options: RuntimeOptions = {}): void {
  if (options.wasmDir) {
    const base = pathToFileURL(options.wasmDir).href;
    ort.env.wasm.wasmPaths = base.endsWith('/') ? base : `${base}/`;
  }
  ort.env.wasm.numThreads = options.threads ?? 1;
  ort.env.logLevel = 'error';
  configured = true;
}

export function int64Tensor(values: ArrayLike<number>, dims: number[]): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

export function float32Tensor(data: Float32Array, dims: number[]): Tensor {
  return new ort.Tensor('float32', data, dims);
}

function runtimeError(err: unknown, what: string): EngineError {
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = (message.split('\n', 1)[0] ?? '').slice(0, 400);
  return new EngineError('RUNTIME', `onnxruntime failed to ${what}: ${firstLine}`);
}

/** A loaded ONNX graph. Runs are queued so that at most one is in flight per session. */
export class ModelSession {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly session: ort.InferenceSession) {}

  /** From a self-contained ONNX file's bytes, or a graph whose weights are external data. */
  static async create(model: Uint8Array | OnnxGraph): Promise<ModelSession> {
    if (!configured) configureRuntime();
    const graph = model instanceof Uint8Array ? { bytes: model, externalData: [], halfWeights: false } : model;
    try {
      const session = await ort.InferenceSession.create(graph.bytes, {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
        // Session logs go to stderr; failures reach the caller as errors, so only those are wanted.
        logSeverityLevel: 3,
        externalData: graph.externalData,
        ...(graph.halfWeights ? { extra: { optimization: KEEP_HALF_WEIGHTS } } : {}),
      });
      return new ModelSession(session);
    } catch (err) {
      throw runtimeError(err, 'create a session');
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the graph and returns only the outputs named in `fetches`. */
  run(feeds: Feeds, fetches: readonly string[]): Promise<Record<string, Tensor>> {
    const next = this.queue.then(async () => {
      try {
        return (await this.session.run(feeds, fetches)) as Record<string, Tensor>;
      } catch (err) {
        throw runtimeError(err, 'run the model');
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async release(): Promise<void> {
    await this.queue;
    await this.session.release();
  }
}
