// One esbuild entry per runtime: the extension host, the engine worker, the CLI (all Node), and later the
// webview (browser). `--watch` rebuilds on change; `--production` minifies and drops source maps.
import * as esbuild from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdir = 'dist';

/** onnxruntime-web loads its WASM runtime from files next to the bundle that imports it. */
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
  // onnxruntime-web's Node build is an ES module that finds its files through import.meta.url; in a
  // CommonJS bundle that must become the bundle's own file URL.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const entries = [
  { entryPoints: ['src/engine/worker.ts'], outfile: `${outdir}/engineWorker.js`, ...nodeCommon },
  { entryPoints: ['src/cli/main.ts'], outfile: `${outdir}/cli.js`, ...nodeCommon },
  { entryPoints: ['src/extension/extension.ts'], outfile: `${outdir}/extension.js`, ...nodeCommon },
  {
    entryPoints: ['src/webview/main.ts'],
    outfile: `${outdir}/webview.js`,
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  },
].filter((entry) => existsSync(entry.entryPoints[0]));

async function copyRuntimeFiles() {
  await mkdir(outdir, { recursive: true });
  const from = path.join('node_modules', 'onnxruntime-web', 'dist');
  await Promise.all(ORT_FILES.map((f) => copyFile(path.join(from, f), path.join(outdir, f))));
}

await copyRuntimeFiles();
if (watch) {
  const contexts = await Promise.all(entries.map((e) => esbuild.context(e)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${entries.length} entries…`);
} else {
  const started = performance.now();
  await Promise.all(entries.map((e) => esbuild.build(e)));
  console.log(`built ${entries.length} bundles in ${Math.round(performance.now() - started)} ms`);
}
