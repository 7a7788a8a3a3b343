/**
 * Plain loops over attention tensors ([heads, T, T] row-major, rows = queries). Outputs go into arrays the
 * caller owns, so views can reuse buffers instead of allocating per frame.
 */

/** The [T, T] matrix of one head: a view into the layer, no copy. */
export function headMatrix(data: Float32Array, size: number, head: number): Float32Array {
  const n = size * size;
  return data.subarray(head * n, (head + 1) * n);
}

/** Mean over the given heads into `out` ([T, T]). */
export function meanOfHeads(data: Float32Array, size: number, heads: readonly number[], out: Float32Array): Float32Array {
  const n = size * size;
  out.fill(0);
  if (heads.length === 0) return out;
  for (const h of heads) {
    const base = h * n;
    for (let i = 0; i < n; i++) out[i] += data[base + i];
  }
  const scale = 1 / heads.length;
  for (let i = 0; i < n; i++) out[i] *= scale;
  return out;
}

export function maxOf(values: Float32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

/** Index of the largest value (first one on ties); -1 for an empty array. */
export function argMax(values: Float32Array): number {
  let best = -1;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > max) {
      max = values[i];
      best = i;
    }
  }
  return best;
}

/**
 * Downsamples a [T, T] matrix to [S, S] by the maximum of each block, so a thumbnail still shows a single
 * strong cell that averaging would wash out. S >= T copies the matrix.
 */
export function downsampleMax(matrix: Float32Array, size: number, target: number, out: Float32Array): Float32Array {
  const s = Math.min(size, target);
  out.fill(0, 0, s * s);
  for (let q = 0; q < size; q++) {
    const row = Math.floor((q * s) / size) * s;
    const base = q * size;
    for (let k = 0; k < size; k++) {
      const v = matrix[base + k];
      const at = row + Math.floor((k * s) / size);
      if (v > out[at]) out[at] = v;
    }
  }
  return out;
}

/**
 * Square root of the relative weight: attention is mostly tiny weights next to a few near 1 (attention
 * sinks), so a linear scale shows almost nothing; the root keeps the order (the largest weight is still
 * the most intense) while small weights stay visible.
 */
export const SCALE_POWER = 0.5;

/**
 * Fills RGBA pixels of a [T, T] matrix from a colour LUT: (value / max) ^ power picks the entry, so `max`
 * maps to the last (most intense) one. A monotone LUT therefore makes the largest weight the most intense.
 */
export function fillPixels(matrix: Float32Array, count: number, max: number, lut: Uint8ClampedArray, out: Uint8ClampedArray, power = 1): void {
  const last = lut.length / 4 - 1;
  const inv = max > 0 ? 1 / max : 0;
  for (let i = 0; i < count; i++) {
    const rel = matrix[i] * inv;
    let idx = Math.round((power === 1 ? rel : power === 0.5 ? Math.sqrt(rel) : rel ** power) * last);
    if (!(idx > 0)) idx = 0;
    else if (idx > last) idx = last;
    const src = idx * 4;
    const dst = i * 4;
    out[dst] = lut[src];
    out[dst + 1] = lut[src + 1];
    out[dst + 2] = lut[src + 2];
    out[dst + 3] = 255;
  }
}
