import assert from 'node:assert/strict';
import { CATALOG, type CatalogEntry } from '../../src/engine/hub/catalog';
import { estimateRequirement, requirementProblem } from '../../src/engine/hub/requirements';
import { cachedName, cachedRows, cacheSummary, removalQuestion } from '../../src/extension/cachedModelItems';
import { buildPickRows, pickerPlaceholder, type CachedCopy, type ModelRow, type PickRow } from '../../src/extension/modelPickItems';
import { resolveModel, type ModelChoice } from '../../src/extension/modelResolver';

const base = { folderSetting: '', env: undefined, modelSetting: '', workspaceFolder: '/ws', home: '/home/me' };
const builtIn = resolveModel(base);
const gpt2Choice = resolveModel({ ...base, modelSetting: 'gpt2' });

const stories: CachedCopy & { dir: string } = {
  id: 'karpathy/tinyllamas',
  revision: 'main',
  files: [
    { path: 'stories260K/stories260K.bin', size: 1_056_540 },
    { path: 'stories260K/tok512.bin', size: 6_227 },
  ],
  bytes: 1_062_767,
  downloadedAt: '2025-01-02T03:04:05.000Z',
  dir: '/cache/models/karpathy--tinyllamas/main',
};
const custom: CachedCopy & { dir: string } = {
  id: 'test-org/tiny-gpt2',
  revision: 'dev',
  files: [{ path: 'model.safetensors', size: 3 * 2 ** 20 }],
  bytes: 3 * 2 ** 20,
  downloadedAt: '2025-02-03T00:00:00.000Z',
  dir: '/cache/models/test-org--tiny-gpt2/dev',
};

const models = (rows: PickRow[]): ModelRow[] => rows.filter((r): r is ModelRow => r.kind === 'model');
const byKey = (rows: PickRow[], key: string): ModelRow => {
  const row = models(rows).find((r) => r.spec.catalogKey === key);
  assert.ok(row, key);
  return row;
};

