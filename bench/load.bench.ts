/**
 * `node --import=tsx bench/load.bench.ts`: how long a GPT-2-small-shaped model (124M parameters, random
 * weights) takes from disk to a ready session, and its peak memory, loaded as a Hugging Face folder
 * (safetensors F32 and BF16) compared, in the same run, with reading a prebuilt ONNX file of the same model
 * and creating the session from it. Target: the Hugging Face load within 1.5x the ONNX one.
 *
 * Each load runs in its own child process so that its peak RSS is its own. Prints; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildGraph } from '../src/engine/graph';
import { loadModelFolder } from '../src/engine/loadModel';
import { ModelSession } from '../src/engine/runtime';
import { GPT2_SMALL_SHAPE, randomGpt2Model } from '../src/engine/testing/randomModels';
import { writeHfFolder } from '../test/helpers/hfWriter';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

interface Measure {
  ms: number;
  peakRssMiB: number;
  detail: string;
}

/** Child mode: `load.bench.ts --child hf|onnx <path>` loads once and prints one JSON line. */
async function child(kind: string, target: string): Promise<void> {
  const t0 = performance.now();
  let detail: string;
  if (kind === 'hf') {
    const engine = await loadModelFolder(target);
    const total = performance.now() - t0;
    detail = `read+convert ${(total - engine.timings.graphMs - engine.timings.sessionMs).toFixed(0)} ms, graph ${engine.timings.graphMs.toFixed(0)} ms, session ${engine.timings.sessionMs.toFixed(0)} ms`;
  } else {
    const bytes = await readFile(target);
    const t1 = performance.now();
    await ModelSession.create(bytes);
    detail = `read ${(t1 - t0).toFixed(0)} ms, session ${(performance.now() - t1).toFixed(0)} ms`;
  }
  const ms = performance.now() - t0;
  const result: Measure = { ms, peakRssMiB: process.resourceUsage().maxRSS / 1024, detail };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function runChild(kind: string, target: string): Measure {
  const out = execFileSync(process.execPath, ['--import=tsx', __filename, '--child', kind, target], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const line = out.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Measure;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ai-load-bench-'));
  try {
    console.log(`GPT-2-small-shaped random model; ${REPEATS} runs each, median; every load in a fresh process`);
    const model = randomGpt2Model(GPT2_SMALL_SHAPE, 1);
    const f32 = path.join(dir, 'hf-f32');
    const bf16 = path.join(dir, 'hf-bf16');
    const onnxFile = path.join(dir, 'model.onnx');
    await Promise.all([mkdir(f32), mkdir(bf16)]);
    await writeHfFolder(model, { modelType: 'gpt2', dtype: 'F32' }, f32);
    await writeHfFolder(model, { modelType: 'gpt2', dtype: 'BF16' }, bf16);
    await writeFile(onnxFile, buildGraph(model));
    const cases: [string, string, string][] = [
      ['prebuilt ONNX file -> session', 'onnx', onnxFile],
      ['HF safetensors F32 -> EngineModel', 'hf', f32],
      ['HF safetensors BF16 -> EngineModel', 'hf', bf16],
    ];
    const results = new Map<string, Measure[]>();
    for (let r = 0; r < REPEATS; r++) {
      for (const [label, kind, target] of cases) {
        const list = results.get(label) ?? [];
        list.push(runChild(kind, target));
        results.set(label, list);
      }
    }
    const base = results.get(cases[0][0]) ?? [];
    const baseMedian = median(base.map((m) => m.ms));
    const baseMin = Math.min(...base.map((m) => m.ms));
    console.log(`  ${''.padEnd(36)} median ms (ratio)   best ms (ratio)   peak RSS   [breakdown of the best run]`);
    for (const [label] of cases) {
      const list = results.get(label) ?? [];
      const ms = median(list.map((m) => m.ms));
      const best = list.reduce((a, b) => (b.ms < a.ms ? b : a));
      const rss = Math.max(...list.map((m) => m.peakRssMiB));
      const cell = (x: number, of: number): string => `${x.toFixed(0).padStart(6)} (${(x / of).toFixed(2)}x)`;
      console.log(`  ${label.padEnd(36)} ${cell(ms, baseMedian)}    ${cell(best.ms, baseMin)}    ${rss.toFixed(0)} MiB   [${best.detail}]`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  void child(process.argv[childIndex + 1], process.argv[childIndex + 2]);
} else {
  void main();
}
