/**
 * The extension's download orchestration against a local stand-in for the hub (127.0.0.1, never the
 * internet), reached the way the extension reaches it: ATTENTION_INSPECTOR_HUB_URL through hubAccess().
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProgressSteps } from '../../src/extension/downloadFormat';
import { hubAccess, type HubAccess } from '../../src/extension/hubConnection';
import { ModelDownloads } from '../../src/extension/modelDownloads';
import { parseModelSpec, type HubModelSpec } from '../../src/extension/modelSpec';
import { sha256, startFakeHub, startFakeProxy, type FakeHub, type RepoFile } from '../helpers/hfHubServer';
import { STORIES_DIR } from '../helpers/stories260K';
import { filesUnder, rejectsWith } from '../helpers/assertions';

const TINY = 'test-org/tiny-gpt2';
const UNREACHABLE_HUB = 'http://127.0.0.1:9';
const NO_PROXY_SETTINGS = { proxy: '', strictSSL: true, noProxy: [], support: 'override' };

function spec(text: string): HubModelSpec {
  const parsed = parseModelSpec(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.value;
}

describe('extension: model downloads against a local hub', function () {
  let hub: FakeHub;
  let cacheDir: string;
  let hubUrl: string;
  let log: string[];
  let downloads: ModelDownloads;
  const weights = randomBytes(256 * 1024);

  const accessFor = (env: Record<string, string>): (() => HubAccess) => () => hubAccess(NO_PROXY_SETTINGS, env);
  const make = (url: string): ModelDownloads => new ModelDownloads(cacheDir, accessFor({ ATTENTION_INSPECTOR_HUB_URL: url }), (line) => log.push(line));

  before(async () => {
    hub = await startFakeHub();
    const stories: RepoFile[] = [];
    for (const name of ['stories260K.bin', 'tok512.bin']) stories.push({ path: `stories260K/${name}`, content: await readFile(path.join(STORIES_DIR, name)) });
    stories.push({ path: 'stories15M.bin', content: new Uint8Array(64) });
    hub.repos.set('karpathy/tinyllamas', new Map([['main', stories]]));
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    hub.repos.set(
      TINY,
      new Map([
        [
          'main',
          [
            { path: 'config.json', content: text('{"model_type":"gpt2","torch_dtype":"float32"}') },
            { path: 'tokenizer.json', content: text('{}') },
            { path: 'model.safetensors', content: weights },
            { path: 'README.md', content: text('# tiny') },
          ],
        ],
      ]),
    );
    hubUrl = hub.url;
  });
  after(() => hub.close());

  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'ai-ext-cache-'));
    log = [];
    downloads = make(hubUrl);
    hub.requests.length = 0;
    hub.dropAfter.clear();
    hub.stallAfter.clear();
  });
  afterEach(() => rm(cacheDir, { recursive: true, force: true }));

  it('fetches the built-in stories260K on first use into the cache, with progress', async () => {
    const builtIn = spec('stories260K');
    assert.equal(await downloads.cachedDir(builtIn), undefined);
    const steps = new ProgressSteps();
    const shown: { message: string; increment: number }[] = [];
    const copy = await downloads.ensure(builtIn, { onProgress: (p) => shown.push(steps.next(p)) });
    assert.equal(copy.fromCache, false);
    assert.equal(copy.modelDir, path.join(cacheDir, 'models', 'karpathy--tinyllamas', 'main', 'stories260K'));
    assert.deepEqual(await filesUnder(copy.modelDir), ['stories260K.bin', 'tok512.bin']);
    assert.equal(sha256(await readFile(path.join(copy.modelDir, 'stories260K.bin'))), sha256(await readFile(path.join(STORIES_DIR, 'stories260K.bin'))));
    assert.ok(shown.length > 0);
    assert.match(shown.at(-1)?.message ?? '', /^1\.0 MiB of 1\.0 MiB \(100%\), .*\/s: tok512\.bin$/);
    assert.equal(Math.round(shown.reduce((n, s) => n + s.increment, 0)), 100);
    assert.ok(log.some((line) => line.includes(`fetching stories260K (karpathy/tinyllamas, main) from ${hubUrl}`)), log.join('\n'));
    assert.ok(!hub.requests.some((r) => r.url.includes('stories15M')), 'only the catalog files');
    assert.equal(await downloads.cachedDir(builtIn), copy.modelDir);
  });

  it('uses a cached copy without asking the hub, and a refresh re-checks it', async () => {
    await downloads.ensure(spec('stories260K'));
    hub.requests.length = 0;
    const again = await downloads.ensure(spec('karpathy/tinyllamas/stories260K'));
    assert.equal(again.fromCache, true);
    assert.equal(hub.requests.length, 0, 'no network for a cached model');
    const refreshed = await downloads.fetch(spec('stories260K'));
    assert.equal(refreshed.fromCache, true);
    assert.equal(refreshed.downloadedBytes, 0);
    assert.ok(hub.requests.some((r) => r.url.includes('/api/models/karpathy/tinyllamas/tree/main')));
    assert.ok(!hub.requests.some((r) => r.url.includes('/resolve/')), 'nothing fetched again');
  });

  it('offline, uses the cached copy and says so', async () => {
    const online = await downloads.ensure(spec(TINY));
    const offline = await make(UNREACHABLE_HUB).fetch(spec(TINY));
    assert.equal(offline.offline, true);
    assert.equal(offline.modelDir, online.modelDir);
    assert.match(offline.notice ?? '', /^offline \(cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)\): using the copy of test-org\/tiny-gpt2 downloaded on \d{4}-\d{2}-\d{2}$/);
  });

  it('offline without a cached copy, says what to do', async () => {
    await assert.rejects(make(UNREACHABLE_HUB).ensure(spec('stories260K')), rejectsWith('MODEL_NOT_FOUND', /cannot reach .*has not been downloaded before: connect to the internet \(or set http\.proxy\)/));
  });

  it('refuses any other model too large for the engine from the hub listing, before fetching weights', async () => {
    hub.repos.set(
      'test-org/huge',
      new Map([
        [
          'main',
          [
            { path: 'config.json', content: new TextEncoder().encode('{"torch_dtype":"bfloat16"}') },
            { path: 'tokenizer.json', content: new TextEncoder().encode('{}') },
            { path: 'model.safetensors', content: new Uint8Array(8), listedSize: 6_600_000_000 },
          ],
        ],
      ]),
    );
    await assert.rejects(downloads.ensure(spec('test-org/huge')), rejectsWith('UNSUPPORTED', /6\.15 GiB of weights kept 16-bit.*limited to 4\.00 GiB\. Nothing was downloaded/));
    assert.ok(!hub.requests.some((r) => r.url.includes('model.safetensors')));
  });

  it('a cancelled download leaves nothing in the cache', async () => {
    hub.stallAfter.set('model.safetensors', 4096);
    const controller = new AbortController();
    const pending = downloads.ensure(spec(TINY), { signal: controller.signal });
    const part = path.join(cacheDir, 'models', 'test-org--tiny-gpt2', 'main', 'model.safetensors.part');
    for (let i = 0; i < 250 && !(await stat(part).catch(() => null))?.size; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await stat(part)).size > 0, 'the temp file exists while downloading');
    controller.abort();
    await assert.rejects(pending, rejectsWith('CANCELLED', /cancelled/));
    assert.deepEqual(await filesUnder(cacheDir), []);
    assert.deepEqual(await readdir(path.join(cacheDir, 'models')), [], 'no empty model folder either');
    assert.equal(downloads.isFetching(spec(TINY)), false);
  });

  it('a cancelled check of a downloaded model keeps it', async () => {
    // Choosing a downloaded model again asks the hub whether it changed, behind a cancellable notification.
    const builtIn = spec('stories260K');
    const copy = await downloads.ensure(builtIn);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(downloads.fetch(builtIn, { signal: controller.signal }), rejectsWith('CANCELLED', /cancelled/));
    assert.equal(await downloads.cachedDir(builtIn), copy.modelDir);
    assert.deepEqual(await filesUnder(copy.modelDir), ['stories260K.bin', 'tok512.bin']);
  });

  describe('two models in one revision folder (llama2.c checkpoints in subfolders of one repository)', () => {
    const other: HubModelSpec = {
      id: 'karpathy/tinyllamas',
      revision: 'main',
      subfolder: 'other',
      files: ['other/other.bin', 'other/tok512.bin'],
      name: 'other',
    };
    const otherFiles: RepoFile[] = [
      { path: 'other/other.bin', content: randomBytes(64 * 1024) },
      { path: 'other/tok512.bin', content: randomBytes(1024) },
    ];
    const repo = (): RepoFile[] => hub.repos.get('karpathy/tinyllamas')?.get('main') ?? [];

    beforeEach(() => repo().push(...otherFiles));
    afterEach(() => {
      const files = repo();
      files.splice(0, files.length, ...files.filter((f) => !otherFiles.includes(f)));
    });

    it('a cancelled download of one leaves the other', async () => {
      const kept = await downloads.ensure(spec('stories260K'));
      hub.stallAfter.set('other/other.bin', 4096);
      const controller = new AbortController();
      const pending = downloads.ensure(other, { signal: controller.signal });
      const part = path.join(cacheDir, 'models', 'karpathy--tinyllamas', 'main', 'other', 'other.bin.part');
      for (let i = 0; i < 250 && !(await stat(part).catch(() => null))?.size; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok((await stat(part)).size > 0, 'the temp file exists while downloading');
      controller.abort();
      await assert.rejects(pending, rejectsWith('CANCELLED', /cancelled/));
      assert.equal(await downloads.cachedDir(spec('stories260K')), kept.modelDir);
      assert.deepEqual(await filesUnder(kept.modelDir), ['stories260K.bin', 'tok512.bin']);
      assert.equal(await stat(path.dirname(part)).catch(() => null), null, 'nothing of the cancelled model is left');
    });

    it('removing one keeps the other', async () => {
      const kept = await downloads.ensure(spec('stories260K'));
      await downloads.ensure(other);
      const listed = await downloads.list();
      assert.equal(listed.length, 2);
      const copy = listed.find((c) => c.subfolder === 'other');
      assert.ok(copy);
      assert.equal(await downloads.remove(copy), true);
      assert.equal(await downloads.cachedDir(other), undefined);
      assert.equal(await downloads.cachedDir(spec('stories260K')), kept.modelDir);
      assert.deepEqual(await filesUnder(kept.modelDir), ['stories260K.bin', 'tok512.bin']);
    });
  });

  it('an interrupted download resumes where it stopped on the next attempt', async () => {
    const cut = Math.floor(weights.length / 3);
    hub.dropAfter.set('model.safetensors', { bytes: cut, times: 3 });
    await assert.rejects(downloads.ensure(spec(TINY)), rejectsWith('RUNTIME', /model\.safetensors was interrupted.*download again to resume/));
    const part = path.join(cacheDir, 'models', 'test-org--tiny-gpt2', 'main', 'model.safetensors.part');
    // Each of the three attempts (two retries) resumed and got `cut` more bytes before the drop.
    const kept = (await stat(part)).size;
    assert.equal(kept, 3 * cut, 'the partial file is kept for the next attempt');
    assert.equal(await downloads.cachedDir(spec(TINY)), undefined, 'an interrupted copy is not used');
    hub.requests.length = 0;
    const copy = await downloads.ensure(spec(TINY));
    assert.equal(hub.requests.find((r) => r.url.includes('/cdn/'))?.range, `bytes=${kept}-`);
    assert.equal(copy.downloadedBytes, weights.length - kept);
    assert.equal(sha256(await readFile(path.join(copy.modelDir, 'model.safetensors'))), sha256(weights));
  });

  it('runs one download per model, shared by every caller', async () => {
    // The first transfer stalls until a short idle timeout, and its retry resumes: time for a second caller.
    const slow = new ModelDownloads(cacheDir, () => ({ hubUrl, http: { idleTimeoutMs: 300 }, notes: [] }));
    hub.stallAfter.set('model.safetensors', 1024);
    const first = slow.ensure(spec(TINY));
    for (let i = 0; i < 250 && !slow.isFetching(spec(TINY)); i++) await new Promise((r) => setTimeout(r, 4));
    assert.equal(slow.isFetching(spec(TINY)), true);
    const second = slow.ensure(spec(`${TINY}@main`));
    await new Promise((r) => setTimeout(r, 50));
    hub.stallAfter.clear();
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a, b, 'the second caller got the first download');
    assert.equal(hub.requests.filter((r) => r.url.includes('/tree/')).length, 1);
    assert.equal(slow.isFetching(spec(TINY)), false);
    assert.equal(sha256(await readFile(path.join(a.modelDir, 'model.safetensors'))), sha256(weights));
  });

  it('passes the proxy option to the hub client', async () => {
    const proxy = await startFakeProxy();
    try {
      const viaProxy = new ModelDownloads(cacheDir, () => ({ hubUrl, http: { proxy: proxy.url }, notes: [] }));
      await viaProxy.ensure(spec(TINY));
      assert.ok(proxy.tunnels.length > 0);
      assert.ok(proxy.tunnels.every((t) => t === new URL(hubUrl).host));
    } finally {
      await proxy.close();
    }
  });

  it('lists and removes cached copies, and the emptied model folder', async () => {
    await downloads.ensure(spec('stories260K'));
    await downloads.ensure(spec(TINY));
    const listed = await downloads.list();
    assert.deepEqual(listed.map((c) => c.id).sort(), ['karpathy/tinyllamas', TINY]);
    assert.equal(await downloads.remove({ id: TINY, revision: 'main' }), true);
    assert.deepEqual((await downloads.list()).map((c) => c.id), ['karpathy/tinyllamas']);
    assert.deepEqual(await readdir(path.join(cacheDir, 'models')), ['karpathy--tinyllamas']);
    assert.equal(await downloads.cachedDir(spec(TINY)), undefined);
  });
});
