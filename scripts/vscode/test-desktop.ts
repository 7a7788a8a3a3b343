/**
 * `npm run test:desktop`: the same in-host suite as test/e2e/inhost.test.ts, run by @vscode/test-electron in
 * a desktop VS Code it downloads (for contributors with the internet; the VS Code server path in
 * `npm test` needs none).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildExtension } from '../../test/e2e/helpers/build';
import { writeInHostFixtures } from '../../test/e2e/helpers/fixtures';
import { bundleInHostTests } from '../../test/e2e/helpers/inhost';
import { REPO_ROOT, SAMPLES_DIR } from '../../test/e2e/helpers/paths';

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ai-desktop-'));
  try {
    buildExtension();
    const fixtures = await writeInHostFixtures(tmp);
    const extensionTestsPath = await bundleInHostTests();
    await runTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath,
      launchArgs: [SAMPLES_DIR, '--disable-extensions', '--skip-welcome'],
      extensionTestsEnv: { AI_E2E_FIXTURES: fixtures, AI_E2E_RESULTS: path.join(tmp, 'results.json') },
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`test:desktop: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
