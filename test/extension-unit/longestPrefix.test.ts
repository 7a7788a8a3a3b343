import assert from 'node:assert/strict';
import { longestFittingPrefix } from '../../src/extension/longestPrefix';

/** A tokenizer stand-in: BOS + one token per started group of `per` characters. */
function counter(text: string, per: number, calls: number[] = []) {
  return async (length: number): Promise<number | null> => {
    calls.push(length);
    return 1 + Math.ceil(text.slice(0, length).length / per);
  };
}

describe('extension: longest prefix that fits the context', () => {
  it('finds the exact boundary for an evenly dense text', async () => {
    const text = 'x'.repeat(1000);
    const fit = await longestFittingPrefix(text, 17, counter(text, 4));
    assert.deepEqual(fit, { length: 64, tokens: 17 });
  });

  it('a good hint saves most of the probes', async () => {
    const text = 'x'.repeat(100_000);
    const blind: number[] = [];
    const hinted: number[] = [];
    await longestFittingPrefix(text, 512, counter(text, 4, blind));
    const fit = await longestFittingPrefix(text, 512, counter(text, 4, hinted), Math.floor((100_000 * 512) / 25_001));
    assert.deepEqual(fit, { length: 2044, tokens: 512 });
    assert.ok(hinted.length <= blind.length, `${hinted.length} probes with a hint, ${blind.length} without`);
  });

  it('treats "too long, not counted" as not fitting', async () => {
    const text = 'y'.repeat(10_000);
    const count = async (length: number) => (length > 200 ? null : 1 + length);
    assert.deepEqual(await longestFittingPrefix(text, 51, count), { length: 50, tokens: 51 });
  });

  it('never cuts an emoji in two', async () => {
    const text = 'ab😀😀😀😀cd';
    // one token per UTF-16 unit: the boundary falls inside an emoji and must step back to its start
    const count = async (length: number) => 1 + length;
    const fit = await longestFittingPrefix(text, 6, count);
    assert.deepEqual(fit, { length: 4, tokens: 5 });
    assert.equal(text.slice(0, fit!.length), 'ab😀');
  });

  it('never cuts a CRLF in two', async () => {
    const text = 'abc\r\ndef';
    const count = async (length: number) => 1 + length;
    const fit = await longestFittingPrefix(text, 5, count);
    assert.deepEqual(fit, { length: 3, tokens: 4 });
  });

  it('returns null when nothing fits', async () => {
    assert.equal(await longestFittingPrefix('abc', 1, async (n) => 1 + n), null);
  });

  it('each answer is a prefix that was counted and fits, even when counts are not monotonic', async () => {
    const text = 'z'.repeat(300);
    // merges make some longer prefixes cheaper: counts wobble by one
    const count = async (length: number) => 1 + Math.floor(length / 3) - (length % 7 === 0 ? 1 : 0);
    const fit = await longestFittingPrefix(text, 40, count);
    assert.ok(fit);
    assert.ok(fit.tokens <= 40);
    assert.equal(fit.tokens, await count(fit.length));
  });
});