describe('extension: model picker rows', () => {
  it('lists every curated model with its download size, memory need and cache state', () => {
    const rows = buildPickRows({ catalog: CATALOG, cached: [stories], current: builtIn });
    assert.deepEqual(
      models(rows).map((r) => r.spec.catalogKey),
      CATALOG.map((e) => e.key),
    );
    const s = byKey(rows, 'stories260K');
    assert.equal(s.label, '$(check) stories260K');
    assert.match(s.description, /in use$/);
    assert.match(s.detail, /^1\.0 MiB download, needs about \d+\.\d MiB of memory; downloaded$/);
    assert.equal(s.cached, true);
    assert.equal(s.inUse, true);
    const g = byKey(rows, 'gpt2');
    assert.equal(g.label, '$(cloud-download) gpt2');
    assert.equal(g.description, 'GPT-2 small (124M)');
    assert.match(g.detail, /^526\.\d MiB download, needs about \d+\.\d+ (MiB|GiB) of memory; downloads when chosen$/);
    assert.equal(g.refusal, null);
  });

  it('offers the larger models with the memory they need kept 16-bit', () => {
    const rows = buildPickRows({ catalog: CATALOG, cached: [], current: builtIn });
    const qwen = byKey(rows, 'Qwen2.5-0.5B');
    assert.equal(qwen.label, '$(cloud-download) Qwen2.5-0.5B');
    assert.match(qwen.detail, /^949\.\d MiB download, needs about 2\.\d+ GiB of memory; downloads when chosen$/);
    assert.equal(qwen.refusal, null);
    assert.match(byKey(rows, 'TinyLlama-1.1B').detail, /^2\.\d+ GiB download, needs about 3\.\d+ GiB of memory; downloads when chosen$/);
  });

  it('shows a model too large for the engine with the reason, size and limit, and refuses it', () => {
    // Every curated model fits today; a 3B bfloat16 entry stands for one that would not.
    const requirement = estimateRequirement([{ path: 'model.safetensors', size: 6_000_000_000 }], 2);
    const huge: CatalogEntry = {
      ...CATALOG[1],
      key: 'Huge-3B',
      label: 'Huge 3B',
      id: 'test-org/huge',
      parameters: 3_000_000_000,
      storedBytesPerWeight: 2,
      downloadBytes: requirement.downloadBytes,
      requirement,
      problem: requirementProblem('Huge 3B', requirement),
    };
    const row = byKey(buildPickRows({ catalog: [...CATALOG, huge], cached: [], current: builtIn }), 'Huge-3B');
    assert.equal(row.label, '$(circle-slash) Huge-3B');
    assert.match(row.detail, /^5\.\d+ GiB download, needs about \d+\.\d+ GiB of memory: too large for this engine\. .*kept 16-bit.*WebAssembly is limited to 4\.00 GiB\.$/);
    assert.match(row.refusal ?? '', /^Huge-3B cannot run here: .*4\.00 GiB\. It is a 5\.\d+ GiB download; nothing was downloaded/);
  });

  it('adds other downloaded models, then the id box and the folder choice', () => {
    const rows = buildPickRows({ catalog: CATALOG, cached: [stories, custom], current: resolveModel({ ...base, modelSetting: 'test-org/tiny-gpt2@dev' }) });
    const other = models(rows).find((r) => r.spec.id === 'test-org/tiny-gpt2');
    assert.ok(other);
    assert.equal(other.label, '$(check) test-org/tiny-gpt2@dev');
    assert.equal(other.description, 'downloaded, in use');
    assert.equal(other.detail, '3.0 MiB on disk, downloaded 2025-02-03');
    assert.equal(byKey(rows, 'stories260K').label, '$(pass) stories260K', 'downloaded, not in use');
    assert.deepEqual(
      rows.filter((r) => r.kind !== 'model').map((r) => r.kind),
      ['separator', 'separator', 'separator', 'enter-id', 'folder'],
    );
    assert.deepEqual(rows.slice(-2).map((r) => r.label), ['$(edit) Enter a model id…', '$(folder-opened) Choose a local folder…']);
    assert.ok(rows.some((r) => r.kind === 'separator' && r.label === 'Other downloaded models'));
    const plain = buildPickRows({ catalog: CATALOG, cached: [stories], current: builtIn });
    assert.ok(!plain.some((r) => r.kind === 'separator' && r.label === 'Other downloaded models'), 'no empty section');
  });

  it('says in the placeholder what is in use and why', () => {
    assert.equal(pickerPlaceholder(builtIn), 'In use: stories260K (the built-in model). Choose a model to download and use');
    assert.match(pickerPlaceholder(resolveModel({ ...base, folderSetting: '/m/my-model' })), /^In use: my-model \(from the setting attentionInspector\.modelFolder\)/);
    assert.match(pickerPlaceholder(resolveModel({ ...base, modelSetting: 'nope' })), /attentionInspector\.model \("nope"\) is not a model/);
  });
});

describe('extension: downloaded models list', () => {
  it('names cached copies by their curated name, with size, date and use', () => {
    assert.equal(cachedName(stories), 'stories260K');
    assert.equal(cachedName({ ...stories, revision: 'v2' }), 'stories260K@v2');
    assert.equal(cachedName(custom), 'test-org/tiny-gpt2@dev');
    const rows = cachedRows([stories, custom], builtIn);
    assert.deepEqual(
      rows.map((r) => [r.label, r.description, r.detail, r.inUse]),
      [
        ['stories260K', '1.0 MiB, in use', 'karpathy/tinyllamas (main), downloaded 2025-01-02', true],
        ['test-org/tiny-gpt2@dev', '3.0 MiB', 'test-org/tiny-gpt2 (dev), downloaded 2025-02-03', false],
      ],
    );
    const folderChoice: ModelChoice = { kind: 'folder', dir: stories.dir, origin: 'folder-setting' };
    assert.ok(cachedRows([stories], folderChoice).every((r) => !r.inUse), 'a folder choice uses no cached copy');
    assert.ok(cachedRows([stories], gpt2Choice).every((r) => !r.inUse));
    assert.equal(cacheSummary([stories, custom]), '2 downloaded models, 4.0 MiB in all');
    assert.equal(cacheSummary([custom]), '1 downloaded model, 3.0 MiB in all');
  });

  it('asks before deleting, naming the models, their size and the one in use', () => {
    const rows = cachedRows([stories, custom], builtIn);
    assert.equal(removalQuestion([rows[1]]), 'Delete test-org/tiny-gpt2@dev, 3.0 MiB, from the download cache?');
    assert.equal(
      removalQuestion(rows),
      'Delete 2 models (stories260K, test-org/tiny-gpt2@dev), 4.0 MiB, from the download cache? stories260K is the model in use: it will be downloaded again the next time you inspect text.',
    );
  });
});
