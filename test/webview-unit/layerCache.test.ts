import assert from 'node:assert/strict';
import { DERIVED_FRACTION, LayerCache } from '../../src/webview/layerCache';
import { causalLayer } from './fixtures';

const SIZE = 6;
const HEADS = 8;
const layer = (n: number) => ({ layer: n, heads: HEADS, size: SIZE, data: causalLayer(HEADS, SIZE, n) });
const LAYER_BYTES = HEADS * SIZE * SIZE * 4;

describe('layer cache', () => {
  it('keeps the arriving array itself and counts its bytes', () => {
    const cache = new LayerCache();
    const entry = layer(0);
    cache.put(entry);
    assert.equal(cache.get(0)?.data, entry.data);
    assert.equal(cache.rawBytes(), LAYER_BYTES);
    assert.deepEqual(cache.heldLayers(), [0]);
  });

  it('serves one head as a view into the layer (no copy)', () => {
    const cache = new LayerCache();
    const entry = layer(0);
    cache.put(entry);
    const m = cache.matrix(0, [3]);
    assert.ok(m);
    assert.equal(m.buffer, entry.data.buffer);
    assert.equal(m.byteOffset, 3 * SIZE * SIZE * 4);
    assert.equal(cache.derivedBytes(), 0);
  });

  it('caches head means within the derived budget, and the mean is right', () => {
    const cache = new LayerCache();
    const entry = layer(1);
    cache.put(entry);
    const mean = cache.matrix(1, []);
    assert.ok(mean);
    const n = SIZE * SIZE;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let h = 0; h < HEADS; h++) sum += entry.data[h * n + i];
      assert.ok(Math.abs(mean[i] - sum / HEADS) < 1e-6);
    }
    assert.equal(cache.matrix(1, []), mean, 'a second call returns the cached mean');
    assert.ok(cache.derivedBytes() <= DERIVED_FRACTION * cache.rawBytes());
    const pair = cache.matrix(1, [0, 1]);
    assert.ok(pair);
    assert.ok(cache.derivedBytes() <= DERIVED_FRACTION * cache.rawBytes(), 'older means are dropped to stay within the budget');
    assert.ok(Math.abs(cache.weightAt(1, [0, 1], 3, 2)! - pair[3 * SIZE + 2]) < 1e-6);
    assert.ok(Math.abs(cache.weightAt(1, [], 3, 2)! - mean[3 * SIZE + 2]) < 1e-6);
    assert.equal(cache.weightAt(1, [], 99, 0), undefined);
  });

  it('never lets total memory exceed 1.2x the raw layers it holds', () => {
    const cache = new LayerCache();
    for (let l = 0; l < 3; l++) cache.put(layer(l));
    for (let l = 0; l < 3; l++) {
      cache.matrix(l, []);
      cache.matrix(l, [1, 2]);
      cache.matrix(l, [4, 5, 6]);
    }
    assert.ok(cache.rawBytes() + cache.derivedBytes() <= 1.2 * cache.rawBytes());
  });

  it('does not cache a mean that alone would break the budget (few heads)', () => {
    const cache = new LayerCache();
    cache.put({ layer: 0, heads: 2, size: SIZE, data: causalLayer(2, SIZE) });
    assert.ok(cache.matrix(0, []));
    assert.equal(cache.derivedBytes(), 0);
  });

  it('drops unneeded layers, least recently used first, only beyond the budget', () => {
    const cache = new LayerCache(2 * LAYER_BYTES);
    for (let l = 0; l < 4; l++) cache.put(layer(l));
    cache.get(0);
    assert.deepEqual(cache.trim(new Set([1])), [2, 3], 'layer 0 was used last, layer 1 is needed');
    assert.deepEqual(cache.heldLayers(), [0, 1]);
    assert.equal(cache.rawBytes(), 2 * LAYER_BYTES);
    assert.deepEqual(cache.trim(new Set()), [], 'within the budget nothing goes');
    cache.put(layer(2));
    assert.deepEqual(cache.trim(new Set([0, 1, 2])), [], 'needed layers stay even beyond the budget');
  });

  it('forgets everything, derived matrices included, for a new run', () => {
    const cache = new LayerCache();
    cache.put(layer(0));
    cache.matrix(0, []);
    cache.reset(9);
    assert.equal(cache.currentRunId, 9);
    assert.equal(cache.rawBytes(), 0);
    assert.equal(cache.derivedBytes(), 0);
    assert.equal(cache.matrix(0, []), undefined);
  });
});
