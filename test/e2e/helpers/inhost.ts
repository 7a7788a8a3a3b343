/**
 * What `@vscode/test-electron`'s runTests does on a desktop, done with the VS Code server and Chromium:
 * bundle the in-host tests, start a server with the smoke-test driver, open a workbench whose payload names
 * the extension under development and the tests, and wait for the exit code the workbench reports.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import { startServer, type VscodeServer } from '../../../scripts/vscode/server.mjs';
import type { InHostReport } from '../inhost/report';
import { E2E_CACHE, REPO_ROOT, RESULTS_DIR } from './paths';
import { launchBrowser, openWorkbench, waitForWorkbench, type AutomationExit } from './workbench';

const INHOST_SRC = path.join(REPO_ROOT, 'test', 'e2e', 'inhost');
const INHOST_OUT = path.join(E2E_CACHE, 'inhost');

/**
 * Compiles index.ts and every *.inhost.ts into CommonJS for the extension host's Node. `vscode` is
 * provided by the extension host; mocha stays external and resolves from the repository's node_modules
 * (the output lies inside the repository). The output must stay inside the extension's folder too: the
 * extension host hands `require('vscode')` calls from there the extension's own API object.
 */
export async function bundleInHostTests(): Promise<string> {
  rmSync(INHOST_OUT, { recursive: true, force: true });
  const entryPoints = readdirSync(INHOST_SRC)
    .filter((f) => f === 'index.ts' || f.endsWith('.inhost.ts'))
    .map((f) => path.join(INHOST_SRC, f));
  await esbuild.build({
    entryPoints,
    outdir: INHOST_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return path.join(INHOST_OUT, 'index.js');
}

export interface InHostRunOptions {
  /** Folder holding the extension's package.json (loaded as the extension under development). */
  extensionDevelopmentPath: string;
  /** Compiled extension-tests module (see bundleInHostTests). */
  extensionTestsPath: string;
  /** Folder the window opens. */
  folder: string;
  /** Environment for the extension host (and so for the tests): the server passes its own on. */
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  timeoutMs?: number;
}

export interface InHostRun {
  exit: AutomationExit;
  report: InHostReport | null;
  /** Everything the workbench logged; also written to test-results/e2e/inhost.log. */
  log: string[];
  /** Milliseconds: server start, workbench visible, tests finished (each from the previous). */
  timings: { serverMs: number; workbenchMs: number; testsMs: number };
}

export async function runInHostTests(options: InHostRunOptions): Promise<InHostRun> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ai-inhost-'));
  const resultsFile = path.join(tmp, 'results.json');
  const log: string[] = [];
  let server: VscodeServer | undefined;
  let browser: Browser | undefined;
  try {
    const clock = stopwatch();
    server = await startServer({ smokeTestDriver: true, settings: options.settings, env: { ...options.env, AI_E2E_RESULTS: resultsFile } });
    browser = await launchBrowser();
    const serverMs = clock();
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', server.remoteUri(options.extensionDevelopmentPath)],
      ['extensionTestsPath', server.remoteUri(options.extensionTestsPath)],
      ['skipWelcome', 'true'],
    ];
    const workbench = await openWorkbench(browser, server.folderUrl(options.folder, payload), { onLog: (line) => log.push(line) });
    await waitForWorkbench(workbench.page);
    const workbenchMs = clock();
    const exit = await withTimeout(workbench.exited, options.timeoutMs ?? 100_000, () => `the in-host tests did not finish; last log lines:\n${log.slice(-30).join('\n')}`);
    saveWorkbenchLogs(exit.logs);
    return { exit, report: readReport(resultsFile), log, timings: { serverMs, workbenchMs, testsMs: clock() } };
  } finally {
    saveLog(log);
    await browser?.close().catch(() => {});
    if (server) {
      keepServerLog(server, 'inhost-server.log');
      await server.stop();
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Copies the server's log into test-results/e2e/ before stop() deletes its profile; never throws. */
export function keepServerLog(server: VscodeServer, name: string): void {
  try {
    mkdirSync(RESULTS_DIR, { recursive: true });
    copyFileSync(server.profile.logFile, path.join(RESULTS_DIR, name));
  } catch {
    // A server that failed early may have written no log; the test's own error says why.
  }
}

/** Each call returns the milliseconds since the previous one. */
export function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = Math.round(now - last);
    last = now;
    return ms;
  };
}

function readReport(file: string): InHostReport | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InHostReport;
  } catch {
    return null;
  }
}

function saveLog(log: string[]): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'inhost.log'), `${log.join('\n')}\n`);
}

/** The workbench hands its log files over with the exit code (the extension host's among them). */
function saveWorkbenchLogs(logs: AutomationExit['logs']): void {
  const dir = path.join(RESULTS_DIR, 'inhost-logs');
  rmSync(dir, { recursive: true, force: true });
  for (const { relativePath, contents } of logs) {
    const file = path.join(dir, relativePath);
    if (!file.startsWith(dir + path.sep)) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${describe()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
