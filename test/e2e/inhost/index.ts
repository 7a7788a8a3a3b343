/**
 * The extension-tests entry point VS Code loads into the extension host (what `@vscode/test-electron`
 * calls extensionTestsPath): it runs mocha over the compiled in-host test files next to it and writes every
 * test's outcome to the JSON file named by AI_E2E_RESULTS, which the outer test (test/e2e/inhost.test.ts)
 * re-reports one by one. The promise's outcome becomes the workbench's exit code (0 all passed, 1 not).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { InHostReport, InHostTestResult } from './report';

export function run(): Promise<void> {
  const resultsFile = process.env.AI_E2E_RESULTS;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: Number(process.env.AI_E2E_TIMEOUT ?? 60000), reporter: 'spec' });
  const grep = process.env.AI_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.inhost.js')).sort()) mocha.addFile(path.join(__dirname, file));

  const tests: InHostTestResult[] = [];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const report: InHostReport = { tests, durationMs: Date.now() - started, vscodeVersion: vscode.version };
      if (resultsFile) writeFileSync(resultsFile, JSON.stringify(report, null, 2));
      if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 }));
    runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending', durationMs: 0 }));
    // Hooks fail through this event too; they are reported under their own titles so nothing is lost.
    runner.on('fail', (test, err: Error) =>
      tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, error: `${err.message}\n${err.stack ?? ''}` }),
    );
  });
}
