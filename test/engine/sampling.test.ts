import assert from 'node:assert/strict';
import { EngineError } from '../../src/shared/errors';
import { candidateDistribution, resolveSampling, sample, seededRandom } from '../../src/engine/sampling';

const logits = new Float32Array([1, 4, 2, 4.5, 0, 3]);

function probs(xs: Float32Array, t = 1): number[] {
  const m = Math.max(...xs);
  const e = Array.from(xs, (x) => Math.exp((x - m) / t));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

describe('sampling', () => {
  it('temperature 0 is the argmax', () => {
    const c = candidateDistribution(logits, 0, logits.length, resolveSampling({ temperature: 0 }));
    assert.deepEqual(c, [{ id: 3, p: 1 }]);
  });

  it('top-k 1 is the argmax whatever the temperature', () => {
    const c = candidateDistribution(logits, 0, logits.length, resolveSampling({ temperature: 5, topK: 1 }));
    assert.deepEqual(c, [{ id: 3, p: 1 }]);
    const random = seededRandom(1);
    for (let i = 0; i < 50; i++) assert.equal(sample(c, random), 3);
  });

  it('without cut-offs the candidates are the tempered softmax, best first', () => {
    const c = candidateDistribution(logits, 0, logits.length, resolveSampling({ temperature: 2 }));
    const p = probs(logits, 2);
    assert.deepEqual(c.map((x) => x.id), [3, 1, 5, 2, 0, 4]);
    for (const { id, p: q } of c) assert.ok(Math.abs(q - p[id]) < 1e-12);
  });

  it('top-k keeps the k best and renormalises', () => {
    const c = candidateDistribution(logits, 0, logits.length, resolveSampling({ topK: 2 }));
    const p = probs(logits);
    assert.deepEqual(c.map((x) => x.id), [3, 1]);
    assert.ok(Math.abs(c[0].p - p[3] / (p[3] + p[1])) < 1e-12);
    assert.ok(Math.abs(c[0].p + c[1].p - 1) < 1e-12);
  });

  it('top-p keeps the smallest set whose mass reaches p', () => {
    const p = probs(logits);
    const sorted = [3, 1, 5, 2, 0, 4];
    for (const topP of [0.3, 0.5, 0.8, 0.95, 0.999, 1]) {
      let mass = 0;
      let n = 0;
      while (n < sorted.length && mass < topP) mass += p[sorted[n++]];
      const c = candidateDistribution(logits, 0, logits.length, resolveSampling({ topP }));
      assert.deepEqual(c.map((x) => x.id), sorted.slice(0, n), `top-p ${topP}`);
      // one fewer would not reach p: the set is the smallest
      const less = sorted.slice(0, n - 1).reduce((a, id) => a + p[id], 0);
      assert.ok(less < topP);
    }
  });

  it('sampling follows the distribution (chi-square on 20000 draws)', () => {
    const c = candidateDistribution(logits, 0, logits.length, resolveSampling({}));
    const random = seededRandom(42);
    const counts = new Map<number, number>();
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const id = sample(c, random);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    let chi2 = 0;
    for (const { id, p } of c) chi2 += ((counts.get(id) ?? 0) - n * p) ** 2 / (n * p);
    assert.ok(chi2 < 20.5, `chi-square ${chi2.toFixed(2)} with 5 degrees of freedom`); // p < 0.001
  });

  it('the same seed gives the same sequence, another seed another one', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const c = seededRandom(124);
    const xs = Array.from({ length: 10 }, () => a());
    assert.deepEqual(Array.from({ length: 10 }, () => b()), xs);
    assert.notDeepEqual(Array.from({ length: 10 }, () => c()), xs);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });

  it('bad options are refused with a clear message', () => {
    assert.throws(() => resolveSampling({ temperature: -1 }), (e: unknown) => e instanceof EngineError && /temperature/.test(e.message));
    assert.throws(() => resolveSampling({ topP: 0 }), (e: unknown) => e instanceof EngineError && /top-p/.test(e.message));
    assert.throws(() => resolveSampling({ topK: 1.5 }), (e: unknown) => e instanceof EngineError && /top-k/.test(e.message));
  });
});
