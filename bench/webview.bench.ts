/**
 * The panel's speed and memory in real Chromium on stories260K (5 layers x 8 heads) at T = 512: the time
 * from a layer arriving to the first drawn view, the frame cost of redrawing Arcs (one layer, all heads)
 * and the Heatmap, and the webview's memory after loading every layer against the raw float32 size.
 * Prints a table; asserts nothing about time (shared, noisy machines).
 *
 * Run: `node esbuild.mjs && node --import=tsx bench/webview.bench.ts` (BENCH_REPEATS=n to change repeats).
 *
 * Frame cost = the view's own paint time (user-timing measure around its canvas calls) + the time
 * getImageData takes right after, which forces the canvas to rasterize what was just recorded.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { engineFixture, textOfTokens } from '../test/browser/engineFixture';
import { openPanel, settle, startHarness, waitForExpression, type Harness, type PanelPage } from '../test/browser/harness';

const T = 512;
/** Screenshots of the views at T = 512, for a look (ignored by git). */
const SHOTS = path.resolve(__dirname, 'results');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);
const FIRST_DRAW_RUNS = 3;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)];
};
const p90 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(s.length * 0.9))];
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const rows: [string, string, string][] = [];
const record = (what: string, value: string, target = ''): void => {
  rows.push([what, value, target]);
  console.log(`  ${what.padEnd(58)} ${value.padEnd(24)} ${target}`);
};

interface FrameSample {
  paint: number;
  flush: number;
}

/**
 * In-page loop: alternate two states and time state B: the named measure plus the forced raster of the
 * canvas (by class) that B paints.
 */
function frameLoop(canvasClass: string, setA: string, setB: string, measure: string, repeats: number): string {
  return `(async () => {
    const ctx = document.querySelector('canvas.${canvasClass}').getContext('2d');
    const samples = [];
    for (let i = 0; i < ${repeats}; i++) {
      ${setA};
      await new Promise((r) => requestAnimationFrame(() => r()));
      ctx.getImageData(0, 0, 1, 1);
      performance.clearMeasures(${JSON.stringify(measure)});
      ${setB};
      // Let observers (the theme watcher) schedule their frame before ours, so ours runs after the render.
      await null;
      await null;
      await new Promise((r) => requestAnimationFrame(() => r()));
      const t = performance.now();
      ctx.getImageData(0, 0, 1, 1);
      const flush = performance.now() - t;
      const m = performance.getEntriesByName(${JSON.stringify(measure)}, 'measure')[0];
      if (m) samples.push({ paint: m.duration, flush });
    }
    return samples;
  })()`;
}

interface FirstDraw {
  fromLayer: number;
  fromResult: number;
  /** Until the animation frame after the drawing one: an upper bound that includes rasterizing it. */
  nextFrame: number;
}

async function firstDraw(harness: Harness, fx: Awaited<ReturnType<typeof engineFixture>>): Promise<FirstDraw> {
  const panel = await openPanel(harness, fx);
  try {
    await panel.page.evaluate(`void (window.__firstFrame = new Promise((resolve) => {
      const tick = () => (performance.getEntriesByName('ai:first-draw').length > 0 ? requestAnimationFrame(() => resolve(performance.now())) : requestAnimationFrame(tick));
      requestAnimationFrame(tick);
    }))`);
    await panel.host.send({ type: 'settings', settings: { defaultView: 'arcs', colorScheme: 'theme', topK: 10 } });
    await panel.host.send({ type: 'result', result: fx.meta(1) });
    await waitForExpression(panel.page, "performance.getEntriesByName('ai:first-draw').length > 0");
    const nextFrame = (await panel.page.evaluate('window.__firstFrame')) as number;
    const marks = (await panel.page.evaluate(
      "Object.fromEntries(['ai:result', 'ai:first-layer', 'ai:first-draw'].map((n) => [n, performance.getEntriesByName(n)[0].startTime]))",
    )) as Record<string, number>;
    return {
      fromLayer: marks['ai:first-draw'] - marks['ai:first-layer'],
      fromResult: marks['ai:first-draw'] - marks['ai:result'],
      nextFrame: nextFrame - marks['ai:first-layer'],
    };
  } finally {
    await panel.close();
  }
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `webview-${name}.png`) });
}

async function waitForView(page: Page, view: string): Promise<void> {
  await waitForExpression(page, `[...document.querySelectorAll('#view-${view} .layer-notice')].every((e) => e.hidden)`);
  await settle(page);
}

async function measures(page: Page, name: string): Promise<number[]> {
  return (await page.evaluate(`performance.getEntriesByName(${JSON.stringify(name)}, 'measure').map((m) => m.duration)`)) as number[];
}

async function heapUsage(page: Page): Promise<{ used: number; backing: number | null }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
    return { used: usage.usedSize, backing: usage.backingStorageSize ?? null };
  } finally {
    await cdp.detach();
  }
}

function report(what: string, samples: FrameSample[], target: string): void {
  const totals = samples.map((s) => s.paint + s.flush);
  record(`${what}: paint (JS) median`, ms(median(samples.map((s) => s.paint))));
  record(`${what}: paint + raster median / p90`, `${ms(median(totals))} / ${ms(p90(totals))}`, target);
}

