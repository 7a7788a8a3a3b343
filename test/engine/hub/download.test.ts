import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listCachedModels, removeCachedModel } from '../../../src/engine/hub/cache';
import { CATALOG, catalogEntry } from '../../../src/engine/hub/catalog';
import { downloadModel, type DownloadOptions, type DownloadProgress } from '../../../src/engine/hub/download';
import { inspect } from '../../../src/engine/inspect';
import { loadModelFolder } from '../../../src/engine/loadModel';
import { randomGpt2Model } from '../../../src/engine/testing/randomModels';
import { sha256, startFakeHub, startFakeProxy, type FakeHub, type RepoFile } from '../../helpers/hfHubServer';
import { writeHfFolder } from '../../helpers/hfWriter';
import { STORIES_DIR } from '../../helpers/stories260K';
import { filesUnder, rejectsWith } from '../../helpers/assertions';

const ID = 'test-org/tiny-gpt2';

describe('hub downloader against a local stand-in for the hub', function () {
  let hub: FakeHub;
  let cacheDir: string;
  let repo: RepoFile[];

  before(async () => {
    const folder = await writeHfFolder(randomGpt2Model({ vocab: 270 }, 3), { modelType: 'gpt2' });
    repo = [];
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) {
      repo.push({ path: name, content: await readFile(path.join(folder, name)) });
    }
    repo.push({ path: 'README.md', content: new TextEncoder().encode('# tiny') });
    await rm(folder, { recursive: true, force: true });
    hub = await startFakeHub();
    hub.repos.set(ID, new Map([['main', repo]]));
  });
  after(() => hub.close());

  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'ai-hub-cache-'));
    hub.requests.length = 0;
    hub.dropAfter.clear();
    hub.corrupt.clear();
    hub.stallAfter.clear();
    hub.pageSize = 1000;
  });
  afterEach(() => rm(cacheDir, { recursive: true, force: true }));

  const options = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({ cacheDir, id: ID, hubUrl: hub.url, ...extra });
  const weights = (): RepoFile => repo.find((f) => f.path === 'model.safetensors') as RepoFile;

  it('downloads what the engine needs, verified, into a folder the loader opens', async () => {
    const progress: DownloadProgress[] = [];
    hub.pageSize = 2;
    const result = await downloadModel(options({ onProgress: (p) => progress.push(p) }));
    assert.equal(result.fromCache, false);
    assert.equal(result.offline, false);
    assert.deepEqual(await filesUnder(result.dir), ['.complete.json', 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    assert.equal(sha256(await readFile(path.join(result.dir, 'model.safetensors'))), sha256(weights().content));
    const last = progress.at(-1);
    assert.ok(last);
    assert.equal(last.bytes, last.totalBytes);
    assert.equal(last.percent, 100);
    assert.ok(progress.every((p) => p.bytesPerSecond >= 0 && p.fileBytes <= p.fileSize));
    assert.ok(hub.requests.some((r) => r.url.includes('page=1')), 'the paged listing was followed');
    const engine = await loadModelFolder(result.modelDir);
    try {
      assert.ok((await inspect(engine, { text: 'the hat' })).tokens.length > 0);
    } finally {
      await engine.dispose();
    }
  });

  it('uses the cached copy when nothing changed, and re-fetches only a changed file', async () => {
    await downloadModel(options());
    hub.requests.length = 0;
    const again = await downloadModel(options());
    assert.equal(again.fromCache, true);
    assert.equal(again.downloadedBytes, 0);
    assert.ok(!hub.requests.some((r) => r.url.includes('model.safetensors')));
    const changed = repo.find((f) => f.path === 'tokenizer_config.json') as RepoFile;
    const original = changed.content;
    changed.content = new TextEncoder().encode('{"bos_token":"<|endoftext|>","eos_token":"<|endoftext|>"}');
    try {
      hub.requests.length = 0;
      const updated = await downloadModel(options());
      assert.equal(updated.fromCache, false);
      assert.equal(updated.downloadedBytes, changed.content.length);
      assert.ok(!hub.requests.some((r) => r.url.includes('/cdn/')), 'the unchanged weights were not fetched again');
    } finally {
      changed.content = original;
    }
  });

  it('resumes an interrupted download with a Range request on the next call', async () => {
    const size = weights().content.length;
    hub.dropAfter.set('model.safetensors', { bytes: Math.floor(size / 3), times: 1 });
    await assert.rejects(downloadModel(options({ retries: 0 })), rejectsWith('RUNTIME', /model\.safetensors was interrupted.*resume/));
    const partial = await stat(path.join(cacheDir, 'models', 'test-org--tiny-gpt2', 'main', 'model.safetensors.part'));
    assert.equal(partial.size, Math.floor(size / 3));
    assert.equal((await listCachedModels(cacheDir)).length, 0, 'an interrupted copy is not listed as cached');
    hub.requests.length = 0;
    const result = await downloadModel(options({ retries: 0 }));
    const ranged = hub.requests.find((r) => r.url.includes('/cdn/') && r.range);
    assert.equal(ranged?.range, `bytes=${Math.floor(size / 3)}-`);
    assert.equal(result.downloadedBytes, size - Math.floor(size / 3), 'only the missing bytes crossed the network');
    assert.equal(sha256(await readFile(path.join(result.dir, 'model.safetensors'))), sha256(weights().content));
  });

  it('retries within one call, resuming each time', async () => {
    hub.dropAfter.set('model.safetensors', { bytes: 1000, times: 2 });
    const result = await downloadModel(options({ retries: 2 }));
    assert.equal(hub.requests.filter((r) => r.range && r.url.includes('/cdn/')).length, 2);
    assert.equal(sha256(await readFile(path.join(result.dir, 'model.safetensors'))), sha256(weights().content));
  });

  it('rejects a file whose hash is wrong: nothing cached, no temp file left', async () => {
    hub.corrupt.add('model.safetensors');
    await assert.rejects(downloadModel(options()), rejectsWith('CORRUPT_MODEL', /model\.safetensors arrived damaged \(sha256 [0-9a-f]+ instead of [0-9a-f]+\)/));
    const left = await filesUnder(cacheDir);
    assert.ok(!left.some((f) => f.endsWith('model.safetensors') || f.endsWith('.part') || f.endsWith('.complete.json')), left.join(', '));
    assert.deepEqual(await listCachedModels(cacheDir), []);
  });

  it('reports a model the hub does not have', async () => {
    await assert.rejects(downloadModel(options({ id: 'test-org/no-such-model' })), rejectsWith('MODEL_NOT_FOUND', /test-org\/no-such-model.*not on/));
    await assert.rejects(downloadModel(options({ revision: 'v9' })), rejectsWith('MODEL_NOT_FOUND', /revision v9/));
    await assert.rejects(downloadModel(options({ id: '../../etc' })), rejectsWith('BAD_INPUT', /not a hub model id/));
  });

  it('cancels through an AbortSignal, removing the temp file', async () => {
    hub.stallAfter.set('model.safetensors', 4096);
    const controller = new AbortController();
    const pending = downloadModel(options({ signal: controller.signal }));
    const part = path.join(cacheDir, 'models', 'test-org--tiny-gpt2', 'main', 'model.safetensors.part');
    // Wait (bounded) until the stalled download has written its temp file, then cancel.
    for (let i = 0; i < 250 && !(await stat(part).catch(() => null))?.size; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await stat(part)).size > 0, 'the temp file exists while downloading');
    controller.abort();
    await assert.rejects(pending, rejectsWith('CANCELLED', /cancelled/));
    const left = await filesUnder(cacheDir);
    assert.ok(!left.some((f) => f.endsWith('.part') || f.endsWith('model.safetensors')), left.join(', '));
  });

  it('uses the cache when the hub cannot be reached, and says so', async () => {
    await downloadModel(options());
    const offline = await downloadModel(options({ hubUrl: 'http://127.0.0.1:9' }));
    assert.equal(offline.offline, true);
    assert.equal(offline.fromCache, true);
    assert.match(offline.notice ?? '', /offline .*ECONNREFUSED.*downloaded on \d{4}-\d{2}-\d{2}/);
    const engine = await loadModelFolder(offline.modelDir);
    await engine.dispose();
  });

  it('gives a clear error offline without a cached copy', async () => {
    await assert.rejects(
      downloadModel(options({ hubUrl: 'http://127.0.0.1:9' })),
      rejectsWith('MODEL_NOT_FOUND', /cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\).*not been downloaded before/),
    );
  });

  it('goes through an HTTP proxy (CONNECT) when given one', async () => {
    const proxy = await startFakeProxy();
    try {
      const result = await downloadModel(options({ proxy: proxy.url }));
      assert.equal(result.fromCache, false);
      assert.ok(proxy.tunnels.length > 0);
      assert.ok(proxy.tunnels.every((t) => t === new URL(hub.url).host));
    } finally {
      await proxy.close();
    }
  });

  it('refuses before downloading a model too large for WebAssembly memory, even kept 16-bit', async () => {
    hub.repos.set(
      'test-org/huge',
      new Map([
        [
          'main',
          [
            { path: 'config.json', content: new TextEncoder().encode('{"model_type":"llama","torch_dtype":"bfloat16"}') },
            { path: 'tokenizer.json', content: new TextEncoder().encode('{}') },
            { path: 'model.safetensors', content: new Uint8Array(8), listedSize: 6_600_000_000 },
          ],
        ],
      ]),
    );
    await assert.rejects(
      downloadModel(options({ id: 'test-org/huge' })),
      rejectsWith('UNSUPPORTED', /test-org\/huge needs about \d+\.\d\d GiB of WebAssembly memory \(6\.15 GiB of weights kept 16-bit, plus working memory\); WebAssembly is limited to 4\.00 GiB\. Nothing was downloaded/),
    );
    assert.ok(!hub.requests.some((r) => r.url.includes('/cdn/')));
    assert.deepEqual(await filesUnder(cacheDir), []);
  });

  it('refuses a repository that only has PyTorch pickles, before downloading', async () => {
    hub.repos.set(
      'test-org/pickled',
      new Map([['main', [{ path: 'config.json', content: new TextEncoder().encode('{}') }, { path: 'pytorch_model.bin', content: new Uint8Array(16) }]]]),
    );
    await assert.rejects(downloadModel(options({ id: 'test-org/pickled' })), rejectsWith('UNSUPPORTED', /pytorch_model\.bin.*pickle/));
  });

  it('lists and removes cached models', async () => {
    await downloadModel(options());
    const cached = await listCachedModels(cacheDir);
    assert.equal(cached.length, 1);
    assert.equal(cached[0].id, ID);
    assert.equal(cached[0].revision, 'main');
    assert.equal(cached[0].bytes, repo.filter((f) => f.path !== 'README.md').reduce((n, f) => n + f.content.length, 0));
    assert.equal(await removeCachedModel(cacheDir, ID), true);
    assert.deepEqual(await listCachedModels(cacheDir), []);
    assert.equal(await removeCachedModel(cacheDir, ID), false);
  });

  it('fetches config.json once: the bytes read for the size check are the ones cached', async () => {
    const result = await downloadModel(options());
    assert.equal(hub.requests.filter((r) => r.url.endsWith('/resolve/main/config.json')).length, 1);
    const config = repo.find((f) => f.path === 'config.json') as RepoFile;
    assert.equal(sha256(await readFile(path.join(result.dir, 'config.json'))), sha256(config.content));
    assert.equal(result.downloadedBytes, repo.filter((f) => f.path !== 'README.md').reduce((n, f) => n + f.content.length, 0));
  });

  it('checks the config.json read for the size check against the listing', async () => {
    hub.corrupt.add('config.json');
    await assert.rejects(downloadModel(options()), rejectsWith('CORRUPT_MODEL', /config\.json arrived damaged \(git sha1 [0-9a-f]+ instead of [0-9a-f]+\)/));
    assert.ok(!hub.requests.some((r) => r.url.includes('/cdn/')), 'no weights were fetched');
    assert.deepEqual(await listCachedModels(cacheDir), []);
  });

  it('keeps models in two subfolders of one repository apart: each complete, listed and removed on its own', async () => {
    const id = 'test-org/tinyllamas';
    const filesOf = (name: string): string[] => [`${name}/${name}.bin`, `${name}/tok512.bin`];
    const content = (file: string): Uint8Array => new TextEncoder().encode(`bytes of ${file}`);
    hub.repos.set(id, new Map([['main', ['small', 'large'].flatMap(filesOf).map((f) => ({ path: f, content: content(f) }))]]));
    const fetch = (name: string) => downloadModel(options({ id, subfolder: name, files: filesOf(name) }));
    const small = await fetch('small');
    const large = await fetch('large');
    assert.equal((await fetch('small')).fromCache, true, 'downloading the second model left the first complete');
    assert.equal((await fetch('large')).fromCache, true);
    const listed = await listCachedModels(cacheDir);
    assert.deepEqual(listed.map((c) => [c.subfolder, c.modelDir]).sort(), [
      ['large', large.modelDir],
      ['small', small.modelDir],
    ]);

    assert.equal(await removeCachedModel(cacheDir, id, 'main', 'small'), true);
    assert.deepEqual((await listCachedModels(cacheDir)).map((c) => c.subfolder), ['large']);
    assert.deepEqual(await filesUnder(small.modelDir), []);
    assert.deepEqual(await filesUnder(large.modelDir), ['large.bin', 'tok512.bin']);
    hub.requests.length = 0;
    assert.equal((await fetch('large')).fromCache, true);
    assert.ok(!hub.requests.some((r) => r.url.includes('/resolve/')), 'the remaining model was not fetched again');
  });

  it('replaces the shared manifest an older version wrote for a subfolder model, fetching nothing again', async () => {
    const id = 'test-org/tinyllamas';
    const files = ['small/small.bin', 'small/tok512.bin'];
    hub.repos.set(id, new Map([['main', files.map((f) => ({ path: f, content: new TextEncoder().encode(`bytes of ${f}`) }))]]));
    const first = await downloadModel(options({ id, subfolder: 'small', files }));
    const legacy = JSON.parse(await readFile(path.join(first.dir, '.complete.small.json'), 'utf8')) as Record<string, unknown>;
    delete legacy.subfolder;
    await rm(path.join(first.dir, '.complete.small.json'));
    await writeFile(path.join(first.dir, '.complete.json'), JSON.stringify(legacy));
    const again = await downloadModel(options({ id, subfolder: 'small', files }));
    assert.equal(again.downloadedBytes, 0);
    assert.deepEqual((await listCachedModels(cacheDir)).map((c) => c.subfolder), ['small']);
  });

  it('fetches a llama2.c model from a repository subfolder, as the catalog names it', async () => {
    const entry = catalogEntry('stories260K');
    assert.ok(entry);
    const files: RepoFile[] = [];
    for (const name of ['stories260K.bin', 'tok512.bin']) {
      files.push({ path: `stories260K/${name}`, content: await readFile(path.join(STORIES_DIR, name)) });
    }
    files.push({ path: 'stories15M.bin', content: new Uint8Array(64) });
    hub.repos.set(entry.id, new Map([[entry.revision, files]]));
    const result = await downloadModel(options({ id: entry.id, revision: entry.revision, files: entry.files, subfolder: entry.subfolder }));
    assert.deepEqual(await filesUnder(result.modelDir), ['stories260K.bin', 'tok512.bin']);
    const engine = await loadModelFolder(result.modelDir);
    try {
      assert.equal(engine.config.vocab, 512);
    } finally {
      await engine.dispose();
    }
  });
});

describe('model catalog', () => {
  it('lists the curated models with their download size and memory need', () => {
    assert.deepEqual(
      CATALOG.map((e) => e.key),
      ['stories260K', 'gpt2', 'distilgpt2', 'SmolLM2-135M', 'Qwen2.5-0.5B', 'TinyLlama-1.1B'],
    );
    for (const entry of CATALOG) {
      assert.ok(entry.downloadBytes > 0 && entry.requirement.memoryBytes > entry.requirement.weightBytes);
      assert.equal(entry.problem, null, entry.key);
    }
    // bench/memory.bench.ts loads and inspects Qwen2.5-0.5B- and TinyLlama-shaped checkpoints kept 16-bit.
    assert.equal(catalogEntry('Qwen2.5-0.5B')?.requirement.precision, 'stored16');
    assert.equal(catalogEntry('TinyLlama-1.1B')?.requirement.precision, 'stored16');
    assert.equal(catalogEntry('SmolLM2-135M')?.requirement.precision, 'float32');
  });
});
