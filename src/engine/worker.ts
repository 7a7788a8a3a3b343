/**
 * The engine worker: owns the loaded models and runs every forward pass, so the thread that asked (the
 * extension host, the CLI) never blocks. Requests run one at a time in arrival order; a cancel message
 * marks its target, which stops between generation steps or is dropped before it starts.
 */
import { parentPort } from 'node:worker_threads';
import path from 'node:path';
import { EngineError, toErrorData } from '../shared/errors';
import type { ModelInfo } from '../shared/types';
import type { EngineModel } from './engineModel';
import { generate } from './generate';
import { inspect } from './inspect';
import { loadModelFolder } from './loadModel';
import { configureRuntime } from './runtime';
import { transferablesOf, type ModelSource, type WorkerReply, type WorkerRequest } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('engineWorker.js must run in a worker thread');

// The bundle sits next to the onnxruntime WASM files (esbuild.mjs copies them into dist/).
configureRuntime({ wasmDir: __dirname.endsWith(path.sep + 'dist') ? __dirname : undefined });

const models = new Map<string, Promise<EngineModel>>();
const queued = new Set<number>();
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

function keyOf(source: ModelSource): string {
  return path.resolve(source.dir);
}

/** The model's info under the name the caller gave it, if any. */
function named(info: ModelInfo, source: ModelSource): ModelInfo {
  return source.name ? { ...info, name: source.name } : info;
}

function getModel(source: ModelSource): Promise<EngineModel> {
  const key = keyOf(source);
  let model = models.get(key);
  if (!model) {
    model = loadModelFolder(key);
    models.set(key, model);
    // A failed load is not cached: the next request tries again (the user may have fixed the folder).
    model.catch(() => models.delete(key));
  }
  return model;
}

function post(reply: WorkerReply): void {
  port!.postMessage(reply, transferablesOf(reply));
}

function checkCancelled(id: number): void {
  if (cancelled.has(id)) throw new EngineError('CANCELLED', 'the run was cancelled');
}

async function handle(request: Exclude<WorkerRequest, { type: 'cancel' }>): Promise<void> {
  const { id } = request;
  try {
    checkCancelled(id);
    post({ type: 'started', id });
    switch (request.type) {
      case 'load': {
        const started = performance.now();
        const model = await getModel(request.source);
        post({ type: 'loaded', id, info: named(model.info, request.source), loadMs: performance.now() - started });
        break;
      }
      case 'inspect': {
        const model = await getModel(request.source);
        checkCancelled(id);
        const result = await inspect(model, request.input, request.options);
        checkCancelled(id);
        post({ type: 'inspected', id, result: { ...result, model: named(result.model, request.source) } });
        break;
      }
      case 'generate': {
        const model = await getModel(request.source);
        const result = await generate(model, request.prompt, request.options, {
          onStep: (step) => post({ type: 'step', id, step }),
          isCancelled: () => cancelled.has(id),
        });
        // The steps already crossed (their attention buffers transferred); the client reassembles them.
        post({ type: 'generated', id, result: { ...result, model: named(result.model, request.source), steps: [] } });
        break;
      }
      case 'unload': {
        const key = keyOf(request.source);
        const model = models.get(key);
        models.delete(key);
        if (model) await (await model.catch(() => null))?.dispose();
        post({ type: 'unloaded', id });
        break;
      }
      default: {
        const unknown: never = request;
        throw new EngineError('INTERNAL', `unknown request ${JSON.stringify(unknown)}`);
      }
    }
  } catch (err) {
    post({ type: 'error', id, error: toErrorData(err) });
  } finally {
    queued.delete(id);
    cancelled.delete(id);
  }
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'cancel') {
    if (queued.has(request.target)) cancelled.add(request.target);
    return;
  }
  queued.add(request.id);
  queue = queue.then(() => handle(request));
});
