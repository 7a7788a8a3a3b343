/**
 * A T x T matrix as a bitmap, one pixel per cell, coloured from the scale's LUT; views draw it scaled with
 * smoothing off. When T exceeds the pixels on screen it is max-pooled first, so no peak disappears.
 * Buffers are reused while the size stays the same.
 */
import { downsampleMax, fillPixels, SCALE_POWER } from './attentionMath';

export class MatrixImage {
  readonly canvas: OffscreenCanvas;
  private readonly ctx: OffscreenCanvasRenderingContext2D;
  private image: ImageData | null = null;
  private pooled: Float32Array | null = null;
  /** Pixels per side of the bitmap. */
  resolution = 0;

  constructor() {
    this.canvas = new OffscreenCanvas(1, 1);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('this webview cannot create an offscreen 2D canvas');
    this.ctx = ctx;
  }

  /** Recolours the bitmap; `maxPixels` is the on-screen side in device px (caps the resolution). */
  update(matrix: Float32Array, size: number, max: number, lut: Uint8ClampedArray, maxPixels: number): void {
    const res = Math.max(1, Math.min(size, Math.floor(maxPixels)));
    let source = matrix;
    if (res < size) {
      if (!this.pooled || this.pooled.length !== res * res) this.pooled = new Float32Array(res * res);
      source = downsampleMax(matrix, size, res, this.pooled);
    } else {
      this.pooled = null;
    }
    if (!this.image || this.image.width !== res) {
      this.image = new ImageData(res, res);
      this.canvas.width = res;
      this.canvas.height = res;
    }
    fillPixels(source, res * res, max, lut, this.image.data, SCALE_POWER);
    this.ctx.putImageData(this.image, 0, 0);
    this.resolution = res;
  }
}