async function main(): Promise<void> {
  console.log(`Attention Inspector panel, stories260K at T = ${T}, headless Chromium (${REPEATS} repeats)\n`);
  const text = await textOfTokens(T);
  const fx = await engineFixture(text);
  const { layers, heads } = fx.result.model;
  if (fx.result.tokens.length !== T) throw new Error(`expected ${T} tokens, got ${fx.result.tokens.length}`);
  const harness = await startHarness();
  let panel: PanelPage | null = null;
  try {
    const first: FirstDraw[] = [];
    for (let i = 0; i < FIRST_DRAW_RUNS; i++) first.push(await firstDraw(harness, fx));
    record('first view (Arcs) drawn after its layer arrived, median', ms(median(first.map((f) => f.fromLayer))), '< 300 ms');
    record('  ...until the next frame (includes its raster), median', ms(median(first.map((f) => f.nextFrame))), '< 300 ms');
    record('  ...after the result arrived (incl. harness layer transfer)', ms(median(first.map((f) => f.fromResult))));

    panel = await openPanel(harness, fx);
    const { page, host } = panel;
    const baseline = await heapUsage(page);
    await host.send({ type: 'settings', settings: { defaultView: 'arcs', colorScheme: 'theme', topK: 10 } });
    await host.send({ type: 'result', result: fx.meta(1) });
    await waitForView(page, 'arcs');

    const leave = `document.querySelector('#view-arcs .token-flow').dispatchEvent(new PointerEvent('pointerleave'))`;
    const hoverAt = (index: string): string => `document.querySelector('#view-arcs .token[data-index="' + (${index}) + '"]').dispatchEvent(new PointerEvent('pointermove', { bubbles: true }))`;
    const retheme = `document.body.className = document.body.className`;
    const full = (await page.evaluate(frameLoop('arcs-overview', leave, retheme, 'arcs:paint-overview', REPEATS))) as FrameSample[];
    report(`Arcs full redraw, one layer, all ${heads} heads (theme change)`, full, '< 16 ms');
    const back = (await page.evaluate(frameLoop('arcs-overview', hoverAt(String(T - 20)), leave, 'render:arcs', REPEATS))) as FrameSample[];
    report('Arcs redraw when the pointer leaves a token (all arcs back)', back, '< 16 ms');
    const focus = (await page.evaluate(frameLoop('arcs-focus', leave, hoverAt(`${T - 40} + (i % 20)`), 'arcs:paint-token', REPEATS))) as FrameSample[];
    report('Arcs redraw, hovered token (its arcs only)', focus, '< 16 ms');
    const tokenCount = (await page.evaluate(`document.querySelectorAll('#view-arcs .token').length`)) as number;
    await page.evaluate(leave);
    await settle(page);
    await shot(page, 'arcs');
    await page.hover(`#view-arcs .token[data-index="${T - 30}"]`);
    await settle(page);
    await shot(page, 'arcs-hover');
    await page.mouse.move(2, 2);

    for (let l = 1; l < layers; l++) {
      await page.locator('#view-arcs').getByLabel('Layer', { exact: true }).selectOption(String(l));
      await waitForView(page, 'arcs');
    }
    record(`Arcs overview path build per layer (${tokenCount} tokens), median`, ms(median(await measures(page, 'arcs:build'))));

    await page.click('#tab-heatmap');
    await waitForView(page, 'heatmap');
    const cellEvent = (q: string, k: string): string =>
      `(() => { const c = document.querySelector('#view-heatmap canvas.heatmap-canvas'); const r = c.getBoundingClientRect(); const side = Math.min(r.width - 40, r.height - 28); ` +
      `c.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, clientX: r.left + 34 + (${k} + 0.5) * side / ${T}, clientY: r.top + 22 + (${q} + 0.5) * side / ${T} })); })()`;
    const heat = (await page.evaluate(frameLoop('heatmap-canvas', cellEvent('100', '40'), cellEvent('(300 + i)', '(120 + i)'), 'heatmap:paint', REPEATS))) as FrameSample[];
    report('Heatmap redraw (hover: bitmap + axes + marks)', heat, '< 16 ms');
    await shot(page, 'heatmap');
    for (const head of [1, 2, 3, 4]) {
      await page.click(`#view-heatmap [data-head="${head}"]`, { modifiers: ['Alt'] });
      await settle(page);
    }
    await page.click('#view-heatmap .chip >> text=All');
    await settle(page);
    record('Heatmap rebuild on a head change (colour T x T), median', ms(median(await measures(page, 'heatmap:build'))));

    await page.click('#tab-grid');
    await waitForExpression(page, `document.querySelector('#view-grid .control-note')?.textContent.includes('layers ×')`, 60_000);
    await settle(page);
    await shot(page, 'grid');
    const requested = host.ofType('requestLayer').length;
    const loaded = await heapUsage(page);
    const raw = layers * heads * T * T * 4;
    record(`raw float32 attention, all ${layers} layers`, mb(raw));
    record('layer requests sent (each layer once expected)', String(requested), String(layers));
    record('V8 heap used (excl. ArrayBuffers): baseline -> all layers', `${mb(baseline.used)} -> ${mb(loaded.used)}`);
    if (loaded.backing !== null && baseline.backing !== null) {
      const held = loaded.backing - baseline.backing;
      record('ArrayBuffer backing stores held after GC (delta)', `${mb(held)} (${(held / raw).toFixed(2)}x raw)`, '<= 1.2x raw');
      const total = loaded.used + loaded.backing - baseline.used - baseline.backing;
      record('JS heap + backing stores (delta) vs raw', `${mb(total)} (${(total / raw).toFixed(2)}x raw)`);
    }
  } finally {
    await panel?.close();
    await harness.close();
  }
  console.log('\n| metric | value | target |\n| --- | --- | --- |');
  for (const [what, value, target] of rows) console.log(`| ${what.trim()} | ${value} | ${target} |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
