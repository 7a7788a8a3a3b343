/**
 * Debian's Chromium, driven by playwright-core, showing the real VS Code workbench that the server from
 * scripts/vscode/server.mjs serves. Used by the UI tests and by the in-host test run (which needs a window:
 * the workbench is what starts the extension host and its tests).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { RESULTS_DIR } from './paths';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium without background traffic (there is no network to reach) or a GPU. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (err) {
    throw new Error(`cannot start Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH): ${(err as Error).message}`, { cause: err });
  }
}

export interface AutomationExit {
  code: number;
  /** The workbench's log files, handed over with the exit code. */
  logs: { relativePath: string; contents: string }[];
}

export interface Workbench {
  context: BrowserContext;
  page: Page;
  /** Settles when the workbench calls codeAutomationExit (extension tests finished). */
  exited: Promise<AutomationExit>;
  /** What the workbench logged through codeAutomationLog and the page console, oldest first. */
  log: string[];
  close(): Promise<void>;
}

/**
 * Opens `url` in a new browser context. codeAutomationLog/codeAutomationExit exist before the page loads:
 * the workbench looks for them when it starts (smoke-test driver) and when the extension tests end.
 * The workbench's log reaches codeAutomationLog only with the smoke-test driver; without it (`console`),
 * the page console is recorded instead (it carries the same lines, printf-style).
 */
export async function openWorkbench(
  browser: Browser,
  url: string,
  { onLog = () => {}, console: recordConsole = false }: { onLog?: (line: string) => void; console?: boolean } = {},
): Promise<Workbench> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const log: string[] = [];
  const record = (line: string) => {
    log.push(line);
    onLog(line);
  };
  let settle: (exit: AutomationExit) => void = () => {};
  const exited = new Promise<AutomationExit>((resolve) => (settle = resolve));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => record(`[${type}] ${format(...args)}`));
  await page.exposeFunction('codeAutomationExit', (code: number, logs: AutomationExit['logs'] = []) => settle({ code, logs }));
  if (recordConsole) page.on('console', (msg) => record(`[console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => record(`[pageerror] ${err.message}`));
  await page.goto(url);
  return { context, page, exited, log, close: () => context.close() };
}

export async function waitForWorkbench(page: Page, timeoutMs = 30000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Removes what an earlier run of a suite left in test-results/e2e/ (files starting with `prefix`). */
export function clearResults(prefix: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  for (const name of readdirSync(RESULTS_DIR)) if (name.startsWith(prefix)) rmSync(path.join(RESULTS_DIR, name), { recursive: true, force: true });
}

/** Screenshots of each UI step land in test-results/e2e/ (ignored by git) for people to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
