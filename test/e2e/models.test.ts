/**
 * Choosing, downloading, cancelling and deleting models in a real VS Code workbench (VS Code server +
 * Chromium via Playwright) with the packaged extension, against a stand-in hub on 127.0.0.1 that the
 * extension reaches through ATTENTION_INSPECTOR_HUB_URL: the "Select Model…" picker and its download
 * notification, a slow download cancelled from that notification, and "Manage Downloaded Models…". The
 * steps run in order on one window; a screenshot of each lands in test-results/e2e/ (models-*.png).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startServer, type VscodeServer } from '../../scripts/vscode/server.mjs';
import { filesUnder } from '../helpers/assertions';
import { keepServerLog } from './helpers/inhost';
import { SLOW_REPO, SLOW_WEIGHTS, startModelHub, STORIES_REPO, TINY_REPO, type ModelHub } from './helpers/modelHub';
import { packagedVsix } from './helpers/packaged';
import { REPO_ROOT, RESULTS_DIR, SAMPLES_DIR } from './helpers/paths';
import { allowingServerInstall } from './helpers/timeouts';
import {
  eventually,
  inkedPixels,
  notificationToast,
  openFileFromExplorer,
  panelFrame,
  quickPickRows,
  runCommand,
  runCommandWhenListed,
  statusBarItem,
} from './helpers/vscodeUi';
import { clearResults, launchBrowser, openWorkbench, screenshot, waitForWorkbench, type Workbench } from './helpers/workbench';

const SELECT_MODEL = 'Attention Inspector: Select Model';
const MANAGE_MODELS = 'Attention Inspector: Manage Downloaded Models';
const MODEL_STATUS = 'attentionInspector.model';
/** A curated size and memory need as the picker words them: "1.0 MiB download, needs about 769.0 MiB of memory". */
const SIZES = /\d+(\.\d+)? (KiB|MiB|GiB) download, needs about \d+(\.\d+)? (MiB|GiB) of memory/;

/** The download cache inside the extension's global storage in the server's profile (extensions.ts: HUB_CACHE_FOLDER). */
function hubCacheDir(server: VscodeServer): string {
  const { publisher, name } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string };
  return path.join(server.profile.userDataDir, 'User', 'globalStorage', `${publisher}.${name}`, 'hub');
}

/** The cache folder of a repository's main revision (cache.ts: models/{owner}--{name}/{revision}). */
function repoDir(cache: string, repo: string): string {
  return path.join(cache, 'models', repo.replace('/', '--'));
}

