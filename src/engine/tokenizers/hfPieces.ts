/**
 * What each token of a Hugging Face tokenizer.json stands for, as bytes: the library encodes and decodes
 * whole strings, but offsets, streaming decoding and labels need every token's own bytes.
 *
 * - byte-level BPE (GPT-2, Qwen2, SmolLM2): each character of a piece stands for one byte through GPT-2's
 *   bytes_to_unicode table ("Ġ" is the space);
 * - SentencePiece style (Llama, TinyLlama): "▁" is the space and, with byte_fallback, "<0xE4>" is one byte;
 * - anything else: the piece's text as UTF-8.
 * Added tokens ("<|endoftext|>", "<s>") stand for their literal text.
 */
import { visibleText } from './tokenizer';

export type PieceStyle = 'byte-level' | 'sentencepiece' | 'plain';

export interface AddedTokenInfo {
  id: number;
  content: string;
  special: boolean;
}

export interface TokenizerJsonInfo {
  style: PieceStyle;
  /** The character SentencePiece uses for a space. */
  spaceMarker: string;
  byteFallback: boolean;
  /** The tokenizer may invent one leading space (a dummy prefix) that is not in the input. */
  mayInventPrefix: boolean;
  /** Decoding drops the leading space of the first piece (sentencepiece's dummy prefix, undone). */
  decodeStripsPrefix: boolean;
  addedTokens: AddedTokenInfo[];
}

type Json = Record<string, unknown>;

const DEFAULT_SPACE_MARKER = '\u2581';

