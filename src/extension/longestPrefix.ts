/**
 * When a selection is longer than the model's context, find the longest prefix that still fits, so the
 * person can inspect the first part. The engine only counts tokens by tokenizing, so this bisects on the
 * prefix length, asking the engine for counts. Pure: the counting function is passed in.
 */
import { splitsCrlf, splitsSurrogatePair } from './tokenRanges';

export interface PrefixFit {
  /** Length of the prefix in UTF-16 code units. */
  length: number;
  /** Its token count (special tokens included), at most the limit. */
  tokens: number;
}

/**
 * Token count of text.slice(0, length), or null when the engine refused it as too long without counting
 * (a text far beyond the context is refused before it is tokenized).
 */
export type CountTokens = (length: number) => Promise<number | null>;

function cutIsClean(text: string, at: number): boolean {
  return !splitsSurrogatePair(text, at) && !splitsCrlf(text, at);
}

/**
 * The longest prefix whose token count is at most `limit`, or null when not even one character fits.
 * Token counts grow with the prefix almost monotonically (a longer prefix can merge into one token fewer), so
 * bisection finds the boundary up to that wrinkle, and the result is always a prefix that was counted and fits.
 * It never cuts an emoji (surrogate pair) or a CRLF in two. `hint` is a first guess (from the count of the
 * whole text) that saves most of the probes when token density is even.
 */
export async function longestFittingPrefix(text: string, limit: number, count: CountTokens, hint?: number): Promise<PrefixFit | null> {
  const fits = (tokens: number | null): tokens is number => tokens !== null && tokens <= limit;
  let lo = 0; // a prefix known to fit (the empty one trivially)
  let loTokens = 0;
  let hi = text.length; // a prefix known not to fit: the caller found the whole text too long
  let guess = hint;
  while (hi - lo > 1) {
    const mid = guess !== undefined && guess > lo && guess < hi ? Math.floor(guess) : lo + Math.floor((hi - lo) / 2);
    guess = undefined;
    const tokens = await count(mid);
    if (fits(tokens)) {
      lo = mid;
      loTokens = tokens;
    } else {
      hi = mid;
    }
  }
  // Step back to a clean cut; a shorter prefix almost always fits, but it is counted to be sure.
  let fitsHere = true;
  while (lo > 0 && !(fitsHere && cutIsClean(text, lo))) {
    lo--;
    if (lo === 0) break;
    const tokens = await count(lo);
    fitsHere = fits(tokens);
    if (tokens !== null && fitsHere) loTokens = tokens;
  }
  return lo > 0 ? { length: lo, tokens: loTokens } : null;
}
