#!/usr/bin/env node
// `npm run package`: a production build (minified, no source maps) packed into a .vsix by vsce, then the
// .vsix's size and file list. Everything the extension runs is bundled into dist/, so vsce is told not to
// collect node_modules (--no-dependencies); .vscodeignore names what ships.
//
//   node scripts/vscode/package.mjs [--out <file.vsix>] [--skip-build]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { extensionFiles } from './vsix.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * Left out of the staging copy vsce packs from. vsce walks every file under its folder before applying
 * .vscodeignore, and the VS Code server cache alone (.cache/) holds tens of thousands of files: packing in
 * place took 10 s, from the copy about 1 s. .vscodeignore still decides what ships.
 */
const NOT_STAGED = new Set(['.git', 'node_modules', '.cache', 'out', 'test-results', 'bench']);

/** Where vsce puts the package by default: <name>-<version>.vsix in the repository root. */
export function defaultVsixPath() {
  const { name, version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return path.join(ROOT, `${name}-${version}.vsix`);
}

/**
 * @param {object} [options]
 * @param {string} [options.out] the .vsix to write (default: defaultVsixPath())
 * @param {boolean} [options.build] run the production build first (default true)
 * @param {'inherit' | 'pipe'} [options.stdio] where the build's and vsce's output goes (default inherit)
 * @returns {{ file: string, bytes: number, files: { name: string, size: number }[], seconds: number }}
 */
export function packageExtension({ out = defaultVsixPath(), build = true, stdio = 'inherit' } = {}) {
  const started = performance.now();
  const file = path.resolve(out);
  mkdirSync(path.dirname(file), { recursive: true });
  if (build) run('production build', process.execPath, ['esbuild.mjs', '--production'], ROOT, stdio);
  const stage = stageSources();
  try {
    run('vsce package', process.execPath, [vsceBin(), 'package', ...vsceFlags(), '--out', file], stage, stdio);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return { file, bytes: statSync(file).size, files: extensionFiles(file), seconds: (performance.now() - started) / 1000 };
}

function stageSources() {
  const stage = mkdtempSync(path.join(tmpdir(), 'ai-package-'));
  cpSync(ROOT, stage, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(ROOT, src);
      return !NOT_STAGED.has(rel.split(path.sep)[0]) && !rel.endsWith('.vsix');
    },
  });
  return stage;
}

function vsceFlags() {
  return [
    // Bundled with esbuild: nothing from node_modules is needed at run time.
    '--no-dependencies',
    // package.json names no repository; vsce would otherwise ask (and fail without a terminal).
    '--allow-missing-repository',
  ];
}

function vsceBin() {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
}

/** Runs a step with no stdin, so a question from a tool fails the step instead of waiting for an answer. */
function run(what, cmd, args, cwd, stdio) {
  const res = spawnSync(cmd, args, { cwd, stdio: ['ignore', stdio, stdio], encoding: 'utf8' });
  if (res.status !== 0) {
    const output = stdio === 'pipe' ? `\n${res.stdout}${res.stderr}` : '';
    throw new Error(`${what} failed (${res.error?.message ?? `exit code ${res.status}`})${output}`);
  }
}

export function formatReport({ file, bytes, files, seconds }) {
  const width = Math.max(...files.map((f) => f.name.length));
  const rows = files.map((f) => `  ${f.name.padEnd(width)}  ${formatBytes(f.size).padStart(9)}`);
  return [`${path.relative(process.cwd(), file) || file}: ${formatBytes(bytes)}, ${files.length} files (packaged in ${seconds.toFixed(1)} s)`, ...rows].join('\n');
}

function formatBytes(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'skip-build': { type: 'boolean' } } });
  try {
    const result = packageExtension({ out: values.out, build: !values['skip-build'] });
    console.log(formatReport(result));
  } catch (err) {
    console.error(`package: ${err.message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) main();
