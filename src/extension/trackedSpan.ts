/**
 * Keeps the inspected text's place in a document while it is edited. Edits before it shift it (hovers and
 * reveals stay right); an edit that touches it makes the result stale, because the numbers describe text
 * that is no longer there. Pure, so the offset rules are unit tested.
 */
import type { Span } from './tokenRanges';

/** The part of vscode.TextDocumentContentChangeEvent that matters here. */
export interface ContentChange {
  /** Offset of the replaced range, in the document as it was before this change. */
  readonly rangeOffset: number;
  readonly rangeLength: number;
  /** Length of the text that replaced it. */
  readonly textLength: number;
}

export interface TrackedSpanUpdate {
  readonly span: Span;
  /** Some change replaced, inserted into or deleted from the span itself. */
  readonly touched: boolean;
  /** Some change before the span moved it. */
  readonly shifted: boolean;
}

/**
 * Applies one event's changes in the order given, as VS Code applies them to its own copy of the document.
 * Rules for a change [o, o + len) → n characters against the span [s, e):
 * - at or after the end (o >= e, typing right after the text included): no effect;
 * - at or before the start (o + len <= s, typing right before it included): shift by n - len;
 * - otherwise it touches the span: the span grows to cover the edit, [min(s, o), max(e, o + len) + n - len),
 *   so that "Re-run" inspects the edited text.
 */
export function applyChanges(span: Span, changes: readonly ContentChange[]): TrackedSpanUpdate {
  let { start, end } = span;
  let touched = false;
  let shifted = false;
  for (const change of changes) {
    const from = change.rangeOffset;
    const to = change.rangeOffset + change.rangeLength;
    const delta = change.textLength - change.rangeLength;
    if (from >= end) continue;
    if (to <= start) {
      if (delta !== 0) shifted = true;
      start += delta;
      end += delta;
      continue;
    }
    touched = true;
    start = Math.min(start, from);
    end = Math.max(end, to) + delta;
  }
  return { span: { start, end }, touched, shifted };
}
