// `npm test`: every suite in order, each one's outcome counted, and one closing line that sums them all:
// "N passed, N failed". A stage that cannot run at all (build, typecheck, lint) counts as one failed check.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);

/** Checks that pass or fail as a whole. */
const checks = [
  { name: 'build', cmd: ['node', 'esbuild.mjs'] },
  { name: 'typecheck', cmd: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'lint', cmd: ['npx', 'eslint', '.'] },
];

/** Mocha suites; each reports its own counts. */
const suites = [
  {
    name: 'unit',
    spec: ['test/shared', 'test/engine', 'test/cli', 'test/extension-unit', 'test/webview-unit'].map((d) => `${d}/**/*.test.ts`),
    timeout: 60000,
  },
  // the webview bundle in real Chromium (Debian chromium + playwright-core)
  { name: 'browser', spec: ['test/browser/**/*.test.ts'], timeout: 60000 },
  // the extension in a real VS Code (the VS Code server from code-server, driven by Chromium)
  { name: 'e2e', spec: ['test/e2e/**/*.test.ts'], timeout: 120000 },
];

const rows = [];
let passed = 0;
let failed = 0;
const tmp = mkdtempSync(path.join(tmpdir(), 'ai-test-'));

function run(cmd, env = {}) {
  const started = performance.now();
  const res = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return { status: res.status ?? 1, seconds: (performance.now() - started) / 1000 };
}

try {
  for (const check of checks) {
    if (only.length && !only.includes(check.name)) continue;
    console.log(`\n=== ${check.name} ===`);
    const { status, seconds } = run(check.cmd);
    const ok = status === 0;
    if (ok) passed++;
    else failed++;
    rows.push(`${check.name.padEnd(10)} ${ok ? 'passed' : 'FAILED'} (${seconds.toFixed(1)} s)`);
  }
  for (const suite of suites) {
    if (only.length && !only.includes(suite.name)) continue;
    console.log(`\n=== ${suite.name} ===`);
    const dirs = suite.spec.map((glob) => glob.split('/**')[0]).filter((dir) => existsSync(path.join(root, dir)));
    if (dirs.length === 0) {
      rows.push(`${suite.name.padEnd(10)} no test files yet`);
      continue;
    }
    const summaryFile = path.join(tmp, `${suite.name}.json`);
    const specs = suite.spec.filter((glob) => dirs.includes(glob.split('/**')[0]));
    const cmd = ['npx', 'mocha', '--import=tsx', '--reporter', './scripts/mocha-summary-reporter.cjs', '--timeout', String(suite.timeout), ...specs];
    const { status, seconds } = run(cmd, { MOCHA_SUMMARY_FILE: summaryFile });
    let counts;
    try {
      counts = JSON.parse(readFileSync(summaryFile, 'utf8'));
    } catch {
      counts = { passed: 0, failed: 1, skipped: 0 }; // mocha died before reporting: count the suite as failed
    }
    if (status !== 0 && counts.failed === 0) counts.failed = 1;
    passed += counts.passed;
    failed += counts.failed;
    rows.push(`${suite.name.padEnd(10)} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${seconds.toFixed(1)} s)`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(`\n=== summary ===\n${rows.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
