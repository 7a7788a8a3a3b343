/**
 * Geometry of a T x T heatmap: margins for the axes, cell size, and which cell a point falls in. Pure, so
 * hit-testing is unit-tested and shared by the Heatmap and Compare views and their exports.
 */
import type { Cell } from './state';

export interface HeatmapGeometry {
  /** Matrix origin inside the canvas, in CSS px. */
  left: number;
  top: number;
  /** Cell edge in CSS px (fractional when T is large). */
  cell: number;
  size: number;
  /** Whether token labels fit on the axes (otherwise index ticks). */
  labels: boolean;
  width: number;
  height: number;
}

const TICK_MARGIN_LEFT = 34;
const TICK_MARGIN_TOP = 22;
const LABEL_MARGIN = 84;
const PAD = 6;
/** Cells larger than this only waste room on short texts. */
const MAX_CELL = 28;
/** From this cell size on, token labels are readable on the axes. */
const LABEL_CELL = 13;

export function heatmapGeometry(size: number, availWidth: number, availHeight: number): HeatmapGeometry {
  const fit = (margin: number, top: number): number => Math.max(0, Math.min(availWidth - margin - PAD, availHeight - top - PAD));
  let cell = Math.min(MAX_CELL, fit(TICK_MARGIN_LEFT, TICK_MARGIN_TOP) / Math.max(1, size));
  let labels = false;
  if (cell >= LABEL_CELL) {
    const labelled = Math.min(MAX_CELL, fit(LABEL_MARGIN, LABEL_MARGIN) / Math.max(1, size));
    if (labelled >= LABEL_CELL) {
      cell = labelled;
      labels = true;
    }
  }
  cell = Math.max(cell, 0.25);
  const left = labels ? LABEL_MARGIN : TICK_MARGIN_LEFT;
  const top = labels ? LABEL_MARGIN : TICK_MARGIN_TOP;
  const side = cell * size;
  return { left, top, cell, size, labels, width: Math.ceil(left + side + PAD), height: Math.ceil(top + side + PAD) };
}

/** The cell under a point (CSS px relative to the canvas), or null outside the matrix. */
export function cellAt(g: HeatmapGeometry, x: number, y: number): Cell | null {
  const col = Math.floor((x - g.left) / g.cell);
  const row = Math.floor((y - g.top) / g.cell);
  if (col < 0 || row < 0 || col >= g.size || row >= g.size) return null;
  return { query: row, key: col };
}

const STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];

/** Index tick spacing so tick labels stay at least `minGap` px apart. */
export function tickStep(cell: number, minGap = 28): number {
  return STEPS.find((s) => s * cell >= minGap) ?? STEPS[STEPS.length - 1];
}

/** Moves a cell with an arrow key (Home/End jump along the row), clamped to the matrix. */
export function moveCell(cell: Cell | null, key: string, size: number): Cell | null {
  const c = cell ?? { query: 0, key: 0 };
  const clamp = (v: number): number => Math.max(0, Math.min(size - 1, v));
  switch (key) {
    case 'ArrowUp':
      return { query: clamp(c.query - 1), key: c.key };
    case 'ArrowDown':
      return { query: clamp(c.query + 1), key: c.key };
    case 'ArrowLeft':
      return { query: c.query, key: clamp(c.key - 1) };
    case 'ArrowRight':
      return { query: c.query, key: clamp(c.key + 1) };
    case 'Home':
      return { query: c.query, key: 0 };
    case 'End':
      return { query: c.query, key: size - 1 };
    default:
      return null;
  }
}
