/**
 * Token spans → document positions. Pure: the host passes VS Code's own `positionAt`, tests pass a fake that
 * follows the same rules, so the offset arithmetic here is tested without an editor.
 */
import type { Token } from '../shared/types';

/** [start, end) in UTF-16 code units, the unit of both the engine's spans and VS Code's document offsets. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface PositionLike {
  readonly line: number;
  readonly character: number;
}

/** [startLine, startCharacter, endLine, endCharacter], 0-based: the form scripts and tests receive. */
export type RangeTuple = [number, number, number, number];

/**
 * Each token's span in the inspected text, or null for a token with no source text (BOS, EOS).
 * An editor position cannot fall between "\r" and "\n", so a token holding one half of a CRLF covers the
 * whole line break; both halves then share one span, the way the byte tokens of one character do.
 */
export function tokenTextSpans(tokens: readonly Token[], text: string): (Span | null)[] {
  return tokens.map((token) => {
    let start = Math.max(0, Math.min(token.start, text.length));
    let end = Math.max(0, Math.min(token.end, text.length));
    if (token.special || end <= start) return null;
    if (splitsCrlf(text, start)) start -= 1;
    if (splitsCrlf(text, end)) end += 1;
    return { start, end };
  });
}

/** Whether cutting `text` at `at` separates a "\r" from the "\n" after it. */
export function splitsCrlf(text: string, at: number): boolean {
  return at > 0 && at < text.length && text.charCodeAt(at - 1) === 0x0d && text.charCodeAt(at) === 0x0a;
}

/** Whether cutting `text` at `at` separates the two halves of a surrogate pair (an emoji, say). */
export function splitsSurrogatePair(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return false;
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/**
 * The token whose span contains `offset`. When several share it (the byte tokens of one character, the two
 * halves of a CRLF) the last one answers: its next-token guess is about what follows the whole character.
 */
export function tokenIndexAt(spans: readonly (Span | null)[], offset: number): number | null {
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i];
    if (span && span.start <= offset && offset < span.end) return i;
  }
  return null;
}

/** The token at a caret, which sits between characters: the one after it, else the one before it. */
export function tokenIndexAtCaret(spans: readonly (Span | null)[], offset: number): number | null {
  return tokenIndexAt(spans, offset) ?? (offset > 0 ? tokenIndexAt(spans, offset - 1) : null);
}

export function shiftSpan(span: Span, by: number): Span {
  return { start: span.start + by, end: span.end + by };
}

export function toRangeTuple(span: Span, positionAt: (offset: number) => PositionLike): RangeTuple {
  const start = positionAt(span.start);
  const end = positionAt(span.end);
  return [start.line, start.character, end.line, end.character];
}
