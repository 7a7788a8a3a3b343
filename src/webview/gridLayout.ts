/** Geometry of the Grid view: one thumbnail per (layer, head), rows = layers, columns = heads. */
import type { HeadPair } from './state';

export interface GridGeometry {
  left: number;
  top: number;
  thumb: number;
  gap: number;
  layers: number;
  heads: number;
  width: number;
  height: number;
}

const ROW_LABEL = 34;
const COL_LABEL = 20;
const GAP = 6;
const MIN_THUMB = 36;
const MAX_THUMB = 120;

export function gridGeometry(layers: number, heads: number, availWidth: number): GridGeometry {
  const fit = Math.floor((availWidth - ROW_LABEL - GAP * heads) / Math.max(1, heads));
  const thumb = Math.max(MIN_THUMB, Math.min(MAX_THUMB, fit));
  return {
    left: ROW_LABEL,
    top: COL_LABEL,
    thumb,
    gap: GAP,
    layers,
    heads,
    width: ROW_LABEL + heads * (thumb + GAP),
    height: COL_LABEL + layers * (thumb + GAP),
  };
}

/** Top-left corner of a thumbnail. */
export function thumbOrigin(g: GridGeometry, pair: HeadPair): { x: number; y: number } {
  return { x: g.left + pair.head * (g.thumb + g.gap), y: g.top + pair.layer * (g.thumb + g.gap) };
}

/** The thumbnail under a point, or null (gaps and labels included). */
export function thumbAt(g: GridGeometry, x: number, y: number): HeadPair | null {
  const step = g.thumb + g.gap;
  const head = Math.floor((x - g.left) / step);
  const layer = Math.floor((y - g.top) / step);
  if (head < 0 || layer < 0 || head >= g.heads || layer >= g.layers) return null;
  const ox = x - g.left - head * step;
  const oy = y - g.top - layer * step;
  return ox < g.thumb && oy < g.thumb ? { layer, head } : null;
}

export function moveThumb(pair: HeadPair | null, key: string, layers: number, heads: number): HeadPair | null {
  const p = pair ?? { layer: 0, head: 0 };
  const clamp = (v: number, n: number): number => Math.max(0, Math.min(n - 1, v));
  switch (key) {
    case 'ArrowUp':
      return { layer: clamp(p.layer - 1, layers), head: p.head };
    case 'ArrowDown':
      return { layer: clamp(p.layer + 1, layers), head: p.head };
    case 'ArrowLeft':
      return { layer: p.layer, head: clamp(p.head - 1, heads) };
    case 'ArrowRight':
      return { layer: p.layer, head: clamp(p.head + 1, heads) };
    default:
      return null;
  }
}
