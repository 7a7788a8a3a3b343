/**
 * Runs the real panel bundle in Debian Chromium the way VS Code would: a page under the same strict CSP
 * (nonce script, styles from the "extension" origin only) with the --vscode-* variables and body class of a
 * theme. acquireVsCodeApi is provided by an init script that forwards every posted message to a Node-side
 * host simulator, which answers layer requests from a real engine result.
 *
 * Code that runs in the page is written as strings here: the benchmark imports this file and is
 * typechecked without DOM types, and tsx-compiled functions reference helpers the page lacks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostToPanel, PanelState } from '../../src/shared/protocol';
import type { EngineFixture } from './engineFixture';
import { THEMES, themeCss, type HarnessTheme } from './themes';

export const ROOT = path.resolve(__dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'browser');
const BUNDLE = path.join(ROOT, 'dist', 'webview.js');
const CSS = path.join(ROOT, 'media', 'panel.css');
const NONCE = 'aW5zcGVjdG9yLW5vbmNl';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Rebuilds dist/webview.js when it is missing or older than src/webview or src/shared. `node esbuild.mjs`
 * builds every runtime; when another runtime's entry fails to build, the webview entry alone is built with
 * the same options, so these tests judge the panel and not the rest of the tree.
 */
export function ensureBundle(): void {
  const sources = Math.max(newestSource(path.join(ROOT, 'src', 'webview')), newestSource(path.join(ROOT, 'src', 'shared')));
  const fresh = (): boolean => existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= sources;
  if (fresh()) return;
  const all = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (fresh()) return;
  try {
    buildSync({ entryPoints: [path.join(ROOT, 'src/webview/main.ts')], outfile: BUNDLE, bundle: true, platform: 'browser', target: 'chrome120', format: 'iife', sourcemap: true, logLevel: 'silent' });
  } catch (err) {
    throw new Error(`could not build dist/webview.js ("node esbuild.mjs" said: ${all.stderr}${all.stdout}): ${String(err)}`, { cause: err });
  }
}

