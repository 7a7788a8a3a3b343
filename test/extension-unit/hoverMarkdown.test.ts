import assert from 'node:assert/strict';
import { escapeMarkdown, formatProbability, hoverMarkdown, probabilityBar, visibleToken } from '../../src/extension/hoverMarkdown';
import type { NextTokenInfo } from '../../src/shared/types';
import { tok } from './helpers/tokens';

const next: NextTokenInfo = {
  position: 1,
  top: [
    { id: 10, text: ' upon', p: 0.6213 },
    { id: 11, text: ' a', p: 0.043 },
    { id: 12, text: '|*_`', p: 0.0037 },
  ],
  actual: { id: 11, p: 0.043, rank: 2 },
  entropy: 1.23456,
};

describe('extension: hover Markdown', () => {
  it('lists the top-k with ranks, formatted probabilities and bars, and marks the actual next token', () => {
    const md = hoverMarkdown({ token: tok(5, ' Once', 0, 4), index: 1, tokenCount: 4, next, following: tok(11, ' a', 5, 6) });
    const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    assert.equal(rows.length, 3);
    assert.equal(rows[0], `| 1 | ␣upon | 62.1% | ${probabilityBar(0.6213)} |`);
    assert.equal(rows[1], `| 2 | **␣a** ✓ | 4.3% | ${probabilityBar(0.043)} |`);
    assert.match(md, /^\*\*␣Once\*\* · token 2 of 4/);
    assert.match(md, /Actually follows: \*\*␣a\*\*, 4\.3%, rank 2$/m);
    assert.match(md, /Entropy: 1\.23 nats/);
  });

  it('escapes Markdown-special characters in token text so a token cannot break the table', () => {
    const md = hoverMarkdown({ token: tok(5, '[x](y)', 0, 6), index: 1, tokenCount: 3, next, following: null });
    const row = md.split('\n').find((l) => l.startsWith('| 3 |'));
    assert.equal(row, `| 3 | \\|\\*\\_\\\` | 0.37% | ${probabilityBar(0.0037)} |`);
    assert.ok(md.startsWith('**\\[x\\]\\(y\\)**'));
    // unescaped pipes: exactly the five column separators
    assert.equal(row.replace(/\\\|/g, '').split('|').length - 1, 5);
  });

  it('says when nothing follows, and when the actual token is outside the top-k', () => {
    const last = hoverMarkdown({ token: tok(5, 'end', 0, 3), index: 3, tokenCount: 4, next: { ...next, actual: null }, following: null });
    assert.match(last, /last inspected token/);
    const outside = hoverMarkdown({
      token: tok(5, 'x', 0, 1),
      index: 1,
      tokenCount: 3,
      next: { ...next, actual: { id: 99, p: 0.00002, rank: 57 } },
      following: tok(99, '<b>', 1, 2),
    });
    assert.match(outside, /Actually follows: \*\*\\<b\\>\*\*, <0\.01%, rank 57 \(not in the top 3\)/);
    assert.ok(!outside.includes('✓'));
  });

  it('formats probabilities with useful precision', () => {
    assert.equal(formatProbability(0.6213), '62.1%');
    assert.equal(formatProbability(0.01), '1.0%');
    assert.equal(formatProbability(0.0037), '0.37%');
    assert.equal(formatProbability(0.0001), '0.01%');
    assert.equal(formatProbability(0.00001), '<0.01%');
    assert.equal(formatProbability(0.99999), '100%');
    assert.equal(formatProbability(0), '0%');
    assert.equal(formatProbability(Number.NaN), '0%');
  });

  it('draws bars in eighths of a cell', () => {
    assert.equal(probabilityBar(1), '██████████');
    assert.equal(probabilityBar(0), '');
    assert.equal(probabilityBar(0.5), '█████');
    assert.equal(probabilityBar(0.0125), '▏');
    assert.equal(probabilityBar(2), '██████████');
  });

  it('shows spaces and control characters', () => {
    assert.equal(visibleToken(' a b'), '␣a␣b');
    assert.equal(visibleToken('\r\n\t'), '␍↵⇥');
    assert.equal(visibleToken(''), '∅');
    assert.equal(escapeMarkdown('a.b-c!'), 'a\\.b\\-c\\!');
    assert.equal(escapeMarkdown('今天'), '今天');
  });
});
