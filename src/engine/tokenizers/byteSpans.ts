/**
 * Source spans for tokens that carry no offsets: each token's bytes (what it decodes to) are aligned against
 * the UTF-8 bytes of the input, and byte positions become UTF-16 [start, end) offsets. Every byte of a
 * multi-byte character maps to that whole character, so the byte tokens of one character share its span
 * and get labels like "今 1/3".
 *
 * Almost always the tokens' bytes are the input's bytes exactly, or with one invented leading space
 * (SentencePiece's dummy prefix); both are checked first in linear time. Anything else (a normalizer that
 * rewrote characters, an unknown token, an added token that swallowed whitespace) goes through a Myers
 * diff, whose cost grows with the number of differences only: token bytes that match input bytes take their
 * spans, a rewritten stretch maps to the input stretch it replaced, and purely invented bytes get an empty
 * span where they were inserted.
 */
import { visibleText } from './tokenizer';

export interface TokenSpan {
  start: number;
  end: number;
  /** A label from the source when the token holds part of a character ("今 1/3"), else null. */
  label: string | null;
}

/** Past this many differences the diff gives up and maps bytes proportionally: spans stay near, not exact. */
const MAX_EDITS = 2048;
const SPACE = 0x20;
const NONE = -1;

/** The input's UTF-8 bytes and, for each byte, its character's UTF-16 span and its place in that character. */
interface Source {
  text: string;
  bytes: Uint8Array;
  charStart: Int32Array;
  charEnd: Int32Array;
  byteInChar: Uint8Array;
  charBytes: Uint8Array;
}

export function alignTokens(text: string, pieces: readonly Uint8Array[], allowInventedPrefix: boolean): TokenSpan[] {
  const source = utf8Source(text);
  const { bytes: target, owner } = concatenate(pieces);
  const match = matchBytes(target, source.bytes, allowInventedPrefix);
  return spansOf(pieces.length, owner, match, source);
}

function utf8Source(text: string): Source {
  const bytes = new TextEncoder().encode(text);
  const n = bytes.length;
  const source: Source = {
    text,
    bytes,
    charStart: new Int32Array(n),
    charEnd: new Int32Array(n),
    byteInChar: new Uint8Array(n),
    charBytes: new Uint8Array(n),
  };
  let at = 0;
  let unit = 0;
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    // TextEncoder writes a lone surrogate as U+FFFD: three bytes.
    const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) {
      source.charStart[at + k] = unit;
      source.charEnd[at + k] = unit + char.length;
      source.byteInChar[at + k] = k;
      source.charBytes[at + k] = width;
    }
    at += width;
    unit += char.length;
  }
  return source;
}

function concatenate(pieces: readonly Uint8Array[]): { bytes: Uint8Array; owner: Int32Array } {
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(total);
  const owner = new Int32Array(total);
  let at = 0;
  pieces.forEach((piece, token) => {
    bytes.set(piece, at);
    owner.fill(token, at, at + piece.length);
    at += piece.length;
  });
  return { bytes, owner };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** match[i] = the input byte that target byte i is, or NONE for a byte the tokenizer invented or rewrote. */
function matchBytes(target: Uint8Array, source: Uint8Array, allowInventedPrefix: boolean): Int32Array {
  const match = new Int32Array(target.length);
  if (sameBytes(target, source)) {
    for (let i = 0; i < match.length; i++) match[i] = i;
    return match;
  }
  if (allowInventedPrefix && target[0] === SPACE && sameBytes(target.subarray(1), source)) {
    for (let i = 0; i < match.length; i++) match[i] = i - 1;
    return match;
  }
  return diffMatch(target, source) ?? proportionalMatch(target.length, source.length);
}

/**
 * Myers' O((N+M)D) diff: the longest common subsequence of the two byte strings, as target index -> source
 * index. Only the diagonals -d..d are stored per step, so memory is O(D^2). Null when D exceeds MAX_EDITS.
 */
function diffMatch(a: Uint8Array, b: Uint8Array): Int32Array | null {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(n + m, MAX_EDITS);
  const trace: Int32Array[] = [];
  // v[k + d] = furthest x on diagonal k after d edits (x indexes a, y = x - k indexes b).
  let v = new Int32Array(1);
  let found = -1;
  for (let d = 0; d <= limit && found < 0; d++) {
    const next = new Int32Array(2 * d + 1);
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && at(v, d - 1, k - 1) < at(v, d - 1, k + 1));
      let x = d === 0 ? 0 : down ? at(v, d - 1, k + 1) : at(v, d - 1, k - 1) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[k + d] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.push(next);
    v = next;
  }
  if (found < 0) return null;
  return backtrack(trace, found, n, m);
}

