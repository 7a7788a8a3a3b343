/**
 * The extension inside a real VS Code's extension host (VS Code server + Chromium, see
 * scripts/vscode/server.mjs): the tests in test/e2e/inhost/ run there with the full `vscode` API, and each
 * of their outcomes is reported here as a test of its own, so `npm test` counts them one by one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Mocha from 'mocha';
import { buildExtension } from './helpers/build';
import { writeInHostFixtures } from './helpers/fixtures';
import { bundleInHostTests, runInHostTests, stopwatch, type InHostRun } from './helpers/inhost';
import { REPO_ROOT, SAMPLES_DIR } from './helpers/paths';
import { clearResults } from './helpers/workbench';
import { allowingServerInstall } from './helpers/timeouts';

describe('e2e: extension host of a real VS Code', function () {
  let run: InHostRun;
  let tmp: string;

  before(async function () {
    this.timeout(allowingServerInstall(240_000));
    tmp = mkdtempSync(path.join(tmpdir(), 'ai-e2e-'));
    clearResults('inhost');
    const clock = stopwatch();
    buildExtension();
    const buildMs = clock();
    const fixturesFile = await writeInHostFixtures(tmp);
    const fixturesMs = clock();
    const extensionTestsPath = await bundleInHostTests();
    const bundleMs = clock();
    run = await runInHostTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath,
      folder: SAMPLES_DIR,
      env: { AI_E2E_FIXTURES: fixturesFile, ...(process.env.AI_E2E_GREP ? { AI_E2E_GREP: process.env.AI_E2E_GREP } : {}) },
    });
    const t = run.timings;
    console.log(
      `      build ${buildMs} ms, CLI fixtures ${fixturesMs} ms, bundle ${bundleMs} ms, server ${t.serverMs} ms, ` +
        `workbench ${t.workbenchMs} ms, in-host tests ${t.testsMs} ms (VS Code ${run.report?.vscodeVersion ?? '?'})`,
    );
    // Each in-host outcome becomes a test of this suite; mocha reads the suite's tests after its before hooks.
    const suite = this.test?.parent;
    for (const result of run.report?.tests ?? []) {
      suite?.addTest(
        new Mocha.Test(`in host: ${result.title}`, function (this: Mocha.Context) {
          if (result.state === 'pending') this.skip();
          if (result.state === 'failed') throw new Error(`failed inside the extension host: ${result.error ?? '(no message)'}`);
        }),
      );
    }
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // Each in-host failure is counted once, by its own test below; this one fails only when the run itself did.
  it('runs the in-host tests to the end, with an exit code that agrees with their results', () => {
    assert.ok(run.report, `the in-host runner wrote no results; see test-results/e2e/inhost.log. Last lines:\n${run.log.slice(-20).join('\n')}`);
    assert.ok(run.report.tests.length > 0, 'no in-host tests ran');
    const failed = run.report.tests.filter((t) => t.state === 'failed').length;
    assert.equal(run.exit.code, failed === 0 ? 0 : 1, `exit code ${run.exit.code} with ${failed} failed in-host test(s)`);
  });
});
