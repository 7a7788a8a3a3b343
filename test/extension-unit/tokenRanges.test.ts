import assert from 'node:assert/strict';
import {
  splitsCrlf,
  splitsSurrogatePair,
  tokenIndexAt,
  tokenIndexAtCaret,
  tokenTextSpans,
  toRangeTuple,
  type Span,
} from '../../src/extension/tokenRanges';
import { FakeDocument } from './helpers/fakeDocument';
import { BOS, tok } from './helpers/tokens';

/** Document ranges of each token for text inspected at `startOffset` of `doc`. */
function ranges(doc: FakeDocument, text: string, startOffset: number, tokens: ReturnType<typeof tok>[]): (string | null)[] {
  return tokenTextSpans(tokens, text).map((span) => {
    if (!span) return null;
    const shifted: Span = { start: span.start + startOffset, end: span.end + startOffset };
    return toRangeTuple(shifted, (o) => doc.positionAt(o)).join(',');
  });
}

describe('extension: token spans → document ranges', () => {
  it('ASCII: BOS has no span; the rest map to their characters, shifted by the start offset', () => {
    const doc = new FakeDocument('// intro\nOnce upon\n');
    const text = 'Once upon';
    const tokens = [BOS, tok(400, ' Once', 0, 4), tok(401, ' upon', 4, 9)];
    assert.deepEqual(ranges(doc, text, 9, tokens), [null, '1,0,1,4', '1,4,1,9']);
    const spans = tokenTextSpans(tokens, text);
    assert.equal(doc.text.slice(9 + spans[2]!.start, 9 + spans[2]!.end), ' upon');
  });

  it('Chinese: the three byte tokens of one character share its span', () => {
    const text = 'a今b';
    const tokens = [BOS, tok(3, 'a', 0, 1), tok(231, '今 1/3', 1, 2), tok(190, '今 2/3', 1, 2), tok(141, '今 3/3', 1, 2), tok(5, 'b', 2, 3)];
    const doc = new FakeDocument(`x\n${text}`);
    assert.deepEqual(ranges(doc, text, 2, tokens), [null, '1,0,1,1', '1,1,1,2', '1,1,1,2', '1,1,1,2', '1,2,1,3']);
    const spans = tokenTextSpans(tokens, text);
    assert.equal(tokenIndexAt(spans, 1), 4, 'the last byte token answers for the character');
    assert.equal(tokenIndexAt(spans, 0), 1);
    assert.equal(tokenIndexAt(spans, 2), 5);
  });

  it('emoji: a surrogate pair is two UTF-16 units, one editor character range', () => {
    const text = 'hi 😀!';
    const tokens = [BOS, tok(10, 'hi', 0, 2), tok(11, ' ', 2, 3), ...[1, 2, 3, 4].map((k) => tok(200 + k, `😀 ${k}/4`, 3, 5)), tok(12, '!', 5, 6)];
    const doc = new FakeDocument(text);
    const r = ranges(doc, text, 0, tokens);
    assert.deepEqual(r.slice(3, 7), ['0,3,0,5', '0,3,0,5', '0,3,0,5', '0,3,0,5']);
    assert.equal(r[7], '0,5,0,6');
    const spans = tokenTextSpans(tokens, text);
    assert.equal(tokenIndexAt(spans, 4), 6, 'the low surrogate is inside the same token group');
  });

  it('CRLF: tokens for "\\r" and "\\n" both cover the whole line break, and ranges land on the right lines', () => {
    const doc = new FakeDocument('first\r\nab\r\ncd\r\n');
    const startOffset = 7; // "ab\r\ncd"
    const text = 'ab\r\ncd';
    const tokens = [BOS, tok(20, 'ab', 0, 2), tok(16, '␍', 2, 3), tok(13, '↵', 3, 4), tok(21, 'cd', 4, 6)];
    const spans = tokenTextSpans(tokens, text);
    assert.deepEqual(spans[2], { start: 2, end: 4 });
    assert.deepEqual(spans[3], { start: 2, end: 4 });
    assert.deepEqual(ranges(doc, text, startOffset, tokens), [null, '1,0,1,2', '1,2,2,0', '1,2,2,0', '2,0,2,2']);
    assert.equal(tokenIndexAt(spans, 2), 3);
    assert.equal(tokenIndexAt(spans, 3), 3);
    // the ranges hold exactly the document's text for those tokens
    assert.equal(doc.getText(startOffset + spans[4]!.start, startOffset + spans[4]!.end), 'cd');
    assert.equal(doc.getText(startOffset + spans[2]!.start, startOffset + spans[2]!.end), '\r\n');
  });

  it('the leading-space piece of the first word maps to the word only (the tokenizer invented the space)', () => {
    const text = 'Hi';
    const tokens = [BOS, tok(320, ' H', 0, 1), tok(417, 'i', 1, 2)];
    assert.deepEqual(tokenTextSpans(tokens, text), [null, { start: 0, end: 1 }, { start: 1, end: 2 }]);
  });

  it('spans outside the text are clamped; empty ones become null', () => {
    const spans = tokenTextSpans([tok(1, 'a', 0, 1), tok(2, 'b', 5, 9), tok(3, 'c', 2, 2)], 'abc');
    assert.deepEqual(spans, [{ start: 0, end: 1 }, null, null]);
  });

  it('a caret picks the token after it, else the one before (end of the text)', () => {
    const spans = tokenTextSpans([BOS, tok(1, 'ab', 0, 2), tok(2, 'cd', 2, 4)], 'abcd');
    assert.equal(tokenIndexAtCaret(spans, 0), 1);
    assert.equal(tokenIndexAtCaret(spans, 2), 2);
    assert.equal(tokenIndexAtCaret(spans, 4), 2);
    assert.equal(tokenIndexAtCaret(spans, 5), null);
    assert.equal(tokenIndexAtCaret(spans, -1), null);
    assert.equal(tokenIndexAt(spans, 4), null, 'a hover past the end hits nothing');
  });

  it('knows the cuts that would split a character or a line break', () => {
    assert.equal(splitsSurrogatePair('a😀b', 2), true);
    assert.equal(splitsSurrogatePair('a😀b', 1), false);
    assert.equal(splitsSurrogatePair('a😀b', 3), false);
    assert.equal(splitsCrlf('a\r\nb', 2), true);
    assert.equal(splitsCrlf('a\r\nb', 3), false);
    assert.equal(splitsCrlf('a\rb', 2), false);
  });
});
