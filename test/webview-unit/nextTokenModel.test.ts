import assert from 'node:assert/strict';
import type { NextTokenInfo } from '../../src/shared/types';
import { nextSummary, tokenProbabilities } from '../../src/webview/nextTokenModel';
import { tokens } from './fixtures';

const toks = tokens(['<s>', ' Once', ' upon', ' a']);

describe('next-token summary', () => {
  it('lists the top-k with the following token marked', () => {
    const info: NextTokenInfo = {
      position: 1,
      top: [
        { id: 12, text: ' upon', p: 0.9826 },
        { id: 40, text: ' there', p: 0.0152 },
        { id: 41, text: ',', p: 0.00028 },
      ],
      actual: { id: 12, p: 0.9826, rank: 1 },
      entropy: 0.0999,
    };
    const s = nextSummary(info, toks, 2);
    assert.deepEqual(
      s.rows.map((r) => [r.rank, r.label, r.percent, r.isActual]),
      [
        [1, '“ upon”', '98.3%', true],
        [2, '“ there”', '1.5%', false],
      ],
    );
    assert.equal(s.after, '“ Once”');
    assert.deepEqual(s.actual, { label: '“ upon”', p: 0.9826, percent: '98.3%', rank: 1, inTop: true });
    assert.equal(s.entropy, '0.10 nats');
  });

  it('reports the following token with its rank when it is outside the top-k', () => {
    const info: NextTokenInfo = { position: 2, top: [{ id: 50, text: ' the', p: 0.6 }], actual: { id: 13, p: 0.0004, rank: 37 }, entropy: 2 };
    const s = nextSummary(info, toks, 10);
    assert.equal(s.rows.some((r) => r.isActual), false);
    assert.deepEqual(s.actual, { label: '“ a”', p: 0.0004, percent: '<0.1%', rank: 37, inTop: false });
  });

  it('has no following token after the last one', () => {
    assert.equal(nextSummary({ position: 3, top: [], actual: null, entropy: 1 }, toks, 5).actual, null);
  });

  it('gives each token the probability the model had for it', () => {
    const next: NextTokenInfo[] = [0, 1, 2, 3].map((position) => ({ position, top: [], actual: position < 3 ? { id: 0, p: 0.1 * (position + 1), rank: 1 } : null, entropy: 0 }));
    assert.deepEqual(tokenProbabilities(next, 4), [null, 0.1, 0.2, 0.30000000000000004]);
  });
});