/** The page the host serves, with this server standing in for webview.cspSource. */
function panelHtml(origin: string, theme: HarnessTheme): string {
  const csp = [`default-src 'none'`, `img-src ${origin} blob: data:`, `style-src ${origin}`, `font-src ${origin}`, `script-src 'nonce-${NONCE}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${origin}/theme/${theme}.css" rel="stylesheet">
<link href="${origin}/media/panel.css" rel="stylesheet">
<title>Attention Inspector</title>
</head>
<body class="${THEMES[theme].bodyClass}">
<div id="app"></div>
<script nonce="${NONCE}" src="${origin}/dist/webview.js"></script>
</body>
</html>`;
}

export interface Harness {
  browser: Browser;
  origin: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  ensureBundle();
  mkdirSync(SCREENSHOTS, { recursive: true });
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const send = (type: string, body: string | Buffer): void => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const theme = url.pathname.match(/^\/theme\/([\w-]+)\.css$/)?.[1] as HarnessTheme | undefined;
    if (url.pathname === '/panel.html') send('text/html; charset=utf-8', panelHtml(origin, (url.searchParams.get('theme') as HarnessTheme | null) ?? 'light'));
    else if (url.pathname === '/dist/webview.js') send('text/javascript; charset=utf-8', readFileSync(BUNDLE));
    else if (url.pathname === '/media/panel.css') send('text/css; charset=utf-8', readFileSync(CSS));
    else if (theme && theme in THEMES) send('text/css; charset=utf-8', themeCss(theme));
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    browser,
    origin,
    close: async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A message from the panel as the Node side sees it: byte arrays arrive as Buffers. */
export type WireMessage = { type: string; [key: string]: unknown };

/**
 * The init script: acquireVsCodeApi with a recorded state, and byte arrays base64-encoded on their way out
 * (page bindings carry JSON only). Runs before the bundle, outside the page's CSP. It is a string, not a
 * function, because tsx's compiled functions reference helpers that do not exist in the page.
 */
function shimSource(initial: PanelState | null): string {
  return `(() => {
  let state = ${JSON.stringify(initial ?? null)} ?? undefined;
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ': ' + e.blockedURI));
  function toWire(value) {
    if (value instanceof Uint8Array) {
      let binary = '';
      for (let i = 0; i < value.length; i += 0x8000) binary += String.fromCharCode(...value.subarray(i, i + 0x8000));
      return { __bytes: btoa(binary) };
    }
    if (Array.isArray(value)) return value.map(toWire);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
    return value;
  }
  window.acquireVsCodeApi = () => ({
    postMessage: (message) => window.__panelToHost(toWire(message)),
    getState: () => state,
    setState: (next) => {
      state = next;
      window.__panelToHost({ type: '__setState', state: next });
      return next;
    },
  });
})();`;
}

function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (typeof value === 'object' && value !== null) {
    const bytes = (value as { __bytes?: unknown }).__bytes;
    if (typeof bytes === 'string') return Buffer.from(bytes, 'base64');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}

export type LayerMode = 'answer' | 'hold' | 'fail';

/**
 * Stands in for the extension host: records what the panel posts, answers requestLayer from the engine
 * fixture (or holds / fails them on demand), and delivers HostToPanel messages into the page.
 */
export class HostSimulator {
  readonly received: WireMessage[] = [];
  readonly held: WireMessage[] = [];
  layerMode: LayerMode = 'answer';
  savedState: unknown = undefined;
  private waiters: { predicate: (m: WireMessage) => boolean; resolve: (m: WireMessage) => void }[] = [];

  constructor(readonly page: Page, public fixture: EngineFixture) {}

  async onMessage(raw: unknown): Promise<void> {
    const message = fromWire(raw) as WireMessage;
    if (message.type === '__setState') {
      this.savedState = message.state;
      return;
    }
    this.received.push(message);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(message)) return true;
      w.resolve(message);
      return false;
    });
    if (message.type !== 'requestLayer') return;
    if (this.layerMode === 'hold') this.held.push(message);
    else if (this.layerMode === 'fail') await this.send({ type: 'requestFailed', requestId: message.requestId as number, message: 'the engine was busy' });
    else await this.answerLayer(message);
  }

  /** Resolves with the first message (already received or coming) that matches. */
  waitFor(predicate: (m: WireMessage) => boolean, timeoutMs = 10_000): Promise<WireMessage> {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching panel message within ${timeoutMs} ms; got ${this.received.map((m) => m.type).join(', ')}`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  ofType(type: string): WireMessage[] {
    return this.received.filter((m) => m.type === type);
  }

  async send(message: Exclude<HostToPanel, { type: 'layer' }>): Promise<void> {
    await this.page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
  }

  /** Answers a requestLayer with the fixture's Float32Array, transferred into the page without a copy. */
  async answerLayer(request: WireMessage, runId = request.runId as number): Promise<void> {
    const layer = request.layer as number;
    const data = this.fixture.layer(layer);
    const b64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
    const { heads } = this.fixture.result.model;
    const size = this.fixture.result.tokens.length;
    const meta = { type: 'layer', requestId: request.requestId as number, runId, layer, heads, size };
    await this.page.evaluate(`(() => {
      const binary = atob(${JSON.stringify(b64)});
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      const data = new Float32Array(bytes.buffer);
      window.postMessage({ ...${JSON.stringify(meta)}, data }, '*', [data.buffer]);
    })()`);
  }
}

export interface PanelPage {
  page: Page;
  host: HostSimulator;
  close(): Promise<void>;
}

export interface OpenOptions {
  theme?: HarnessTheme;
  state?: PanelState | null;
  width?: number;
  height?: number;
}

/** Opens a fresh panel page and waits for its `ready`. */
export async function openPanel(harness: Harness, fixture: EngineFixture, options: OpenOptions = {}): Promise<PanelPage> {
  const context = await harness.browser.newContext({ viewport: { width: options.width ?? 1100, height: options.height ?? 760 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const host = new HostSimulator(page, fixture);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.exposeBinding('__panelToHost', (_source, message: unknown) => {
    void host.onMessage(message);
  });
  await page.addInitScript({ content: shimSource(options.state ?? null) });
  await page.goto(`${harness.origin}/panel.html?theme=${options.theme ?? 'light'}`);
  await host.waitFor((m) => m.type === 'ready');
  return {
    page,
    host,
    close: async () => {
      const violations = (await page.evaluate('window.__cspViolations')) as string[];
      await context.close();
      if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
      if (violations.length > 0) throw new Error(`CSP violations: ${violations.join('; ')}`);
    },
  };
}

/** Switches the theme the way VS Code does: body class plus the variables on <html>. */
export async function setTheme(page: Page, theme: HarnessTheme): Promise<void> {
  await page.evaluate(`(() => {
    document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
    document.body.classList.add(${JSON.stringify(THEMES[theme].bodyClass)});
    const style = document.documentElement.style;
    for (let i = style.length - 1; i >= 0; i--) if (style[i].startsWith('--vscode-')) style.removeProperty(style[i]);
    for (const [k, v] of Object.entries(${JSON.stringify(THEMES[theme].vars)})) style.setProperty('--vscode-' + k, v);
  })()`);
}

/** Waits until the page has painted twice, so state changes have reached the canvases. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Polls a page expression until it is truthy. page.waitForFunction with a string compiles it with eval
 * inside the page, which the panel's CSP reports as a violation; page.evaluate of a string does not.
 */
export async function waitForExpression(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