describe('e2e: choosing, downloading and deleting models in the workbench', function () {
  this.timeout(60_000);
  let hub: ModelHub;
  let server: VscodeServer;
  let browser: Browser;
  let workbench: Workbench;
  let page: Page;
  let cache: string;

  before(async function () {
    this.timeout(allowingServerInstall(180_000));
    clearResults('models-');
    const vsix = packagedVsix();
    hub = await startModelHub();
    server = await startServer({
      vsix: [vsix.file],
      // A model chosen earlier and never downloaded; an inherited model folder would win over every choice.
      settings: { 'attentionInspector.model': 'gpt2' },
      env: { ATTENTION_INSPECTOR_HUB_URL: hub.url, ATTENTION_INSPECTOR_MODEL_DIR: '' },
    });
    cache = hubCacheDir(server);
    browser = await launchBrowser();
    workbench = await openWorkbench(browser, server.folderUrl(SAMPLES_DIR), { console: true });
    page = workbench.page;
    await waitForWorkbench(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `models-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => {});
  });

  after(async () => {
    await browser?.close().catch(() => {});
    if (server) keepServerLog(server, 'models-server.log');
    if (workbench) writeFileSync(path.join(RESULTS_DIR, 'models-console.log'), `${workbench.log.join('\n')}\n`);
    await server?.stop();
    await hub?.close();
  });

  /**
   * Selects line `line` (1-based) of the open editor, or its first `words` words, and runs Inspect
   * Attention; resolves when the panel shows the result.
   */
  async function inspectLine(line: number, model: string, words?: number): Promise<void> {
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    if (words === undefined) await page.keyboard.press('Shift+End');
    else for (let i = 0; i < words; i++) await page.keyboard.press('Control+Shift+ArrowRight');
    await runCommand(page, 'Inspect Attention');
    const frame = panelFrame(page);
    const header = frame.locator('header');
    await eventually(() => header.innerText().catch(() => ''), (text) => text.includes(model) && text.includes(`line ${line}`), `the panel showing line ${line} inspected by ${model}`, 30_000);
    const canvas = frame.getByRole('tabpanel', { name: 'Arcs' }).locator('canvas');
    await eventually(() => inkedPixels(canvas), (n) => n > 100, 'arcs drawn on the canvas');
  }

  /** Waits for a notification's fade-in to end, so that a screenshot shows it whole. */
  async function faded(toast: Locator): Promise<void> {
    await toast.and(page.locator('.notification-fade-in-done')).waitFor({ state: 'visible' });
  }

  async function openPicker(): Promise<void> {
    await runCommandWhenListed(page, SELECT_MODEL);
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Select Model' }).waitFor({ state: 'visible' });
    await quickPickRows(page).first().waitFor({ state: 'visible' });
  }

  /** Picker → "Enter a model id…" → the id typed into the input box, as a person does it. */
  async function enterModelId(id: string): Promise<void> {
    await openPicker();
    await quickPickRows(page).filter({ hasText: 'Enter a model id' }).click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Enter a Model Id' }).waitFor({ state: 'visible' });
    await page.locator('.quick-input-widget input').fill(id);
    await page.keyboard.press('Enter');
  }

  it('the model picker lists the curated models with their sizes, "Enter a model id…" and "Choose a local folder…"', async () => {
    await openPicker();
    const rows = quickPickRows(page);
    const stories = await rows.filter({ hasText: /^\s*stories260K/ }).innerText();
    assert.match(stories, SIZES, stories);
    assert.match(stories, /1\.0 MiB download/, stories);
    assert.match(stories, /downloads when chosen/, stories);
    const gpt2 = await rows.filter({ hasText: 'GPT-2 small' }).innerText();
    assert.match(gpt2, SIZES, gpt2);
    assert.match(gpt2, /in use/, `the model of the setting is marked: ${gpt2}`);
    assert.match(await rows.filter({ hasText: 'Enter a model id' }).innerText(), /owner\/name/);
    assert.match(await rows.filter({ hasText: 'Choose a local folder' }).innerText(), /already on this machine/);
    await screenshot(page, 'models-01-picker');
    await page.keyboard.press('Escape');
  });

  it('choosing stories260K downloads it with a progress notification, and Inspect Attention runs on it', async () => {
    // About 3 s for its 1 MiB: long enough to see the notification count up.
    hub.throttle.set('/stories260K.bin', 320 * 1024);
    await openPicker();
    await quickPickRows(page).filter({ hasText: /^\s*stories260K/ }).click();
    const toast = notificationToast(page, 'downloading stories260K');
    await faded(toast);
    await eventually(() => toast.innerText().catch(() => ''), (text) => /of 1\.0 MiB \([1-9]\d?%\)/.test(text), 'the download notification counting up');
    await screenshot(page, 'models-02-downloading');
    await toast.waitFor({ state: 'detached', timeout: 30_000 });
    await eventually(() => statusBarItem(page, MODEL_STATUS).innerText(), (text) => text.trim() === 'stories260K', 'the status bar naming stories260K');
    assert.deepEqual(
      (await filesUnder(repoDir(cache, STORIES_REPO))).filter((f) => !f.includes('/.complete')),
      ['main/stories260K/stories260K.bin', 'main/stories260K/tok512.bin'],
    );
    await openFileFromExplorer(page, 'story.txt');
    await inspectLine(1, 'stories260K');
    await screenshot(page, 'models-03-inspect');
  });

  it('cancelling the hub check of a downloaded model keeps it', async () => {
    // Choosing a downloaded model asks the hub whether it changed; its listing trickles in here.
    const listing = `/${STORIES_REPO}/tree/main`;
    hub.throttle.set(listing, 16);
    await openPicker();
    const row = quickPickRows(page).filter({ hasText: /^\s*stories260K/ });
    assert.match(await row.innerText(), /in use\n.*; downloaded/, 'the picker says it is downloaded and in use');
    const listed = hub.hub.requests.filter((r) => r.url.includes(listing)).length;
    await row.click();
    const toast = notificationToast(page, 'checking stories260K for changes on the hub');
    await toast.filter({ hasText: 'asking the hub for its files' }).waitFor({ state: 'visible' });
    await eventually(async () => hub.hub.requests.filter((r) => r.url.includes(listing)).length, (n) => n > listed, 'the hub asked for the listing');
    await faded(toast);
    await screenshot(page, 'models-04-check-cancel');
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await toast.waitFor({ state: 'detached', timeout: 10_000 });
    await eventually(async () => hub.abandoned.filter((p) => p.endsWith(listing)).length, (n) => n > 0, 'the listing abandoned');
    hub.throttle.delete(listing);
    assert.deepEqual(
      (await filesUnder(repoDir(cache, STORIES_REPO))).filter((f) => !f.includes('/.complete')),
      ['main/stories260K/stories260K.bin', 'main/stories260K/tok512.bin'],
      'the downloaded copy stays',
    );
    await runCommandWhenListed(page, MANAGE_MODELS);
    await quickPickRows(page).filter({ hasText: /^\s*stories260K/ }).waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    assert.equal((await statusBarItem(page, MODEL_STATUS).innerText()).trim(), 'stories260K');
  });

  it('cancelling a slow download from its notification leaves nothing behind, and the model in use still works', async () => {
    // 8 MiB at 256 KiB/s: half a minute, far longer than the test waits before cancelling.
    hub.throttle.set(`/${SLOW_WEIGHTS}`, 256 * 1024);
    await enterModelId(SLOW_REPO);
    const toast = notificationToast(page, `downloading ${SLOW_REPO}`);
    await faded(toast);
    await eventually(() => toast.innerText().catch(() => ''), (text) => /\([1-9]\d?%\).*model\.safetensors/s.test(text), 'the slow download under way');
    const slowDir = repoDir(cache, SLOW_REPO);
    await eventually(() => filesUnder(slowDir), (files) => files.includes(`main/${SLOW_WEIGHTS}.part`), 'the partial file being written');
    await screenshot(page, 'models-05-slow-download');

    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await toast.waitFor({ state: 'detached', timeout: 10_000 });
    await eventually(async () => existsSync(slowDir), (exists) => !exists, `${slowDir} removed`);
    assert.deepEqual((await filesUnder(cache)).filter((f) => f.endsWith('.part')), [], 'no partial file left in the cache');
    assert.ok(hub.abandoned.some((p) => p.endsWith(`/${SLOW_WEIGHTS}`)), 'the transfer stopped before its last byte');
    assert.equal(await notificationToast(page, SLOW_REPO).count(), 0, 'a cancel is not reported as an error');
    assert.equal((await statusBarItem(page, MODEL_STATUS).innerText()).trim(), 'stories260K', 'the model in use is unchanged');

    await inspectLine(2, 'stories260K');
    await screenshot(page, 'models-06-after-cancel');
  });

  it('"Enter a model id…" downloads a Hugging Face model from the hub and makes it the model in use', async () => {
    await enterModelId(TINY_REPO);
    await eventually(() => statusBarItem(page, MODEL_STATUS).innerText(), (text) => text.trim() === TINY_REPO, `the status bar naming ${TINY_REPO}`, 30_000);
    assert.ok((await filesUnder(repoDir(cache, TINY_REPO))).includes('main/model.safetensors'), 'its weights are in the cache');
    // Its context is 64 tokens of single bytes and a few merges: a whole line of the story is too long.
    await inspectLine(1, TINY_REPO, 6);
    await screenshot(page, 'models-07-model-id');
  });

  it('"Manage Downloaded Models…" lists the cache with sizes and deletes a model after a confirmation', async () => {
    await runCommandWhenListed(page, MANAGE_MODELS);
    const title = page.locator('.quick-input-widget .quick-input-title');
    await eventually(() => title.innerText(), (text) => /2 downloaded models, [\d.]+ (KiB|MiB) in all/.test(text), 'the cache summary as the title');
    const rows = quickPickRows(page);
    assert.equal(await rows.count(), 2);
    const stories = rows.filter({ hasText: /^\s*stories260K/ });
    assert.match(await stories.innerText(), /1\.0 MiB/);
    assert.match(await rows.filter({ hasText: TINY_REPO }).innerText(), /[\d.]+ (KiB|MiB), in use/);
    await stories.click();
    await eventually(() => stories.getAttribute('aria-checked'), (v) => v === 'true', 'stories260K ticked');
    await screenshot(page, 'models-08-manage');

    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.innerText(), /Delete stories260K, 1\.0 MiB, from the download cache\?/);
    await screenshot(page, 'models-09-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Delete' }).click();

    await notificationToast(page, 'Deleted stories260K from the download cache').waitFor({ state: 'visible' });
    assert.ok(!existsSync(repoDir(cache, STORIES_REPO)), 'its files are gone');
    assert.ok((await filesUnder(repoDir(cache, TINY_REPO))).includes('main/model.safetensors'), 'the other model stays');

    await runCommandWhenListed(page, MANAGE_MODELS);
    await eventually(() => title.innerText(), (text) => text.includes('1 downloaded model,'), 'the cache summary after the deletion');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), new RegExp(TINY_REPO));
    await screenshot(page, 'models-10-after-delete');
    await page.keyboard.press('Escape');
  });
});
