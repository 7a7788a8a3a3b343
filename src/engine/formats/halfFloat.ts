/**
 * 16-bit floats to float32, checking for infinities and NaN in the same pass (a second pass over hundreds
 * of millions of weights costs as much as the conversion). bf16 is the top half of a float32, so a shift
 * converts it exactly; fp16 goes through a 65536-entry table (256 KB, built once), several times faster than
 * decoding the bits of every value.
 */

/** The converted values, and the index of the first infinity or NaN (-1 when all are finite). */
export interface Converted {
  data: Float32Array;
  firstNonFinite: number;
}

let fp16Table: Float32Array | null = null;

const FP16_EXPONENT = 0x7c00;
const BF16_EXPONENT = 0x7f80;

/** The value of one IEEE 754 half-precision bit pattern (subnormals, infinities and NaN included). */
export function fp16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function table(): Float32Array {
  if (!fp16Table) {
    fp16Table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) fp16Table[bits] = fp16BitsToNumber(bits);
  }
  return fp16Table;
}

/** The first value whose exponent bits are all ones (an infinity or NaN in both 16-bit formats). */
function firstWithFullExponent(src: Uint16Array, mask: number): number {
  for (let i = 0; i < src.length; i++) if ((src[i] & mask) === mask) return i;
  return -1;
}

/** The index of the first infinity or NaN among 16-bit values of the given format, or -1. */
export function firstNonFiniteHalf(src: Uint16Array, dtype: 'float16' | 'bfloat16'): number {
  return firstWithFullExponent(src, dtype === 'float16' ? FP16_EXPONENT : BF16_EXPONENT);
}

export function fp16ToFloat32(src: Uint16Array): Converted {
  const lookup = table();
  const data = new Float32Array(src.length);
  // The loop only notes that some value is not finite; the rare damaged file pays a second pass to find it.
  let any = 0;
  for (let i = 0; i < src.length; i++) {
    const bits = src[i];
    data[i] = lookup[bits];
    any |= (bits & FP16_EXPONENT) === FP16_EXPONENT ? FP16_EXPONENT : 0;
  }
  return { data, firstNonFinite: any ? firstWithFullExponent(src, FP16_EXPONENT) : -1 };
}

export function bf16ToFloat32(src: Uint16Array): Converted {
  const data = new Float32Array(src.length);
  const bits = new Uint32Array(data.buffer);
  let any = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    bits[i] = b << 16;
    any |= (b & BF16_EXPONENT) === BF16_EXPONENT ? BF16_EXPONENT : 0;
  }
  return { data, firstNonFinite: any ? firstWithFullExponent(src, BF16_EXPONENT) : -1 };
}

/** The index of the first infinity or NaN, or -1. */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}
