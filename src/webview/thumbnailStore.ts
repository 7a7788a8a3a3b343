/**
 * Downsampled copies of every (layer, head) matrix for the Grid view. Built once when a layer arrives, they
 * let the grid show all heads of all layers while the full layers themselves are released.
 */
import { downsampleMax, headMatrix, maxOf } from './attentionMath';
import type { CachedLayer } from './layerCache';

/** Thumbnail resolution cap per side: a grid cell is at most ~120 CSS px, and max-pooling keeps peaks. */
export const THUMB_RESOLUTION = 64;

export interface Thumbnail {
  /** [res, res] max-pooled weights. */
  values: Float32Array;
  resolution: number;
  max: number;
}

export class ThumbnailStore {
  private readonly byLayer = new Map<number, Thumbnail[]>();

  reset(): void {
    this.byLayer.clear();
  }

  build(layer: CachedLayer): void {
    const res = Math.min(layer.size, THUMB_RESOLUTION);
    const thumbs = Array.from({ length: layer.heads }, (_, head) => {
      const values = downsampleMax(headMatrix(layer.data, layer.size, head), layer.size, res, new Float32Array(res * res));
      return { values, resolution: res, max: maxOf(values) };
    });
    this.byLayer.set(layer.layer, thumbs);
  }

  has(layer: number): boolean {
    return this.byLayer.has(layer);
  }

  get(layer: number, head: number): Thumbnail | undefined {
    return this.byLayer.get(layer)?.[head];
  }
}
