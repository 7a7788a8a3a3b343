import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { InspectJson } from '../../src/cli/format';
import { publishedGreedyOutput, STORIES_DIR } from '../helpers/stories260K';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], timeoutMs = 30000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli ${args.join(' ')} hung for ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertCleanFailure(run: Run, pattern: RegExp): void {
  assert.equal(run.code, 2, `exit code 2 expected, got ${run.code}; stderr: ${run.stderr}`);
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(run.stdout, '');
}

describe('CLI', function () {
  it('inspect --json prints tokens, every layer x head of attention and the next-token table', async () => {
    const text = 'One day, Tom saw 今天 🙂';
    const run = await cli(['inspect', '--model', STORIES_DIR, '--text', text, '--top-k', '4', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as InspectJson;
    assert.deepEqual(
      { ...json.model, kvHeadOf: undefined },
      { name: 'stories260K', family: 'llama', layers: 5, heads: 8, kvHeads: 4, kvHeadOf: undefined, vocab: 512, context: 512 },
    );
    const T = json.tokens.length;
    assert.deepEqual(json.tokens[0], { id: 1, text: json.tokens[0].text, start: 0, end: 0, special: true });
    // the spans of the real tokens rebuild the input
    let rebuilt = '';
    let last = 0;
    for (const t of json.tokens.slice(1)) {
      if (t.start >= last) rebuilt += text.slice(t.start, t.end);
      last = Math.max(last, t.end);
    }
    assert.equal(rebuilt, text);
    assert.equal(json.attention.data.length, 5);
    assert.equal(json.attention.size, T);
    for (const layer of json.attention.data) {
      assert.equal(layer.length, 8);
      for (const head of layer) {
        head.forEach((row, q) => {
          assert.equal(row.length, T);
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
          row.forEach((v, k) => k > q && assert.equal(v, 0));
        });
      }
    }
    assert.equal(json.next.length, T);
    assert.equal(json.next[0].top.length, 4);
    assert.equal(json.next[T - 1].actual, null);
    assert.equal(json.next[0].actual?.id, json.tokens[1].id);
  });

  it('--ids are used exactly as given; the text table shows one line per token', async () => {
    const json = JSON.parse((await cli(['inspect', '--model', STORIES_DIR, '--ids', '400,300,301', '--json'])).stdout) as InspectJson;
    assert.deepEqual(json.tokens.map((t) => t.id), [400, 300, 301]);
    const table = await cli(['inspect', '--model', STORIES_DIR, '--text', 'Once upon a time']);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /stories260K \(llama\): 5 layers, 8 heads \(4 kv\)/);
    assert.match(table.stdout, /next: top 3 /);
    const two = await cli(['inspect', '--model', STORIES_DIR, '--text', 'Once upon a time', '--top-k', '2']);
    assert.match(two.stdout, /next: top 2 /, 'the header says how many guesses each line shows');
    assert.ok(two.stdout.split('\n').filter((l) => /^\s+\d+ /.test(l)).every((l) => (l.match(/%/g) ?? []).length <= 3), 'two guesses and the actual p');
  });

  it('generate with temperature 0 prints the published greedy output', async () => {
    const run = await cli(['generate', '--model', STORIES_DIR, '--max-tokens', '256', '--temperature', '0']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${publishedGreedyOutput()}\n`);
  });

  it('generate with a seed is reproducible and excludes the prompt', async () => {
    const args = ['generate', '--model', STORIES_DIR, '--prompt', 'Lily went', '--max-tokens', '20', '--temperature', '0.9', '--top-p', '0.9', '--seed', '5'];
    const a = await cli(args);
    const b = await cli(args);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.ok(!a.stdout.startsWith('Lily went'));
  });

  describe('bad input: one clear line, exit code 2', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'ai-cli-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('empty text', async () => {
      assertCleanFailure(await cli(['inspect', '--model', STORIES_DIR, '--text', '']), /empty/);
    });
    it('text longer than the context names the limit', async () => {
      assertCleanFailure(await cli(['inspect', '--model', STORIES_DIR, '--text', 'ab '.repeat(600)]), /at most 512/);
    });
    it('unknown model folder', async () => {
      assertCleanFailure(await cli(['inspect', '--model', path.join(dir, 'missing'), '--text', 'a']), /not found/);
    });
    it('corrupt (truncated) checkpoint', async () => {
      const bad = path.join(dir, 'truncated');
      await rm(bad, { recursive: true, force: true });
      await import('node:fs/promises').then((fs) => fs.mkdir(bad));
      const bytes = await readFile(path.join(STORIES_DIR, 'stories260K.bin'));
      await writeFile(path.join(bad, 'stories260K.bin'), bytes.subarray(0, 5000));
      await copyFile(path.join(STORIES_DIR, 'tok512.bin'), path.join(bad, 'tok512.bin'));
      assertCleanFailure(await cli(['inspect', '--model', bad, '--text', 'a']), /truncated/);
    });
    it('ids outside the vocabulary', async () => {
      assertCleanFailure(await cli(['inspect', '--model', STORIES_DIR, '--ids', '1,9999']), /outside the vocabulary/);
    });
    it('usage mistakes', async () => {
      assertCleanFailure(await cli(['inspect', '--model', STORIES_DIR]), /exactly one of --text/);
      assertCleanFailure(await cli(['inspect', '--model', STORIES_DIR, '--text', 'a', '--bogus']), /bogus/);
      assertCleanFailure(await cli(['generate', '--model', STORIES_DIR]), /--max-tokens/);
      assertCleanFailure(await cli(['generate', '--model', STORIES_DIR, '--max-tokens', '3', '--top-p', '2']), /top-p/);
    });
  });
});
