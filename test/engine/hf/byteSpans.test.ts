import assert from 'node:assert/strict';
import { alignTokens } from '../../../src/engine/tokenizers/byteSpans';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const spans = (text: string, pieces: string[], prefix = false): [number, number][] =>
  alignTokens(text, pieces.map(bytes), prefix).map((s) => [s.start, s.end]);

describe('byte spans: token bytes aligned with the input', () => {
  it('maps exact bytes to UTF-16 spans, surrogate pairs included', () => {
    assert.deepEqual(spans('a🙂b', ['a', '🙂', 'b']), [
      [0, 1],
      [1, 3],
      [3, 4],
    ]);
  });

  it('gives an invented leading space no span', () => {
    assert.deepEqual(spans('hi there', [' hi', ' there'], true), [
      [0, 2],
      [2, 8],
    ]);
  });

  it('maps a token that stands for other text (an unknown token) to the input it replaced', () => {
    assert.deepEqual(spans('ab\u2603cd', ['ab', '<unk>', 'cd']), [
      [0, 2],
      [2, 3],
      [3, 5],
    ]);
  });

  it('gives tokens the input lacks an empty span where they were inserted', () => {
    assert.deepEqual(spans('ab', ['ab', '</s>']), [
      [0, 2],
      [2, 2],
    ]);
    assert.deepEqual(spans('ab', ['<s>', 'ab']), [
      [0, 0],
      [0, 2],
    ]);
  });

  it('keeps input that no token holds out of every span', () => {
    assert.deepEqual(spans('a\u200bb', ['a', 'b']), [
      [0, 1],
      [2, 3],
    ]);
  });

  it('stays fast and in range on long texts with many differences', () => {
    const text = 'Hello World, '.repeat(3000);
    const pieces = text.toLowerCase().match(/.{1,4}/gs) ?? [];
    const t0 = performance.now();
    const result = alignTokens(text, pieces.map(bytes), false);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `took ${ms} ms`);
    let last = 0;
    for (const s of result) {
      assert.ok(s.start >= last - 4 && s.end <= text.length && s.start <= s.end);
      last = s.start;
    }
  });

  it('stays fast when only a few bytes differ in a long text', () => {
    const text = 'x'.repeat(200_000) + 'é' + 'y'.repeat(200_000);
    const pieces = ['x'.repeat(200_000), 'e\u0301', 'y'.repeat(200_000)];
    const t0 = performance.now();
    assert.deepEqual(spans(text, pieces), [
      [0, 200_000],
      [200_000, 200_001],
      [200_001, 400_001],
    ]);
    assert.ok(performance.now() - t0 < 2000);
  });
});
