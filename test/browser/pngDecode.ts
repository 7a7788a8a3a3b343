/**
 * A small PNG reader for the tests, independent of the panel's own PNG code: chunk list with CRCs checked by
 * node:zlib, and 8-bit RGB/RGBA pixels (non-interlaced, as Chromium writes them).
 */
import { crc32, inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  pixels: Uint8Array;
  chunks: { type: string; crcOk: boolean; length: number }[];
  text: Map<string, string>;
}

export function decodePng(bytes: Uint8Array): DecodedPng {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  const chunks: DecodedPng['chunks'] = [];
  const text = new Map<string, string>();
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  let colorType = 0;
  let at = 8;
  while (at < buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    const crc = buf.readUInt32BE(at + 8 + length);
    chunks.push({ type, length, crcOk: crc32(buf.subarray(at + 4, at + 8 + length)) === crc });
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs are supported here');
      colorType = data[9];
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'tEXt') {
      const zero = data.indexOf(0);
      text.set(data.toString('latin1', 0, zero), data.toString('latin1', zero + 1));
    } else if (type === 'iTXt') {
      const zero = data.indexOf(0);
      let p = zero + 3;
      p = data.indexOf(0, p) + 1;
      p = data.indexOf(0, p) + 1;
      text.set(data.toString('latin1', 0, zero), data.toString('utf8', p));
    }
    at += 12 + length;
    if (type === 'IEND') break;
  }
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (!channels) throw new Error(`PNG colour type ${colorType} is not supported here`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Uint8Array.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? line[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = (line[i] + add) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = line[x * channels];
      out[o + 1] = line[x * channels + 1];
      out[o + 2] = line[x * channels + 2];
      out[o + 3] = channels === 4 ? line[x * channels + 3] : 255;
    }
    prev = line;
  }
  return { width, height, pixels: out, chunks, text };
}

/** Pixels (in rows [top, bottom) when given) that differ from `background` by more than `tolerance` in a channel. */
export function countNonBackground(png: DecodedPng, background: readonly [number, number, number], tolerance = 12, top = 0, bottom = png.height): number {
  let n = 0;
  for (let i = top * png.width * 4; i < bottom * png.width * 4; i += 4) {
    if (Math.abs(png.pixels[i] - background[0]) > tolerance || Math.abs(png.pixels[i + 1] - background[1]) > tolerance || Math.abs(png.pixels[i + 2] - background[2]) > tolerance) n++;
  }
  return n;
}