function asRecord(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

/** A component and, for Sequence components, everything inside it, flattened. */
function components(value: unknown): Json[] {
  const c = asRecord(value);
  if (!c) return [];
  const nested = c.decoders ?? c.normalizers ?? c.pretokenizers ?? c.processors;
  return Array.isArray(nested) ? [c, ...nested.flatMap(components)] : [c];
}

function stringPattern(c: Json): string | null {
  const pattern = asRecord(c.pattern);
  return pattern && typeof pattern.String === 'string' ? pattern.String : null;
}

/** Metaspace: `prepend_scheme` in current files, `add_prefix_space` in older ones. */
function metaspacePrepends(c: Json): boolean {
  if (typeof c.prepend_scheme === 'string') return c.prepend_scheme !== 'never';
  return c.add_prefix_space !== false;
}

export function describeTokenizerJson(json: Json): TokenizerJsonInfo {
  const decoder = components(json.decoder);
  const pre = components(json.pre_tokenizer);
  const normalizer = components(json.normalizer);
  const model = asRecord(json.model) ?? {};
  const all = [...decoder, ...pre, ...normalizer];
  const ofType = (list: Json[], type: string): Json[] => list.filter((c) => c.type === type);

  const metaspace = [...ofType(pre, 'Metaspace'), ...ofType(decoder, 'Metaspace')];
  const replaces = [...ofType(normalizer, 'Replace'), ...ofType(decoder, 'Replace')];
  const spaceMarkers = [
    ...metaspace.map((c) => c.replacement),
    // A normalizer writes the marker for " ", a decoder turns it back into " ".
    ...replaces.map((c) => (stringPattern(c) === ' ' ? c.content : c.content === ' ' ? stringPattern(c) : null)),
  ].filter((m): m is string => typeof m === 'string' && m.length > 0 && m !== ' ');
  const spaceMarker = spaceMarkers[0] ?? DEFAULT_SPACE_MARKER;

  const byteLevel = all.some((c) => c.type === 'ByteLevel');
  const sentencepiece =
    !byteLevel &&
    (metaspace.length > 0 || spaceMarkers.length > 0 || ofType(decoder, 'ByteFallback').length > 0 || model.byte_fallback === true);
  const style: PieceStyle = byteLevel ? 'byte-level' : sentencepiece ? 'sentencepiece' : 'plain';

  const prepends =
    ofType(normalizer, 'Prepend').length > 0 ||
    ofType(pre, 'Metaspace').some(metaspacePrepends) ||
    ofType(pre, 'ByteLevel').some((c) => c.add_prefix_space === true);
  const stripsPrefix =
    ofType(decoder, 'Strip').some((c) => typeof c.start === 'number' && c.start > 0) ||
    ofType(decoder, 'Metaspace').some(metaspacePrepends);

  return {
    style,
    spaceMarker,
    byteFallback: model.byte_fallback === true,
    mayInventPrefix: prepends,
    decodeStripsPrefix: style === 'sentencepiece' && stripsPrefix,
    addedTokens: addedTokens(json.added_tokens),
  };
}

function addedTokens(value: unknown): AddedTokenInfo[] {
  if (!Array.isArray(value)) return [];
  const out: AddedTokenInfo[] = [];
  for (const item of value) {
    const t = asRecord(item);
    if (t && typeof t.id === 'number' && typeof t.content === 'string') {
      out.push({ id: t.id, content: t.content, special: t.special === true });
    }
  }
  return out;
}

let unicodeToByte: Map<string, number> | null = null;

/** The inverse of GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest for 256 + n. */
function byteLevelTable(): Map<string, number> {
  if (unicodeToByte) return unicodeToByte;
  const table = new Map<string, number>();
  const direct = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let shifted = 0;
  for (let b = 0; b < 256; b++) table.set(String.fromCodePoint(direct(b) ? b : 256 + shifted++), b);
  unicodeToByte = table;
  return table;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;
const utf8 = new TextEncoder();

/** The bytes a vocabulary piece (not an added token) decodes to. */
export function pieceBytes(piece: string, info: TokenizerJsonInfo): Uint8Array {
  switch (info.style) {
    case 'byte-level': {
      const table = byteLevelTable();
      const out: number[] = [];
      for (const char of piece) {
        const byte = table.get(char);
        if (byte !== undefined) out.push(byte);
        else out.push(...utf8.encode(char));
      }
      return Uint8Array.from(out);
    }
    case 'sentencepiece': {
      const byte = info.byteFallback ? BYTE_PIECE.exec(piece) : null;
      if (byte) return Uint8Array.of(parseInt(byte[1], 16));
      return utf8.encode(piece.split(info.spaceMarker).join(' '));
    }
    case 'plain':
      return utf8.encode(piece);
  }
}

/**
 * A readable rendering of bytes that may not be whole UTF-8: valid characters as themselves (controls made
 * visible), every byte of a broken or partial sequence as <0xNN>, never mojibake.
 */
export function readableBytes(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  while (i < bytes.length) {
    const width = sequenceWidth(bytes, i);
    if (width === 0) {
      out += `<0x${bytes[i].toString(16).toUpperCase().padStart(2, '0')}>`;
      i++;
      continue;
    }
    let j = i + width;
    // Extend over a run of whole characters and decode them in one go.
    for (let w = sequenceWidth(bytes, j); w > 0 && j < bytes.length; w = sequenceWidth(bytes, j)) j += w;
    out += visibleText(decoder.decode(bytes.subarray(i, j)));
    i = j;
  }
  return out;
}

/** The length of the valid UTF-8 sequence starting at i, or 0 when there is none. */
function sequenceWidth(bytes: Uint8Array, i: number): number {
  if (i >= bytes.length) return 0;
  const lead = bytes[i];
  const width = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (width === 0 || i + width > bytes.length) return 0;
  for (let k = 1; k < width; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return 0;
  const cp =
    width === 1
      ? lead
      : width === 2
        ? ((lead & 0x1f) << 6) | (bytes[i + 1] & 0x3f)
        : width === 3
          ? ((lead & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f)
          : ((lead & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  const minimum = [0, 0, 0x80, 0x800, 0x10000][width];
  if (cp < minimum || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
  return width;
}
