/**
 * Attention Inspector used the way a person uses it, in a real VS Code workbench (VS Code server + Chromium
 * via Playwright) with the extension installed from the .vsix that `npm run package` builds: open a sample,
 * select with the keyboard, run the command from the palette, work the panel (layer, head, hover, compare),
 * read the editor hover, export a PNG through the save dialog. The steps run in order on one window; a
 * screenshot of each lands in test-results/e2e/.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type VscodeServer } from '../../scripts/vscode/server.mjs';
import { keepServerLog } from './helpers/inhost';
import { packagedVsix } from './helpers/packaged';
import { RESULTS_DIR, SAMPLES_DIR, STORIES_DIR } from './helpers/paths';
import { allowingServerInstall } from './helpers/timeouts';
import { canvasFingerprint, eventually, inkedPixels, openFileFromExplorer, panelFrame, runCommand } from './helpers/vscodeUi';
import { clearResults, launchBrowser, openWorkbench, screenshot, waitForWorkbench, type Workbench } from './helpers/workbench';

const TOP_K = 10;

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('e2e: the workbench UI with the packaged extension', function () {
  this.timeout(60_000);
  let server: VscodeServer;
  let browser: Browser;
  let workbench: Workbench;
  let page: Page;
  let arcsBefore = '';

  before(async function () {
    this.timeout(allowingServerInstall(180_000));
    clearResults('ui-');
    const vsix = packagedVsix();
    server = await startServer({
      vsix: [vsix.file],
      settings: { 'attentionInspector.modelFolder': STORIES_DIR, 'attentionInspector.topK': TOP_K, 'attentionInspector.defaultView': 'arcs' },
    });
    browser = await launchBrowser();
    workbench = await openWorkbench(browser, server.folderUrl(SAMPLES_DIR), { console: true });
    page = workbench.page;
    await waitForWorkbench(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `ui-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => {});
  });

  after(async () => {
    await browser?.close().catch(() => {});
    if (server) keepServerLog(server, 'ui-server.log');
    if (workbench) writeFileSync(path.join(RESULTS_DIR, 'ui-console.log'), `${workbench.log.join('\n')}\n`);
    await server?.stop();
  });

  it('opens a sample from the explorer', async () => {
    await openFileFromExplorer(page, 'story.txt');
    await page.locator('.view-lines', { hasText: 'Once upon a time' }).first().waitFor();
    await screenshot(page, 'ui-1-open');
  });

  it('selects a line with the keyboard and runs "Inspect Attention" from the command palette', async () => {
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+End');
    await runCommand(page, 'Inspect Attention');
    const frame = panelFrame(page);
    await frame.getByRole('tab', { name: 'Arcs' }).waitFor({ timeout: 30_000 });
    const canvas = frame.getByRole('tabpanel', { name: 'Arcs' }).locator('canvas');
    await eventually(() => inkedPixels(canvas), (n) => n > 1000, 'arcs drawn on the canvas');
    const options = frame.getByRole('listbox').first().getByRole('option');
    assert.ok((await options.count()) > 10, 'one option per token');
    arcsBefore = await canvasFingerprint(canvas);
    await screenshot(page, 'ui-2-inspect');
  });

  it('switches layer and head, and the arcs are redrawn', async () => {
    const frame = panelFrame(page);
    const canvas = frame.getByRole('tabpanel', { name: 'Arcs' }).locator('canvas');
    await frame.getByLabel('Layer', { exact: true }).selectOption({ label: 'Layer 3' });
    const afterLayer = await eventually(() => canvasFingerprint(canvas), (f) => f !== arcsBefore, 'the arcs of layer 3');
    await frame.getByRole('button', { name: 'Mean', exact: true }).click();
    await frame.getByRole('button', { name: 'H2', exact: true }).click();
    await eventually(() => frame.getByRole('button', { name: 'H2', exact: true }).getAttribute('aria-pressed'), (v) => v === 'true', 'head 2 selected');
    await eventually(() => canvasFingerprint(canvas), (f) => f !== afterLayer, 'the arcs of head 2 alone');
    assert.ok((await inkedPixels(canvas)) > 100, 'head 2 of layer 3 draws arcs');
    await screenshot(page, 'ui-3-layer-head');
  });

  it('hovering a token in the panel shows its top-k next tokens', async () => {
    const frame = panelFrame(page);
    await frame.getByRole('tab', { name: 'Next token' }).click();
    const view = frame.getByRole('tabpanel', { name: 'Next token' });
    const token = view.getByRole('listbox', { name: /^Tokens/ }).getByRole('option').nth(4);
    const label = (await token.innerText()).trim();
    await token.hover();
    const details = frame.getByRole('complementary', { name: 'Next-token probabilities' });
    await eventually(() => details.innerText(), (text) => /token 4 of \d+/.test(text), 'the guesses after token 4');
    assert.ok((await details.innerText()).includes(label), `the details name the hovered token "${label}"`);
    const bars = details.getByRole('list', { name: 'Most likely next tokens' }).getByRole('listitem');
    assert.equal(await bars.count(), TOP_K, `${TOP_K} guesses listed`);
    const first = (await bars.first().innerText()).replace(/\s+/g, ' ').trim();
    assert.match(first, /^1 .+ \d+(\.\d+)?%$/, `rank 1, a token and a probability: ${first}`);
    await screenshot(page, 'ui-4-panel-hover');
  });

  it('compares two heads side by side', async () => {
    const frame = panelFrame(page);
    await frame.getByRole('tab', { name: 'Compare' }).click();
    await frame.getByLabel('Map A layer').selectOption({ label: 'Layer 1' });
    await frame.getByLabel('Map A head').selectOption({ label: 'Head 3' });
    await frame.getByLabel('Map B layer').selectOption({ label: 'Layer 4' });
    await frame.getByLabel('Map B head').selectOption({ label: 'Head 6' });
    for (const map of ['Map A', 'Map B']) {
      const canvas = frame.getByRole('img', { name: map, exact: true });
      await eventually(() => inkedPixels(canvas), (n) => n > 1000, `${map} painted`);
    }
    await screenshot(page, 'ui-5-compare');
  });

  it('hovering an inspected word in the editor shows the model guesses', async () => {
    // Cursor into "little" on line 1 (Go to Line/Column), then Show Hover from the keyboard: exact, unlike a
    // mouse position over a horizontally scrolled editor.
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(':1:31');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover', { hasText: 'what the model expects next' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await hover.innerText();
    assert.match(text, /little · token \d+ of \d+/, text);
    assert.match(text, /Entropy: [\d.]+ nats/);
    await screenshot(page, 'ui-6-editor-hover');
    await page.keyboard.press('Escape');
  });

  it('exports the view as a PNG through the save dialog', async () => {
    const file = path.join(RESULTS_DIR, 'ui-export.png');
    rmSync(file, { force: true });
    await panelFrame(page).getByRole('tab', { name: 'Arcs' }).click();
    await runCommand(page, 'Export View as PNG');
    // The workbench asks where to save with its own dialog: a path box in the quick input.
    const input = page.locator('.quick-input-widget input');
    await eventually(() => input.inputValue(), (v) => v.endsWith('.png'), 'the save dialog proposes a .png name');
    await input.fill(file);
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
    await eventually(async () => existsSync(file), Boolean, `${file} written`);
    const { width, height } = pngSize(file);
    assert.ok(width >= 200 && height >= 100, `a real image: ${width}x${height}`);
    await screenshot(page, 'ui-7-export');
  });
});
