import assert from 'node:assert/strict';
import { probability, rankOf, rowStats, topKIndices } from '../../src/shared/distribution';

/** Plain softmax in float64, written the obvious way, to check the streaming helpers against. */
function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

describe('distribution helpers', () => {
  const logits = new Float32Array([0.5, 3, -1, 3, 2.25, -7, 0]);

  it('rowStats gives the softmax probabilities and entropy of a row', () => {
    const stats = rowStats(logits, 0, logits.length);
    const p = softmax(Array.from(logits));
    p.forEach((pi, i) => assert.ok(Math.abs(probability(logits[i], stats) - pi) < 1e-12));
    const entropy = -p.reduce((acc, pi) => acc + pi * Math.log(pi), 0);
    assert.ok(Math.abs(stats.entropy - entropy) < 1e-12);
  });

  it('rowStats reads only its row of a larger buffer', () => {
    const buffer = new Float32Array([100, 100, ...logits, -100]);
    const a = rowStats(buffer, 2, logits.length);
    const b = rowStats(logits, 0, logits.length);
    assert.deepEqual(a, b);
  });

  it('topKIndices returns the largest values best first, lower index first on ties', () => {
    assert.deepEqual(topKIndices(logits, 0, logits.length, 3), [1, 3, 4]);
    assert.deepEqual(topKIndices(logits, 0, logits.length, 100), [1, 3, 4, 0, 6, 2, 5]);
    assert.deepEqual(topKIndices(logits, 0, logits.length, 0), []);
  });

  it('topKIndices agrees with a full sort on random rows', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 10 - 5;
    for (let trial = 0; trial < 20; trial++) {
      const row = Float32Array.from({ length: 500 }, rand);
      const expected = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b).slice(0, 17);
      assert.deepEqual(topKIndices(row, 0, row.length, 17), expected);
    }
  });

  it('rankOf is 1 + the number of strictly larger values', () => {
    assert.equal(rankOf(logits, 0, logits.length, 1), 1);
    assert.equal(rankOf(logits, 0, logits.length, 3), 1);
    assert.equal(rankOf(logits, 0, logits.length, 4), 3);
    assert.equal(rankOf(logits, 0, logits.length, 5), 7);
  });
});
