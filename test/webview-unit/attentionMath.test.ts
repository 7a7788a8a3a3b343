import assert from 'node:assert/strict';
import { argMax, downsampleMax, fillPixels, headMatrix, maxOf, meanOfHeads, SCALE_POWER } from '../../src/webview/attentionMath';
import { createColorScale } from '../../src/webview/colorScale';
import { causalLayer } from './fixtures';

describe('attention math', () => {
  it('takes one head as a view and averages heads', () => {
    const data = causalLayer(3, 4);
    const h1 = headMatrix(data, 4, 1);
    assert.equal(h1.buffer, data.buffer);
    assert.equal(h1[0], data[16]);
    const mean = meanOfHeads(data, 4, [0, 2], new Float32Array(16));
    assert.ok(Math.abs(mean[5] - (data[5] + data[32 + 5]) / 2) < 1e-7);
    assert.ok(meanOfHeads(data, 4, [], new Float32Array(16)).every((v) => v === 0));
  });

  it('finds the maximum and its index', () => {
    const v = Float32Array.from([0.1, 0.7, 0.3, 0.7]);
    assert.equal(maxOf(v), Float32Array.from([0.7])[0]);
    assert.equal(argMax(v), 1);
    assert.equal(argMax(new Float32Array(0)), -1);
  });

  it('downsamples by block maximum, so a single strong cell survives', () => {
    const size = 8;
    const m = new Float32Array(size * size).fill(0.01);
    m[5 * size + 6] = 0.9;
    const out = downsampleMax(m, size, 4, new Float32Array(16));
    assert.equal(out[2 * 4 + 3], Float32Array.from([0.9])[0]);
    assert.equal(maxOf(out), maxOf(m));
    const same = downsampleMax(m, size, 16, new Float32Array(64));
    assert.deepEqual(same, m);
  });

  it('colours the largest weight with the last (most intense) LUT entry', () => {
    const scale = createColorScale('theme', { background: [255, 255, 255], foreground: [0, 0, 0], accents: [[0, 95, 184]] });
    const m = Float32Array.from([0, 0.2, 0.45, 0.1]);
    const out = new Uint8ClampedArray(16);
    fillPixels(m, 4, 0.45, scale.lut, out);
    assert.deepEqual([...out.subarray(8, 12)], [...scale.lut.subarray(255 * 4, 256 * 4)]);
    assert.deepEqual([...out.subarray(0, 4)], [...scale.lut.subarray(0, 4)]);
    fillPixels(m, 4, 0, scale.lut, out);
    assert.deepEqual([...out.subarray(8, 12)], [...scale.lut.subarray(0, 4)], 'an all-zero matrix stays at the low end');
  });

  it('keeps the order under the square-root scale, lifting small weights', () => {
    const scale = createColorScale('greys', { background: [255, 255, 255], foreground: [0, 0, 0], accents: [] });
    const m = Float32Array.from([0, 0.01, 0.04, 0.25, 1]);
    const linear = new Uint8ClampedArray(20);
    const root = new Uint8ClampedArray(20);
    fillPixels(m, 5, 1, scale.lut, linear);
    fillPixels(m, 5, 1, scale.lut, root, SCALE_POWER);
    const red = (px: Uint8ClampedArray): number[] => [0, 1, 2, 3, 4].map((i) => px[i * 4]);
    const r = red(root);
    for (let i = 1; i < 5; i++) assert.ok(r[i] < r[i - 1], 'darker as the weight grows');
    assert.deepEqual([...root.subarray(16, 20)], [...scale.lut.subarray(255 * 4, 256 * 4)], 'the maximum is still the last entry');
    assert.ok(red(root)[2] < red(linear)[2], 'a weight of 0.04 is visible under the root scale');
  });
});
