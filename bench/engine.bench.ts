/**
 * `npm run bench`: the engine's speed and memory, printed as a table. Asserts nothing about time: these
 * machines are shared and noisy, so compare ratios measured in this same run.
 *
 * - stories260K: graph build, session creation, prefill at T = 32, 128, 512, decode per token;
 * - a GPT-2-small-shaped random model built here (never stored): the same at T = 64, 256;
 * - inspect() (tokenize + run + extract, all layers) over a bare session.run that fetches only logits, T = 256;
 * - the calling thread's longest event-loop stall while the engine worker inspects (target <= 50 ms);
 * - peak RSS.
 */
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EngineClient } from '../src/engine/client';
import { EngineModel } from '../src/engine/engineModel';
import { loadLlama2cFolder } from '../src/engine/formats/llama2c';
import { generate } from '../src/engine/generate';
import * as io from '../src/engine/graph/names';
import { inspect } from '../src/engine/inspect';
import { GPT2_SMALL_SHAPE, randomGpt2Model } from '../src/engine/testing/randomModels';

const STORIES_DIR = process.env.STORIES260K_DIR ?? path.resolve(__dirname, '../../shared/models/stories260K');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

const record = (what: string, value: string): void => {
  console.log(`  ${what.padEnd(58)} ${value}`);
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeMedian(fn: () => Promise<unknown>, repeats = REPEATS): Promise<number> {
  await fn(); // warm-up: first runs pay for allocation inside the WASM heap
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

function idsOfLength(T: number, vocab: number): number[] {
  return Array.from({ length: T }, (_, i) => (i * 7919 + 13) % vocab);
}

async function decodePerToken(engine: EngineModel, promptLength: number, tokens: number): Promise<number> {
  const prompt = idsOfLength(promptLength, engine.config.vocab);
  const t = performance.now();
  const result = await generate(engine, { ids: prompt }, { maxTokens: tokens, temperature: 0, attention: true });
  const total = performance.now() - t;
  // subtract the prefill, timed on its own
  const prefill = await timeMedian(() => engine.session.run(engine.feeds(prompt, 0, null), [io.LOGITS]), 1);
  return (total - prefill) / result.steps.length;
}

async function benchModel(name: string, engine: EngineModel, lengths: number[]): Promise<void> {
  console.log(`\n${name}`);
  record(`${name}: graph build`, ms(engine.timings.graphMs));
  record(`${name}: session creation`, ms(engine.timings.sessionMs));
  for (const T of lengths) {
    const ids = idsOfLength(T, engine.config.vocab);
    const prefill = await timeMedian(() => engine.session.run(engine.feeds(ids, 0, null), [io.LOGITS]));
    record(`${name}: prefill (session.run, logits) at T = ${T}`, ms(prefill));
    const t = await timeMedian(() => inspect(engine, { ids }));
    record(`${name}: inspect (all layers + top-10) at T = ${T}`, ms(t));
  }
  record(`${name}: decode per token (KV cache, attention rows)`, ms(await decodePerToken(engine, 16, 32)));
}

async function attentionOverhead(engine: EngineModel, T: number): Promise<void> {
  const ids = idsOfLength(T, engine.config.vocab);
  const feeds = (): ReturnType<EngineModel['feeds']> => engine.feeds(ids, 0, null);
  // interleave the two so that machine noise hits both alike
  const bare: number[] = [];
  const full: number[] = [];
  await engine.session.run(feeds(), [io.LOGITS]);
  await inspect(engine, { ids });
  for (let i = 0; i < REPEATS; i++) {
    let t = performance.now();
    await engine.session.run(feeds(), [io.LOGITS]);
    bare.push(performance.now() - t);
    t = performance.now();
    await inspect(engine, { ids });
    full.push(performance.now() - t);
  }
  const ratio = median(full) / median(bare);
  record(`inspect() / bare session.run (logits only), T = ${T}`, `${ratio.toFixed(3)} (${ms(median(full))} / ${ms(median(bare))}; target <= 1.10)`);
}

async function eventLoopDuringInspect(): Promise<void> {
  const client = new EngineClient({ workerPath: path.resolve(__dirname, '../dist/engineWorker.js') });
  const source = { dir: STORIES_DIR };
  await client.load(source);
  const text = 'Once upon a time, there was a little girl named Lily. '.repeat(30);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const t = performance.now();
  const result = await client.inspect(source, { text });
  const elapsed = performance.now() - t;
  histogram.disable();
  await client.dispose();
  const T = result.tokens.length;
  const mb = (result.attention.reduce((n, a) => n + a.data.byteLength, 0) / 2 ** 20).toFixed(1);
  record(`worker inspect, stories260K T = ${T} (${mb} MiB of attention)`, ms(elapsed));
  record('  longest event-loop stall of the calling thread', `${ms(histogram.max / 1e6)} (target <= 50 ms)`);
}

async function main(): Promise<void> {
  console.log(`Attention Inspector engine bench — node ${process.version}, ${REPEATS} repeats, medians`);

  const loadStart = performance.now();
  const loaded = await loadLlama2cFolder(STORIES_DIR);
  const storiesLoad = performance.now() - loadStart;
  const stories = await EngineModel.create(loaded.model, loaded.tokenizer);
  record('stories260K: read checkpoint + tokenizer', ms(storiesLoad));
  await benchModel('stories260K', stories, [32, 128, 512]);
  await stories.dispose();

  console.log('\nGPT-2-small shape (random weights, 12 layers, 12 heads, d 768, vocab 50257)');
  let t = performance.now();
  const gpt2Model = randomGpt2Model(GPT2_SMALL_SHAPE, 1);
  record('gpt2-small: random weights', ms(performance.now() - t));
  t = performance.now();
  const gpt2 = await EngineModel.create(gpt2Model, null);
  record('gpt2-small: graph build + session, total', ms(performance.now() - t));
  await benchModel('gpt2-small', gpt2, [64, 256]);
  await attentionOverhead(gpt2, 256);
  await gpt2.dispose();

  console.log('\nCalling thread');
  await eventLoopDuringInspect();

  record('peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
