/**
 * The typed front door to the engine worker, usable from any thread (the extension host, the CLI, tests).
 * It imports no onnxruntime and runs no model: every request goes to the worker and comes back as a
 * promise. Cancellation rejects at once; a worker stuck in a forward pass of the cancelled run is replaced
 * after a grace period, and the requests queued behind it are replayed on the new worker. A worker that
 * crashes is replaced on the next request and the requests it held fail with WORKER_CRASHED.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { EngineError, fromErrorData } from '../shared/errors';
import type {
  GenerateOptions,
  GenerateResult,
  GenerateStep,
  InspectOptions,
  InspectResult,
  ModelInfo,
} from '../shared/types';
import type { ModelInput, ModelSource, WorkerReply, WorkerRequest } from './workerProtocol';

export interface EngineClientOptions {
  /** Path of the bundled worker (dist/engineWorker.js); defaults to the file next to this bundle. */
  workerPath?: string;
  /** How long a cancelled run may keep the worker busy before the worker is replaced. */
  cancelGraceMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
}

type Request = Exclude<WorkerRequest, { type: 'cancel' }>;
/** A request without its id (distributes over the union so each variant keeps its own fields). */
type Body = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

interface Pending {
  request: Request;
  resolve: (reply: WorkerReply) => void;
  reject: (err: EngineError) => void;
  onStep?: (step: GenerateStep) => void;
  /** Streamed generation steps, in order: the final reply does not repeat them. */
  steps: GenerateStep[];
}

export class EngineClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The request the worker is running now, by its 'started' reply. */
  private running: number | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private restarts = 0;
  private disposed = false;
  private readonly workerPath: string;
  private readonly cancelGraceMs: number;

  constructor(options: EngineClientOptions = {}) {
    this.workerPath = options.workerPath ?? path.join(__dirname, 'engineWorker.js');
    this.cancelGraceMs = options.cancelGraceMs ?? 500;
  }

  /** How many times the worker has been replaced (after a crash or a stuck cancelled run). */
  get restartCount(): number {
    return this.restarts;
  }

  async load(source: ModelSource, options: RunOptions = {}): Promise<{ info: ModelInfo; loadMs: number }> {
    const reply = await this.request({ type: 'load', source }, options);
    if (reply.type !== 'loaded') throw unexpected(reply);
    return { info: reply.info, loadMs: reply.loadMs };
  }

  async inspect(source: ModelSource, input: ModelInput, inspectOptions: InspectOptions = {}, options: RunOptions = {}): Promise<InspectResult> {
    const reply = await this.request({ type: 'inspect', source, input, options: inspectOptions }, options);
    if (reply.type !== 'inspected') throw unexpected(reply);
    return reply.result;
  }

  async generate(
    source: ModelSource,
    prompt: ModelInput,
    generateOptions: GenerateOptions,
    options: RunOptions & { onStep?: (step: GenerateStep) => void } = {},
  ): Promise<GenerateResult> {
    const reply = await this.request({ type: 'generate', source, prompt, options: generateOptions }, options, options.onStep);
    if (reply.type !== 'generated') throw unexpected(reply);
    return reply.result;
  }

  async unload(source: ModelSource): Promise<void> {
    await this.request({ type: 'unload', source }, {});
  }

  /** Rejects everything pending and stops the worker. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.failAll(new EngineError('CANCELLED', 'the engine was shut down'));
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private request(body: Body, options: RunOptions, onStep?: (step: GenerateStep) => void): Promise<WorkerReply> {
    if (this.disposed) return Promise.reject(new EngineError('CANCELLED', 'the engine was shut down'));
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new EngineError('CANCELLED', 'the run was cancelled'));
    const id = this.nextId++;
    const request = { ...body, id } as Request;
    return new Promise<WorkerReply>((resolve, reject) => {
      const onAbort = (): void => this.cancel(id);
      const settle = <A>(fn: (a: A) => void) => (a: A): void => {
        signal?.removeEventListener('abort', onAbort);
        fn(a);
      };
      this.pending.set(id, { request, resolve: settle(resolve), reject: settle(reject), onStep, steps: [] });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.ensureWorker().postMessage(request);
    });
  }

  private cancel(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.reject(new EngineError('CANCELLED', 'the run was cancelled'));
    this.worker?.postMessage({ type: 'cancel', id: this.nextId++, target: id } satisfies WorkerRequest);
    if (this.running === id) this.armGraceTimer(id);
  }

  /** A run cannot be interrupted inside a forward pass: if it does not end soon, replace the worker. */
  private armGraceTimer(id: number): void {
    this.clearGraceTimer();
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      if (this.running === id) this.replaceWorker();
    }, this.cancelGraceMs);
  }

  private clearGraceTimer(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private replaceWorker(): void {
    const old = this.worker;
    this.worker = null;
    this.running = null;
    this.restarts++;
    if (old) {
      old.removeAllListeners();
      void old.terminate();
    }
    if (this.pending.size > 0) {
      const worker = this.ensureWorker();
      for (const entry of this.pending.values()) {
        entry.steps = []; // a replayed generation starts over
        worker.postMessage(entry.request);
      }
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (err) => this.onCrash(worker, err.message));
    worker.on('exit', (code) => this.onCrash(worker, `exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onReply(reply: WorkerReply): void {
    if (reply.type === 'started') {
      this.running = reply.id;
      return;
    }
    const entry = this.pending.get(reply.id);
    if (reply.type === 'step') {
      if (!entry) return;
      entry.steps.push(reply.step);
      entry.onStep?.(reply.step);
      return;
    }
    if (this.running === reply.id) {
      this.running = null;
      this.clearGraceTimer();
    }
    if (!entry) return; // a cancelled request's late reply
    this.pending.delete(reply.id);
    if (reply.type === 'error') entry.reject(fromErrorData(reply.error));
    else if (reply.type === 'generated') entry.resolve({ ...reply, result: { ...reply.result, steps: entry.steps } });
    else entry.resolve(reply);
  }

  private onCrash(worker: Worker, why: string): void {
    if (worker !== this.worker) return; // an old worker we replaced on purpose
    this.worker = null;
    this.running = null;
    this.clearGraceTimer();
    if (this.disposed) return;
    this.restarts++;
    this.failAll(new EngineError('WORKER_CRASHED', `the engine stopped unexpectedly (${why}); it will restart on the next run`));
  }

  private failAll(err: EngineError): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(err);
  }
}

function unexpected(reply: WorkerReply): EngineError {
  return new EngineError('INTERNAL', `unexpected reply from the engine: ${reply.type}`);
}
