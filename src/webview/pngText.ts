/**
 * Adds text metadata to a PNG (the bytes canvas.toBlob gives) and reads it back. Chunks go right after
 * IHDR, where every reader sees them before the image data. Latin-1 text goes in tEXt; anything else
 * (a file name in Chinese) in uncompressed iTXt, which holds UTF-8.
 */

export interface PngTextEntry {
  keyword: string;
  text: string;
}

export interface PngChunk {
  type: string;
  data: Uint8Array;
  /** The CRC stored in the file, and whether it matches the chunk's type and data. */
  crc: number;
  crcValid: boolean;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG defines it (ISO 3309), over `bytes`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function checkKeyword(keyword: string): void {
  // PNG keywords: 1-79 printable Latin-1 characters, no leading/trailing/double spaces.
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword) || /^ | $| {2}/.test(keyword)) {
    throw new Error(`"${keyword}" is not a valid PNG text keyword`);
  }
}

/** Encodes one entry as the data of a tEXt (Latin-1) or iTXt (UTF-8) chunk. */
export function textChunk(entry: PngTextEntry): { type: 'tEXt' | 'iTXt'; data: Uint8Array } {
  checkKeyword(entry.keyword);
  const key = latin1Bytes(entry.keyword);
  if (isLatin1(entry.text)) {
    const text = latin1Bytes(entry.text);
    const data = new Uint8Array(key.length + 1 + text.length);
    data.set(key, 0);
    data.set(text, key.length + 1);
    return { type: 'tEXt', data };
  }
  const text = new TextEncoder().encode(entry.text);
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, text
  const data = new Uint8Array(key.length + 5 + text.length);
  data.set(key, 0);
  data.set(text, key.length + 5);
  return { type: 'iTXt', data };
}

function encodeChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(latin1Bytes(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Splits a PNG into its chunks, checking the signature and each chunk's bounds. */
export function readPngChunks(png: Uint8Array): PngChunk[] {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('not a PNG file (bad signature)');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let at = 8;
  while (at < png.length) {
    if (at + 12 > png.length) throw new Error('truncated PNG chunk header');
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > png.length) throw new Error('truncated PNG chunk');
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    const crc = view.getUint32(at + 8 + length);
    chunks.push({ type, data, crc, crcValid: crc32(png.subarray(at + 4, at + 8 + length)) === crc });
    at = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** Inserts text entries right after IHDR; the rest of the file is copied unchanged. */
export function insertPngText(png: Uint8Array, entries: readonly PngTextEntry[]): Uint8Array {
  const chunks = readPngChunks(png);
  if (chunks[0]?.type !== 'IHDR') throw new Error('PNG does not start with IHDR');
  const ihdrEnd = 8 + 12 + chunks[0].data.length;
  const encoded = entries.map((e) => {
    const chunk = textChunk(e);
    return encodeChunk(chunk.type, chunk.data);
  });
  const extra = encoded.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(png.length + extra);
  out.set(png.subarray(0, ihdrEnd), 0);
  let at = ihdrEnd;
  for (const c of encoded) {
    out.set(c, at);
    at += c.length;
  }
  out.set(png.subarray(ihdrEnd), at);
  return out;
}

/** Reads every tEXt and uncompressed iTXt entry, in file order. */
export function readPngText(png: Uint8Array): PngTextEntry[] {
  const entries: PngTextEntry[] = [];
  for (const chunk of readPngChunks(png)) {
    if (chunk.type !== 'tEXt' && chunk.type !== 'iTXt') continue;
    const zero = chunk.data.indexOf(0);
    if (zero < 0) continue;
    const keyword = String.fromCharCode(...chunk.data.subarray(0, zero));
    if (chunk.type === 'tEXt') {
      entries.push({ keyword, text: String.fromCharCode(...chunk.data.subarray(zero + 1)) });
      continue;
    }
    if (chunk.data[zero + 1] !== 0) continue; // compressed iTXt: never written by insertPngText
    let at = zero + 3;
    at = chunk.data.indexOf(0, at) + 1; // language tag
    at = chunk.data.indexOf(0, at) + 1; // translated keyword
    if (at <= 0) continue;
    entries.push({ keyword, text: new TextDecoder().decode(chunk.data.subarray(at)) });
  }
  return entries;
}

/** Width and height from IHDR. */
export function readPngSize(png: Uint8Array): { width: number; height: number } {
  const ihdr = readPngChunks(png)[0];
  if (ihdr?.type !== 'IHDR' || ihdr.data.length < 8) throw new Error('PNG has no IHDR');
  const view = new DataView(ihdr.data.buffer, ihdr.data.byteOffset, ihdr.data.byteLength);
  return { width: view.getUint32(0), height: view.getUint32(4) };
}
