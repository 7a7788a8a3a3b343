/** The .vsix `npm run package` makes: the bundles and what they load, and nothing from the sources. */
import assert from 'node:assert/strict';
import { readVsixEntry } from '../../scripts/vscode/vsix.mjs';
import { packagedVsix, type Packaged } from './helpers/packaged';

const MUST_SHIP = [
  'package.json',
  'readme.md',
  'dist/extension.js',
  'dist/engineWorker.js',
  'dist/webview.js',
  'dist/ort-wasm-simd-threaded.wasm',
  'dist/ort-wasm-simd-threaded.mjs',
  'media/panel.css',
];

/** Sources, tests, maps, dependencies, caches and the demo workspace stay out. */
const MUST_NOT_SHIP = [/^src\//, /^test\//, /^scripts\//, /^samples\//, /^bench\//, /node_modules\//, /^\.cache\//, /\.map$/, /\.ts$/, /^dist\/cli\.js$/, /tsconfig/];

describe('e2e: the packaged .vsix', function () {
  let vsix: Packaged;

  before(function () {
    this.timeout(120_000);
    vsix = packagedVsix();
  });

  it('holds the bundles, the WASM runtime, the media and the manifest', () => {
    const names = new Set(vsix.files.map((f) => f.name.toLowerCase()));
    for (const file of MUST_SHIP) assert.ok(names.has(file.toLowerCase()), `${file} is in the .vsix; it holds: ${[...names].join(', ')}`);
  });

  it('holds no sources, tests, source maps, node_modules, caches or samples', () => {
    const unwanted = vsix.files.map((f) => f.name).filter((name) => MUST_NOT_SHIP.some((re) => re.test(name)));
    assert.deepEqual(unwanted, []);
  });

  it('ships production bundles: minified, without source map references', () => {
    for (const bundle of ['dist/extension.js', 'dist/engineWorker.js', 'dist/webview.js']) {
      const code = readVsixEntry(vsix.file, `extension/${bundle}`).toString('utf8');
      assert.doesNotMatch(code, /sourceMappingURL/, `${bundle} points at no source map`);
      const lines = code.split('\n').length;
      assert.ok(code.length / lines > 500, `${bundle} is minified (${lines} lines for ${code.length} characters)`);
    }
  });

  it('stays small enough to install quickly', () => {
    assert.ok(vsix.bytes < 40 * 1024 * 1024, `the .vsix is ${vsix.bytes} bytes`);
  });
});
