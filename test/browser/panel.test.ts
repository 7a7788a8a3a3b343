/**
 * The panel bundle in real Chromium, fed a real stories260K result. Assertions read pixels from the
 * canvases (not only the DOM) and compare text with the engine's own numbers. Screenshots of every step
 * land in test-results/browser/.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { PanelSettings, PanelState } from '../../src/shared/protocol';
import { argMax } from '../../src/webview/attentionMath';
import { exportSize, EXPORT_LEGEND_HEIGHT, EXPORT_SCALE, EXPORT_TITLE_HEIGHT } from '../../src/webview/exportLayout';
import { formatPercent, formatWeight } from '../../src/webview/format';
import { gridGeometry, thumbOrigin } from '../../src/webview/gridLayout';
import { heatmapGeometry } from '../../src/webview/heatmapLayout';
import { quoteLabel } from '../../src/webview/tokenLabels';
import { engineFixture, type EngineFixture } from './engineFixture';
import { openPanel, screenshot, setTheme, settle, startHarness, type Harness, type PanelPage } from './harness';
import { canvasInk, canvasPixel, contrast, hexRgb, luma, lumaRange, type Rect, type Rgb } from './pixels';
import { decodePng, countNonBackground } from './pngDecode';
import { THEMES } from './themes';

const SETTINGS: PanelSettings = { defaultView: 'arcs', colorScheme: 'theme', topK: 10 };
const LIGHT_BG = hexRgb(THEMES.light.vars['editor-background']);
const ARCS_OVERVIEW = '#view-arcs canvas.arcs-overview';
const ARCS_FOCUS = '#view-arcs canvas.arcs-focus';
const HEATMAP = '#view-heatmap canvas.heatmap-canvas';

describe('panel in Chromium (stories260K)', function () {
  let harness: Harness;
  let fx: EngineFixture;
  let panel: PanelPage | null = null;

  before(async function () {
    this.timeout(60_000);
    [harness, fx] = await Promise.all([startHarness(), engineFixture()]);
  });
  after(async () => {
    await harness?.close();
  });
  afterEach(async () => {
    const p = panel;
    panel = null;
    await p?.close();
  });

  async function open(options: Parameters<typeof openPanel>[2] = {}): Promise<PanelPage> {
    panel = await openPanel(harness, fx, options);
    return panel;
  }

  /** Sends settings and a result, and waits until the first view has drawn. */
  async function loaded(options: Parameters<typeof openPanel>[2] = {}, settings = SETTINGS): Promise<PanelPage> {
    const p = await open(options);
    await p.host.send({ type: 'settings', settings });
    await p.host.send({ type: 'result', result: fx.meta(1) });
    await p.page.waitForFunction(() => performance.getEntriesByName('ai:first-draw').length > 0);
    await settle(p.page);
    return p;
  }

  async function showView(page: Page, view: string): Promise<void> {
    await page.click(`#tab-${view}`);
    await page.waitForSelector(`#view-${view}`, { state: 'visible' });
    await page.waitForFunction((v) => {
      const notices = document.querySelectorAll<HTMLElement>(`#view-${v} .layer-notice`);
      return [...notices].every((e) => e.hidden);
    }, view);
    await settle(page);
  }

  /** Arc pixels on screen: the focus layer, plus the overview layer while it is visible. */
  async function arcsInk(page: Page, rect: Rect | null = null, bg: Rgb | null = null): Promise<number> {
    const overviewShown = await page.locator(ARCS_OVERVIEW).evaluate((c) => getComputedStyle(c).visibility !== 'hidden');
    return (await canvasInk(page, ARCS_FOCUS, bg, rect)) + (overviewShown ? await canvasInk(page, ARCS_OVERVIEW, bg, rect) : 0);
  }

  /** Box of a token chip relative to the arcs canvas. */
  async function chipBox(page: Page, index: number): Promise<{ x: number; y: number; w: number; h: number }> {
    return page.evaluate(
      ({ index, canvas }) => {
        const c = document.querySelector(canvas)!.getBoundingClientRect();
        const r = document.querySelector(`#view-arcs .token[data-index="${index}"]`)!.getBoundingClientRect();
        return { x: r.left - c.left, y: r.top - c.top, w: r.width, h: r.height };
      },
      { index, canvas: ARCS_OVERVIEW },
    );
  }

  it('starts empty, and after a reload shows the restored source with a Re-run button', async () => {
    const restored: PanelState = { source: { fileName: 'story.md', uri: 'file:///home/reader/notes/story.md', startLine: 2, endLine: 3, startOffset: 0, version: 1 }, view: 'heatmap', layer: 1, heads: [2], compare: [], threshold: 0.1 };
    const { page, host } = await open({ state: restored });
    assert.equal(host.received[0].type, 'ready');
    await page.waitForSelector('.screen .button');
    assert.match(await page.textContent('.screen') ?? '', /story\.md, lines 3–4/);
    await screenshot(page, '01-restored');
    await page.click('.screen .button');
    await host.waitFor((m) => m.type === 'rerun');
    await host.send({ type: 'loading', message: 'Running stories260K on story.md…' });
    await page.waitForSelector('.progress');
    assert.match(await page.textContent('.screen') ?? '', /Running stories260K/);
    await host.send({ type: 'result', result: fx.meta(1) });
    await page.waitForSelector('#view-heatmap', { state: 'visible' });
    assert.equal(await page.locator('#view-heatmap').getByLabel('Layer', { exact: true }).inputValue(), '1', 'restored layer');
    assert.equal(await page.getAttribute('#view-heatmap [data-head="2"]', 'aria-pressed'), 'true', 'restored head');
  });

  it('an error about other text names that text and offers no Re-run of the last result', async () => {
    const { page, host } = await loaded();
    const last = fx.meta(1).source;
    const other = { ...last, startLine: 9, endLine: 9, startOffset: 400 };
    await host.send({ type: 'error', message: 'The selection is too long: it is 600 tokens.', source: other });
    await page.waitForSelector('.screen .is-error');
    assert.match(await page.textContent('.screen') ?? '', /too long.*Source story\.md, line 10$/);
    assert.equal(await page.locator('.screen .button').count(), 0, 'Re-run would repeat lines 3-4, not line 10');
    await host.send({ type: 'error', message: 'The engine stopped.', source: last });
    await page.waitForSelector('.screen .button');
    assert.match(await page.textContent('.screen') ?? '', /stopped.*story\.md, lines 3–4/);
  });

  it('Arcs: draws every head, and hovering a token leaves only its arcs', async () => {
    const { page, host } = await loaded();
    const T = fx.result.tokens.length;
    assert.match(await page.textContent('.title-line') ?? '', new RegExp(`stories260K.*story\\.md, lines 3–4.*${T} tokens`));
    const requests = host.ofType('requestLayer');
    assert.deepEqual(requests.map((r) => r.layer), [0], 'only the shown layer is requested');
    const overview = await arcsInk(page);
    assert.ok(overview > 2000, `the overview draws arcs (${overview} px)`);
    await screenshot(page, '02-arcs-overview');

    // The query token with the most spread-out attention, and a key it ignores but others attend to.
    const layer0 = fx.layer(0);
    const q = 40;
    const heads = fx.result.model.heads;
    const weightTo = (query: number, key: number): number => Math.max(...Array.from({ length: heads }, (_, h) => layer0[(h * T + query) * T + key]));
    const ignored = Array.from({ length: q }, (_, k) => k).filter((k) => weightTo(q, k) < 0.05 && [k - 2, k - 1, k + 1, k + 2].every((n) => n < 0 || n >= T || weightTo(q, n) < 0.05));
    const incoming = (k: number): number => Array.from({ length: T }, (_, qq) => weightTo(qq, k)).filter((w) => w >= 0.05).length;
    const j = ignored.sort((a, b) => incoming(b) - incoming(a))[0];
    assert.ok(j !== undefined && incoming(j) > 0, 'the story has a token the hovered one ignores');
    const jBox = await chipBox(page, j);
    const endRegion = { x: Math.round(jBox.x + jBox.w / 2 - 2), y: Math.round(jBox.y - 3), w: 4, h: 3 };
    assert.ok((await arcsInk(page, endRegion)) > 0, 'in the overview, arcs end at the ignored token');

    await page.hover(`#view-arcs .token[data-index="${q}"]`);
    await settle(page);
    const hovered = await arcsInk(page);
    assert.ok(hovered > 0 && hovered < overview / 2, `hovering leaves only that token's arcs (${hovered} vs ${overview} px)`);
    assert.equal(await arcsInk(page, endRegion), 0, 'no arc ends at a token the hovered one ignores');
    assert.match(await page.textContent('.details-line') ?? '', new RegExp(`token ${q}`));
    await screenshot(page, '03-arcs-hover');

    await page.click('#view-arcs [data-value="key"]');
    await settle(page);
    const asKey = await arcsInk(page);
    assert.notEqual(asKey, hovered, 'as key, the arcs of the queries that attend to it are drawn instead');
    await page.click('#view-arcs [data-value="query"]');

    await page.click(`#view-arcs .token[data-index="${q}"]`);
    await host.waitFor((m) => m.type === 'revealToken' && m.index === q);
    await page.mouse.move(5, 5);
    await settle(page);
    assert.equal(await arcsInk(page), hovered, 'a click locks the hover');
    await page.hover(`#view-arcs .token[data-index="${q + 3}"]`);
    await settle(page);
    assert.notEqual(await arcsInk(page), hovered, 'hover wins over the lock');

    await page.mouse.move(5, 5);
    await page.click('#view-arcs [data-head="5"]', { modifiers: ['Alt'] });
    await page.click(`#view-arcs .token[data-index="${q}"]`);
    await settle(page);
    const oneHead = await arcsInk(page);
    assert.ok(oneHead > 0 && oneHead < overview, 'one head, unlocked: its overview only');
  });

  it('Heatmap: the largest weight is the most intense cell, and hovering names both tokens', async () => {
    const { page } = await loaded();
    await showView(page, 'heatmap');
    await page.locator('#view-heatmap').getByLabel('Layer', { exact: true }).selectOption('2');
    await page.click('#view-heatmap [data-head="3"]', { modifiers: ['Alt'] });
    await showView(page, 'heatmap');
    const T = fx.result.tokens.length;
    const matrix = fx.layer(2).subarray(3 * T * T, 4 * T * T);
    const best = argMax(matrix);
    const box = await page.evaluate(() => {
      const body = document.querySelector<HTMLElement>('#view-heatmap .heatmap-body')!;
      const s = getComputedStyle(body);
      return { w: body.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight), h: body.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom) };
    });
    const g = heatmapGeometry(T, box.w, box.h);
    const cellCentre = (q: number, k: number): [number, number] => [g.left + (k + 0.5) * g.cell, g.top + (q + 0.5) * g.cell];
    const [bx, by] = cellCentre(Math.floor(best / T), best % T);
    const bestLuma = luma(await canvasPixel(page, HEATMAP, bx, by));
    const side = Math.floor(g.cell * T);
    const range = await lumaRange(page, HEATMAP, { x: Math.ceil(g.left), y: Math.ceil(g.top), w: side - 1, h: side - 1 });
    assert.ok(bestLuma <= range.min + 0.5, `the largest weight's cell (luma ${bestLuma.toFixed(1)}) is the darkest (${range.min.toFixed(1)})`);
    assert.ok(range.max - range.min > 100, 'the scale spans light to dark');
    assert.ok((await canvasInk(page, HEATMAP, LIGHT_BG)) > 1000, 'the heatmap draws');
    await screenshot(page, '04-heatmap');

    const q = 20;
    const k = 3;
    const [hx, hy] = cellCentre(q, k);
    await page.locator(HEATMAP).hover({ position: { x: hx, y: hy } });
    await settle(page);
    const tip = await page.textContent('#view-heatmap .tooltip');
    assert.ok(tip?.includes(`${quoteLabel(fx.result.tokens[q].text)} → ${quoteLabel(fx.result.tokens[k].text)}`), `tooltip names both tokens: ${tip}`);
    assert.ok(tip?.includes(formatWeight(matrix[q * T + k])), `tooltip shows the engine's weight: ${tip}`);
    await screenshot(page, '05-heatmap-hover');
  });

  it('Grid: every layer x head gets a thumbnail, and a click opens it', async () => {
    const { page, host } = await loaded();
    await showView(page, 'grid');
    await page.waitForFunction(() => document.querySelector('#view-grid .control-note')?.textContent?.includes('layers ×'));
    await settle(page);
    const { layers, heads } = fx.result.model;
    assert.deepEqual(host.ofType('requestLayer').map((r) => r.layer).sort(), [0, 1, 2, 3, 4], 'each layer requested once');
    const geometry = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#view-grid canvas.grid-canvas')!;
      return { w: c.offsetWidth, h: c.offsetHeight };
    });
    const g = gridGeometry(layers, heads, geometry.w);
    assert.equal(g.height, geometry.h);
    for (let l = 0; l < layers; l++) {
      for (let h = 0; h < heads; h++) {
        const o = thumbOrigin(g, { layer: l, head: h });
        const ink = await canvasInk(page, '#view-grid canvas.grid-canvas', LIGHT_BG, { x: o.x + 2, y: o.y + 2, w: g.thumb - 4, h: g.thumb - 4 }, 4);
        assert.ok(ink > 20, `thumbnail L${l} H${h} is drawn (${ink} px)`);
      }
    }
    await screenshot(page, '06-grid');
    const target = thumbOrigin(g, { layer: 3, head: 5 });
    await page.locator('#view-grid canvas.grid-canvas').click({ position: { x: target.x + g.thumb / 2, y: target.y + g.thumb / 2 } });
    await page.waitForSelector('#view-heatmap', { state: 'visible' });
    assert.equal(await page.locator('#view-heatmap').getByLabel('Layer', { exact: true }).inputValue(), '3');
    assert.equal(await page.getAttribute('#view-heatmap [data-head="5"]', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('#view-heatmap [data-head="0"]', 'aria-pressed'), 'false');
  });

  it('Compare: shows the chosen pairs side by side with a synchronised hover', async () => {
    const { page } = await loaded();
    await showView(page, 'compare');
    const slot = (i: number) => page.locator(`#view-compare [data-slot="${i}"] select`);
    await slot(0).nth(0).selectOption('1');
    await slot(0).nth(1).selectOption('2');
    await slot(1).nth(0).selectOption('3');
    await slot(1).nth(1).selectOption('6');
    await page.click('#view-compare .pair-picker >> text=+ Add');
    await showView(page, 'compare');
    const titles = await page.locator('#view-compare .compare-slot:not([hidden]) .compare-title').allTextContents();
    assert.deepEqual(titles, ['A · Layer 1 · Head 2', 'B · Layer 3 · Head 6', 'C · Layer 3 · Head 7']);
    const canvases = '#view-compare .compare-slot:not([hidden]) canvas';
    const inks = [];
    for (let i = 0; i < 3; i++) inks.push(await canvasInk(page, `#view-compare .compare-slot:nth-child(${i + 1}) canvas`, LIGHT_BG));
    assert.ok(inks.every((n) => n > 500), `each map draws: ${inks}`);
    assert.equal(await page.locator(canvases).count(), 3);
    await screenshot(page, '07-compare');

    const T = fx.result.tokens.length;
    const before = await canvasInk(page, '#view-compare .compare-slot:nth-child(2) canvas', LIGHT_BG);
    const g = await page.evaluate(() => document.querySelector<HTMLCanvasElement>('#view-compare .compare-slot canvas')!.offsetWidth);
    const geometry = heatmapGeometry(T, g, g);
    const first = page.locator('#view-compare .compare-slot:nth-child(1) canvas');
    const cell = { q: 30, k: 12 };
    const box = await first.boundingBox();
    assert.ok(box);
    const left = box.width - 6 - geometry.cell * T;
    const top = box.height - 6 - geometry.cell * T;
    await first.hover({ position: { x: left + (cell.k + 0.5) * geometry.cell, y: top + (cell.q + 0.5) * geometry.cell } });
    await settle(page);
    const after = await canvasInk(page, '#view-compare .compare-slot:nth-child(2) canvas', LIGHT_BG);
    assert.notEqual(after, before, 'the other map marks the same cell');
    const tip = await page.textContent('#view-compare .tooltip');
    const w = (layer: number, head: number) => formatWeight(fx.layer(layer)[(head * T + cell.q) * T + cell.k]);
    for (const [name, l, h] of [['A', 1, 2], ['B', 3, 6], ['C', 3, 7]] as const) {
      assert.ok(tip?.includes(`${name} · Layer ${l} · Head ${h}: ${w(l, h)}`), `tooltip lists ${name}: ${tip}`);
    }
    await screenshot(page, '08-compare-hover');
  });

  it('Next token: hovering a token lists the engine top-k, the actual token and its rank', async () => {
    const { page } = await loaded();
    await showView(page, 'next');
    const position = 12;
    await page.hover(`#view-next .token[data-index="${position}"]`);
    await page.waitForSelector('#view-next .next-row');
    const info = fx.result.next[position];
    const labels = await page.locator('#view-next .next-label').allTextContents();
    const percents = await page.locator('#view-next .next-p').allTextContents();
    assert.deepEqual(labels, info.top.slice(0, 10).map((t) => quoteLabel(t.text)));
    assert.deepEqual(percents, info.top.slice(0, 10).map((t) => formatPercent(t.p)));
    const actual = info.actual;
    assert.ok(actual);
    assert.match(await page.textContent('#view-next .next-actual') ?? '', new RegExp(`${formatPercent(actual.p).replace('.', '\\.')} · rank ${actual.rank}`));
    if (actual.rank <= 10) assert.equal(await page.locator('#view-next .next-row.is-actual .next-rank').textContent(), String(actual.rank));
    assert.match(await page.textContent('#view-next .next-entropy') ?? '', new RegExp(info.entropy.toFixed(2)));
    await screenshot(page, '09-next');

    const outside = fx.result.next.find((n) => n.actual && n.actual.rank > 10);
    assert.ok(outside?.actual, 'the story has a surprising token');
    await page.hover(`#view-next .token[data-index="${outside.position}"]`);
    await page.waitForSelector('#view-next .next-actual.is-outside');
    assert.equal(await page.locator('#view-next .next-row.is-actual').count(), 0);
    assert.match(await page.textContent('#view-next .next-actual') ?? '', new RegExp(`rank ${outside.actual.rank}$`));
    assert.ok((await page.locator('#view-next .token[data-index="5"]').evaluate((e) => getComputedStyle(e).backgroundColor)) !== 'rgba(0, 0, 0, 0)', 'tokens are tinted by probability');
    await screenshot(page, '10-next-outside');
  });

  it('is keyboard navigable, and follows the editor cursor', async () => {
    const { page, host } = await loaded();
    await page.focus('#tab-arcs');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-heatmap');
    await page.waitForSelector('#view-heatmap', { state: 'visible' });
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('#view-arcs', { state: 'visible' });
    const order: string[] = [];
    for (let i = 0; i < 30 && !order.includes('token-flow'); i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.className || document.activeElement?.tagName || ''));
    }
    assert.ok(order.includes('token-flow'), `Tab reaches the tokens: ${order.join(' > ')}`);
    assert.ok(order.indexOf('control-select') < order.indexOf('token-flow'), 'controls come before the tokens');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await settle(page);
    assert.match((await page.getAttribute('#view-arcs .token[data-index="3"]', 'class')) ?? '', /is-hover/);
    assert.equal(await page.getAttribute('#view-arcs .token-flow', 'aria-activedescendant'), await page.getAttribute('#view-arcs .token[data-index="3"]', 'id'));
    const outline = await page.locator('#view-arcs .token[data-index="3"]').evaluate((e) => getComputedStyle(e).outlineStyle);
    assert.equal(outline, 'solid', 'the keyboard token has a visible focus ring');
    await page.keyboard.press('Enter');
    await host.waitFor((m) => m.type === 'revealToken' && m.index === 3);
    await page.keyboard.press('ArrowDown');
    await settle(page);
    assert.ok((await page.locator('#view-arcs .token.is-hover').getAttribute('data-index')) !== '3', 'ArrowDown moves to the next line');
    await screenshot(page, '11-keyboard');

    await host.send({ type: 'focusToken', index: 17 });
    await page.waitForSelector('#view-arcs .token[data-index="17"].is-locked');
    await page.keyboard.press('Escape');
    await host.send({ type: 'focusToken', index: 17 });
    await page.waitForSelector('#view-arcs .token[data-index="17"].is-locked');
    const details = await page.textContent('.details-line');
    assert.ok(details?.includes(`token 17`) && details.includes(formatPercent(fx.result.next[17].top[0].p)), `the details line shows its next-token info: ${details}`);
    await host.send({ type: 'focusToken', index: null });
    await page.waitForSelector('#view-arcs .token.is-locked', { state: 'detached' });
  });

  it('exports the current view as a 2x PNG with a title, legend and text metadata', async () => {
    const { page, host } = await loaded();
    await showView(page, 'heatmap');
    await page.locator('#view-heatmap').getByLabel('Layer', { exact: true }).selectOption('4');
    await showView(page, 'heatmap');
    const css = await page.evaluate(() => {
      const c = document.querySelector<HTMLElement>('#view-heatmap [data-export-surface]')!;
      return { w: c.offsetWidth, h: c.offsetHeight };
    });
    await page.click('.export-button');
    const saved = await host.waitFor((m) => m.type === 'savePng');
    assert.match(String(saved.suggestedName), /^story-heatmap-L4\.png$/);
    const png = decodePng(saved.png as Uint8Array);
    const expected = exportSize(css.w, css.h);
    assert.deepEqual([png.width, png.height], [expected.width * EXPORT_SCALE, expected.height * EXPORT_SCALE]);
    assert.ok(png.chunks.every((c) => c.crcOk), 'every chunk CRC is valid');
    const types = png.chunks.map((c) => c.type);
    assert.equal(types[0], 'IHDR');
    assert.ok(types.lastIndexOf('tEXt') < types.indexOf('IDAT'), 'text chunks come before the image data');
    assert.equal(types.filter((t) => t === 'tEXt').length, 8, 'every fact is a plain tEXt chunk');
    assert.equal(png.text.get('Model'), 'stories260K');
    assert.equal(png.text.get('Layer'), '4');
    assert.equal(png.text.get('Heads'), 'all 8 heads');
    assert.match(png.text.get('Source') ?? '', /story\.md, lines 3-4/);
    assert.match(png.text.get('Title') ?? '', /stories260K · Heatmap · layer 4/);
    assert.equal(png.text.get('Software'), 'Attention Inspector (VS Code)');
    const titleRows = EXPORT_TITLE_HEIGHT * EXPORT_SCALE;
    const legendRows = EXPORT_LEGEND_HEIGHT * EXPORT_SCALE;
    assert.ok(countNonBackground(png, LIGHT_BG, 12, 0, titleRows) > 500, 'the title line is drawn');
    assert.ok(countNonBackground(png, LIGHT_BG, 12, titleRows, png.height - legendRows) > 20_000, 'the heatmap is drawn');
    assert.ok(countNonBackground(png, LIGHT_BG, 12, png.height - legendRows) > 500, 'the legend is drawn');

    await page.click('#tab-arcs');
    await settle(page);
    await host.send({ type: 'exportPng', requestId: 41 });
    const answered = await host.waitFor((m) => m.type === 'pngExported' && m.requestId === 41);
    const arcsPng = decodePng(answered.png as Uint8Array);
    assert.equal(arcsPng.text.get('View'), 'Arcs');
    assert.ok(countNonBackground(arcsPng, LIGHT_BG) > 5000, 'the arcs export shows arcs and tokens');
    const { writeFileSync } = await import('node:fs');
    writeFileSync('test-results/browser/12-export-heatmap.png', saved.png as Uint8Array);
    writeFileSync('test-results/browser/13-export-arcs.png', answered.png as Uint8Array);

    const views = [
      ['grid', 'Grid', 'all'],
      ['compare', 'Compare', '0, 4'],
      ['next', 'Next token', 'none'],
    ] as const;
    for (const [i, [view, name, layer]] of views.entries()) {
      await showView(page, view);
      if (view === 'grid') await page.waitForFunction(() => document.querySelector('#view-grid .control-note')?.textContent?.includes('layers ×'));
      if (view === 'next') await page.hover('#view-next .token[data-index="9"]');
      await host.send({ type: 'exportPng', requestId: 50 + i });
      const got = await host.waitFor((m) => (m.type === 'pngExported' || m.type === 'requestFailed') && m.requestId === 50 + i);
      assert.equal(got.type, 'pngExported', `${view}: ${String(got.message)}`);
      const decoded = decodePng(got.png as Uint8Array);
      assert.equal(decoded.text.get('View'), name);
      assert.equal(decoded.text.get('Layer'), layer);
      assert.ok(countNonBackground(decoded, LIGHT_BG, 12, titleRows, decoded.height - legendRows) > 5000, `${view}: the export shows the view`);
      writeFileSync(`test-results/browser/13-export-${view}.png`, got.png as Uint8Array);
    }
  });

  it('answers an export request without data with requestFailed', async () => {
    const { host } = await open();
    await host.send({ type: 'exportPng', requestId: 5 });
    const failed = await host.waitFor((m) => m.type === 'requestFailed' && m.requestId === 5);
    assert.match(String(failed.message), /nothing to export/);
  });

  it('stays readable in dark and high-contrast themes, and follows theme switches', async () => {
    const { page } = await loaded({ theme: 'dark' });
    for (const theme of ['dark', 'high-contrast'] as const) {
      await setTheme(page, theme);
      await settle(page);
      const bg = hexRgb(THEMES[theme].vars['editor-background']);
      const colors = await page.locator('#view-arcs .token[data-index="3"]').evaluate((e) => [getComputedStyle(e).color, getComputedStyle(document.body).backgroundColor]);
      assert.ok(contrast(colors[0], colors[1]) >= 4.5, `${theme}: token labels readable (${colors.join(' on ')})`);
      assert.ok((await arcsInk(page, null, bg)) > 2000, `${theme}: arcs visible`);
      await screenshot(page, `14-${theme}-arcs`);
      await page.click('#tab-heatmap');
      await showView(page, 'heatmap');
      const range = await lumaRange(page, HEATMAP, { x: 60, y: 40, w: 200, h: 200 });
      assert.ok(range.max - luma(bg) > 60, `${theme}: strong cells stand out from the background`);
      const axis = await canvasInk(page, HEATMAP, bg, { x: 0, y: 0, w: 30, h: 200 });
      assert.ok(axis > 30, `${theme}: axis labels are drawn in a colour unlike the background`);
      await screenshot(page, `15-${theme}-heatmap`);
      await page.click('#tab-arcs');
      await showView(page, 'arcs');
    }
    await setTheme(page, 'light');
    await settle(page);
    const pixel = await canvasPixel(page, HEATMAP, 1, 1);
    assert.ok(pixel[3] === 0 || luma(pixel) > 200, 'switching back to light repaints');
  });

  it('ignores layers of an old run, reports failed layers with a retry, and logs malformed messages', async () => {
    const { page, host } = await open();
    host.layerMode = 'hold';
    await host.send({ type: 'settings', settings: { ...SETTINGS, defaultView: 'heatmap' } });
    await host.send({ type: 'result', result: fx.meta(1) });
    const old = await host.waitFor((m) => m.type === 'requestLayer' && m.runId === 1);
    await host.send({ type: 'result', result: { ...fx.meta(2), truncated: true } });
    const current = await host.waitFor((m) => m.type === 'requestLayer' && m.runId === 2);
    assert.equal(await page.textContent('.title-line .badge'), `truncated to the first ${fx.result.tokens.length} tokens`);
    await host.answerLayer(old, 1);
    await settle(page);
    assert.match(await page.textContent('#view-heatmap .layer-notice') ?? '', /Loading layer 0/);
    assert.equal(await page.isVisible('#view-heatmap .layer-notice'), true, 'the old run does not fill the new one');
    await host.answerLayer(current);
    await page.waitForSelector('#view-heatmap .layer-notice', { state: 'hidden' });

    host.layerMode = 'fail';
    await page.locator('#view-heatmap').getByLabel('Layer', { exact: true }).selectOption('3');
    await page.waitForSelector('#view-heatmap .layer-notice.is-failed');
    assert.match(await page.textContent('#view-heatmap .layer-notice') ?? '', /Could not load layer 3: the engine was busy/);
    await screenshot(page, '16-layer-failed');
    host.layerMode = 'answer';
    const before = host.ofType('requestLayer').length;
    await page.click('#view-heatmap .layer-notice .button');
    await page.waitForSelector('#view-heatmap .layer-notice', { state: 'hidden' });
    assert.equal(host.ofType('requestLayer').length, before + 1);

    await page.evaluate(() => window.postMessage({ type: 'layer', requestId: 1, runId: 2, layer: 0, heads: 8, size: 3, data: [1, 2, 3] }, '*'));
    const log = await host.waitFor((m) => m.type === 'log');
    assert.equal(log.level, 'warn');
    assert.match(String(log.message), /malformed "layer"/);
    await host.send({ type: 'stale', message: 'story.md changed since this result.' });
    await page.waitForSelector('.banner:not([hidden])');
    await page.click('.banner .button');
    await host.waitFor((m) => m.type === 'rerun');
    assert.ok((host.savedState as PanelState).view === 'heatmap' && (host.savedState as PanelState).layer === 3, 'small UI state is persisted');
  });
});