/** v holds diagonals -d..d of step d; diagonals outside it were never reached. */
function at(v: Int32Array, d: number, k: number): number {
  return k < -d || k > d ? -1 : v[k + d];
}

function backtrack(trace: Int32Array[], edits: number, n: number, m: number): Int32Array {
  const match = new Int32Array(n).fill(NONE);
  let x = n;
  let y = m;
  const snakeTo = (stopX: number, stopY: number): void => {
    while (x > stopX && y > stopY) {
      x--;
      y--;
      match[x] = y;
    }
  };
  for (let d = edits; d > 0; d--) {
    const v = trace[d - 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(v, d - 1, k - 1) < at(v, d - 1, k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(v, d - 1, prevK);
    const prevY = prevX - prevK;
    // The edit moved from (prevX, prevY) one step down (an input byte no token holds) or right (a token
    // byte the input lacks); the matched run after it ends at (x, y).
    snakeTo(down ? prevX : prevX + 1, down ? prevY + 1 : prevY);
    x = prevX;
    y = prevY;
  }
  snakeTo(0, 0);
  return match;
}

function proportionalMatch(n: number, m: number): Int32Array {
  const match = new Int32Array(n);
  for (let i = 0; i < n; i++) match[i] = m === 0 ? NONE : Math.min(m - 1, Math.floor((i * m) / n));
  return match;
}

/** Per token: the union of its matched bytes' characters, the input stretch its rewritten bytes replaced, or an empty span. */
function spansOf(count: number, owner: Int32Array, match: Int32Array, source: Source): TokenSpan[] {
  const lo = new Int32Array(count).fill(NONE);
  const hi = new Int32Array(count).fill(NONE);
  const insertAt = new Int32Array(count).fill(NONE);
  const nextMatched = nextMatchedSource(match, source.bytes.length);
  let previousMatched = NONE;
  for (let i = 0; i < match.length; i++) {
    const token = owner[i];
    let first = match[i];
    let last = match[i];
    if (first === NONE) {
      // The input bytes between the neighbouring matches are what this byte was rewritten from.
      first = previousMatched + 1;
      last = nextMatched[i] - 1;
      if (first > last) {
        if (insertAt[token] === NONE) insertAt[token] = first;
        continue;
      }
    } else {
      previousMatched = first;
    }
    lo[token] = lo[token] === NONE ? first : Math.min(lo[token], first);
    hi[token] = Math.max(hi[token], last);
  }
  const spans: TokenSpan[] = [];
  for (let t = 0; t < count; t++) {
    if (lo[t] === NONE) {
      const position = insertAt[t] === NONE || insertAt[t] >= source.bytes.length ? source.text.length : source.charStart[insertAt[t]];
      spans.push({ start: position, end: position, label: null });
      continue;
    }
    spans.push({ start: source.charStart[lo[t]], end: source.charEnd[hi[t]], label: partialLabel(source, lo[t], hi[t]) });
  }
  return spans;
}

/** nextMatched[i] = the source index of the first matched target byte after i (source length if none). */
function nextMatchedSource(match: Int32Array, sourceLength: number): Int32Array {
  const out = new Int32Array(match.length);
  let next = sourceLength;
  for (let i = match.length - 1; i >= 0; i--) {
    out[i] = next;
    if (match[i] !== NONE) next = match[i];
  }
  return out;
}

/**
 * "今 1/3" for the first byte of 今 alone, "今 2-3/3" for its last two, "好 🙂 1/4" for a whole character and
 * part of the next. Null when the bytes [lo, hi] hold whole characters only (the piece's own label fits).
 */
function partialLabel(source: Source, lo: number, hi: number): string | null {
  const startsWhole = source.byteInChar[lo] === 0;
  const endsWhole = source.byteInChar[hi] === source.charBytes[hi] - 1;
  if (startsWhole && endsWhole) return null;
  const parts: string[] = [];
  let whole = '';
  for (let i = lo; i <= hi; ) {
    const width = source.charBytes[i];
    const first = source.byteInChar[i];
    const charEndByte = i - first + width - 1;
    const last = Math.min(hi, charEndByte);
    const char = visibleText(displayChar(source, i));
    if (first === 0 && last === charEndByte) {
      whole += char;
    } else {
      if (whole) parts.push(whole);
      whole = '';
      const covered = last - i;
      const range = covered === 0 ? `${first + 1}` : `${first + 1}-${first + 1 + covered}`;
      parts.push(`${char} ${range}/${width}`);
    }
    i = last + 1;
  }
  if (whole) parts.push(whole);
  return parts.join(' ');
}

function displayChar(source: Source, byte: number): string {
  const char = source.text.slice(source.charStart[byte], source.charEnd[byte]);
  const cp = char.codePointAt(0) ?? 0;
  return cp >= 0xd800 && cp <= 0xdfff ? '\uFFFD' : char;
}
