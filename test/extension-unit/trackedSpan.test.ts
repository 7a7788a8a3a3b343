import assert from 'node:assert/strict';
import { applyChanges } from '../../src/extension/trackedSpan';

const span = { start: 10, end: 20 };
const change = (rangeOffset: number, rangeLength: number, textLength: number) => ({ rangeOffset, rangeLength, textLength });

describe('extension: tracking the inspected text through edits', () => {
  it('edits after the text, typing right after it included, change nothing', () => {
    assert.deepEqual(applyChanges(span, [change(25, 3, 0)]), { span, touched: false, shifted: false });
    assert.deepEqual(applyChanges(span, [change(20, 0, 5)]), { span, touched: false, shifted: false });
    assert.deepEqual(applyChanges(span, [change(20, 4, 1)]), { span, touched: false, shifted: false });
  });

  it('edits before the text shift it, typing right before it included', () => {
    assert.deepEqual(applyChanges(span, [change(0, 0, 3)]), { span: { start: 13, end: 23 }, touched: false, shifted: true });
    assert.deepEqual(applyChanges(span, [change(10, 0, 2)]), { span: { start: 12, end: 22 }, touched: false, shifted: true });
    assert.deepEqual(applyChanges(span, [change(4, 6, 0)]), { span: { start: 4, end: 14 }, touched: false, shifted: true });
  });

  it('a same-length replacement before the text is not a shift', () => {
    assert.deepEqual(applyChanges(span, [change(2, 3, 3)]), { span, touched: false, shifted: false });
  });

  it('an edit inside the text touches it; the span follows the edited text', () => {
    assert.deepEqual(applyChanges(span, [change(12, 3, 5)]), { span: { start: 10, end: 22 }, touched: true, shifted: false });
    assert.deepEqual(applyChanges(span, [change(15, 0, 1)]), { span: { start: 10, end: 21 }, touched: true, shifted: false });
  });

  it('edits across either end touch it and cover the replacement', () => {
    // delete [8, 12): the text's first two characters go; what is left starts at 8
    assert.deepEqual(applyChanges(span, [change(8, 4, 0)]), { span: { start: 8, end: 16 }, touched: true, shifted: false });
    // replace [18, 23) with one character
    assert.deepEqual(applyChanges(span, [change(18, 5, 1)]), { span: { start: 10, end: 19 }, touched: true, shifted: false });
    // replace everything around it
    assert.deepEqual(applyChanges(span, [change(5, 30, 4)]), { span: { start: 5, end: 9 }, touched: true, shifted: false });
  });

  it('applies an event\'s changes in order, as VS Code does (multi-cursor edits come last-first)', () => {
    const result = applyChanges(span, [change(30, 0, 2), change(5, 0, 2), change(0, 1, 0)]);
    assert.deepEqual(result, { span: { start: 11, end: 21 }, touched: false, shifted: true });
  });
});
