import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EngineClient, type EngineClientOptions } from '../../src/engine/client';
import { EngineError, type ErrorCode } from '../../src/shared/errors';
import { randomLlamaModel } from '../../src/engine/testing/randomModels';
import { writeLlama2cFolder } from '../helpers/llama2cWriter';
import { STORIES_DIR } from '../helpers/stories260K';

const WORKER = path.resolve(__dirname, '../../dist/engineWorker.js');
const stories = { dir: STORIES_DIR };

function isEngineError(code: ErrorCode) {
  return (err: unknown): boolean => err instanceof EngineError && err.code === code;
}

/** Exposes the worker so a test can kill it the way a crash would. */
class KillableClient extends EngineClient {
  constructor(options: EngineClientOptions) {
    super(options);
  }
  async killWorker(): Promise<void> {
    const worker = (this as unknown as { worker: { terminate(): Promise<number> } | null }).worker;
    assert.ok(worker, 'a worker is running');
    await worker.terminate();
  }
}

describe('EngineClient (engine in a worker thread)', function () {
  let client: KillableClient;

  before(function () {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run "npm run build" first`);
  });
  beforeEach(() => {
    client = new KillableClient({ workerPath: WORKER, cancelGraceMs: 200 });
  });
  afterEach(() => client.dispose());

  it('loads a model and inspects text, with attention arriving as Float32Arrays', async () => {
    const { info } = await client.load(stories);
    assert.equal(info.layers, 5);
    assert.deepEqual(info.kvHeadOf, [0, 0, 1, 1, 2, 2, 3, 3]);
    const result = await client.inspect(stories, { text: 'Once upon a time' });
    assert.equal(result.attention.length, 5);
    assert.equal(result.model.name, 'stories260K');
    // a name given with the source (a hub cache folder is named after its revision) is the one reported
    const renamed = await client.inspect({ ...stories, name: 'tinyllamas/stories260K' }, { text: 'Once' }, { layers: [] });
    assert.equal(renamed.model.name, 'tinyllamas/stories260K');
    const T = result.tokens.length;
    for (const layer of result.attention) {
      assert.ok(layer.data instanceof Float32Array);
      assert.equal(layer.data.length, 8 * T * T);
    }
  });

  it('never blocks the calling thread while the worker runs', async () => {
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    for (let i = 0; i < 5; i++) await client.inspect(stories, { text: 'The cat sat on the mat. '.repeat(20) });
    histogram.disable();
    assert.ok(histogram.max / 1e6 < 100, `event loop blocked ${(histogram.max / 1e6).toFixed(1)} ms`);
  });

  it('reports errors as EngineErrors with their codes', async () => {
    await assert.rejects(client.inspect(stories, { text: '' }), isEngineError('EMPTY_INPUT'));
    await assert.rejects(client.inspect({ dir: path.join(STORIES_DIR, 'nope') }, { text: 'a' }), isEngineError('MODEL_NOT_FOUND'));
    // the worker is still usable afterwards
    const ok = await client.inspect(stories, { text: 'a' }, { layers: [0] });
    assert.equal(ok.attention.length, 1);
  });

  it('streams generation steps and can cancel between them', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const started = performance.now();
    let abortedAt = 0;
    const run = client.generate(stories, { text: '' }, { maxTokens: 400, temperature: 0 }, {
      signal: controller.signal,
      onStep: (step) => {
        seen.push(step.position);
        if (seen.length === 3) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(run, isEngineError('CANCELLED'));
    assert.ok(performance.now() - abortedAt < 50, 'rejects at once');
    assert.ok(abortedAt - started < 5000);
    assert.deepEqual(seen.slice(0, 3), [1, 2, 3]);
    // the worker stopped between steps (no replacement needed) and serves the next request
    const next = await client.generate(stories, { text: '' }, { maxTokens: 5, temperature: 0 });
    assert.equal(next.steps.length, 5);
    assert.equal(client.restartCount, 0);
  });

  describe('with a model whose forward pass takes seconds', function () {
    let bigDir: string;
    const text = 'Once upon a time there was a dog. '.repeat(60);

    before(async () => {
      const model = randomLlamaModel({ dim: 256, hiddenDim: 768, layers: 8, heads: 8, kvHeads: 8, headDim: 32, vocab: 512, context: 1024 }, 5);
      bigDir = await writeLlama2cFolder(model);
    });
    after(() => rm(bigDir, { recursive: true, force: true }));

    it('a cancelled run rejects promptly; the stuck worker is replaced and queued work still completes', async () => {
      await client.load({ dir: bigDir });
      const controller = new AbortController();
      const slow = client.inspect({ dir: bigDir }, { text }, {}, { signal: controller.signal });
      const queued = client.inspect(stories, { text: 'queued behind' }, { layers: [0] });
      await new Promise((r) => setTimeout(r, 150));
      const abortedAt = performance.now();
      controller.abort();
      await assert.rejects(slow, isEngineError('CANCELLED'));
      assert.ok(performance.now() - abortedAt < 50, 'the caller is not kept waiting for the forward pass');
      const result = await queued;
      assert.equal(result.attention.length, 1);
      assert.equal(client.restartCount, 1);
    });
  });

  it('a killed worker fails its runs with WORKER_CRASHED and is replaced on the next run', async () => {
    await client.load(stories);
    const inFlight = client.generate(stories, { text: '' }, { maxTokens: 400, temperature: 0 });
    await new Promise((r) => setTimeout(r, 50));
    await client.killWorker();
    await assert.rejects(inFlight, isEngineError('WORKER_CRASHED'));
    assert.equal(client.restartCount, 1);
    const result = await client.inspect(stories, { text: 'back again' });
    assert.equal(result.attention.length, 5);
  });

  it('rejects everything after dispose', async () => {
    await client.dispose();
    await assert.rejects(client.inspect(stories, { text: 'a' }), isEngineError('CANCELLED'));
  });
});
