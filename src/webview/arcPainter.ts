/**
 * Draws the Arcs view on a 2D context. The overview (every arc of a layer) is traced once into Path2D
 * objects, one per head and weight bucket, so a redraw is a few dozen stroke() calls; a focused token's
 * arcs are traced straight into the context because they are few.
 */
import type { Token } from '../shared/types';
import { ARC_BUCKETS, BUCKET_STYLES, OVERVIEW_ALPHA, overviewFloor, traceAllArcs, traceTokenArcs, type PathSink, type TokenBoxes } from './arcLayout';
import { rgbCss } from './color';
import type { ThemePalette } from './themePalette';
import { displayToken } from './tokenLabels';

/** One set of arcs in one colour: a head, or the mean over heads. */
export interface ArcSource {
  matrix: Float32Array;
  color: string;
}

export interface OverviewPaths {
  colors: string[];
  /** [source][bucket] */
  paths: Path2D[][];
  arcs: number;
  /** The weight below which the overview drew nothing (>= the threshold; higher when the budget bit). */
  floor: number;
  /** Whether the arc budget raised the floor above the threshold. */
  capped: boolean;
}

/**
 * The overview never draws arcs below this weight, whatever the threshold: at T = 512 a layer has 8 x 131k
 * pairs, and the faintest ones only add noise and time. A focused token draws all of its arcs.
 */
export const OVERVIEW_FLOOR = 0.02;

/**
 * At most this many arcs in the overview, all heads together. Software rasterization costs about 2.5 us
 * per hairline arc here (6,000 took 16 ms), so 4,000 keep a full repaint near 10 ms; the strongest arcs
 * are the ones kept.
 */
export const OVERVIEW_BUDGET = 4000;

export function buildOverview(sources: readonly ArcSource[], size: number, boxes: TokenBoxes, threshold: number): OverviewPaths {
  const wanted = Math.max(threshold, OVERVIEW_FLOOR);
  const { floor } = overviewFloor(
    sources.map((s) => s.matrix),
    wanted,
    OVERVIEW_BUDGET,
  );
  let arcs = 0;
  const paths = sources.map((source) => {
    const buckets = Array.from({ length: ARC_BUCKETS }, () => new Path2D());
    arcs += traceAllArcs(source.matrix, size, boxes, floor, buckets);
    return buckets;
  });
  return { colors: sources.map((s) => s.color), paths, arcs, floor, capped: floor > wanted };
}

/**
 * Strokes the overview as hairlines (one device pixel), weight shown by opacity alone: software
 * rasterization of wide anti-aliased curves costs about ten times more (240 vs 25 ms for 15k arcs at
 * T = 512), and at this density width differences are not readable anyway.
 */
export function paintOverview(ctx: CanvasRenderingContext2D, overview: OverviewPaths, devicePixelRatio: number): void {
  ctx.save();
  ctx.lineWidth = 1 / devicePixelRatio;
  overview.paths.forEach((buckets, s) => {
    ctx.strokeStyle = overview.colors[s];
    for (let b = 0; b < ARC_BUCKETS; b++) {
      ctx.globalAlpha = BUCKET_STYLES[b].alpha * OVERVIEW_ALPHA;
      ctx.stroke(buckets[b]);
    }
  });
  ctx.restore();
}

/** Reused so painting a focused token allocates nothing per frame. */
const slots: (PathSink | null)[] = new Array<PathSink | null>(ARC_BUCKETS).fill(null);

/** Draws one token's arcs (as query: its row; as key: its column); returns how many were drawn. */
export function paintTokenArcs(
  ctx: CanvasRenderingContext2D,
  sources: readonly ArcSource[],
  size: number,
  boxes: TokenBoxes,
  token: number,
  direction: 'query' | 'key',
  threshold: number,
): number {
  let drawn = 0;
  ctx.save();
  ctx.lineCap = 'round';
  for (const source of sources) {
    ctx.strokeStyle = source.color;
    for (let b = 0; b < ARC_BUCKETS; b++) {
      slots[b] = ctx;
      ctx.beginPath();
      drawn += traceTokenArcs(source.matrix, size, boxes, token, direction, threshold, slots);
      slots[b] = null;
      ctx.globalAlpha = BUCKET_STYLES[b].alpha;
      ctx.lineWidth = BUCKET_STYLES[b].width;
      ctx.stroke();
    }
  }
  ctx.restore();
  return drawn;
}

export interface ChipMarks {
  hover: number | null;
  locked: number | null;
}

/**
 * Token chips as the panel shows them, for exports (on screen they are DOM elements). `textColors` gives
 * per-token text colours where chips are tinted (null entries use the theme's).
 */
export function paintChips(
  ctx: CanvasRenderingContext2D,
  tokens: readonly Token[],
  boxes: TokenBoxes,
  palette: ThemePalette,
  font: string,
  marks: ChipMarks,
  textColors: readonly (string | null)[] | null = null,
): void {
  ctx.save();
  ctx.font = font;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < boxes.count; i++) {
    const left = boxes.cx[i] - boxes.width[i] / 2;
    const height = boxes.bottom[i] - boxes.top[i];
    if (i === marks.locked || i === marks.hover) {
      ctx.fillStyle = rgbCss(palette.focus, i === marks.locked ? 0.35 : 0.2);
      ctx.fillRect(left, boxes.top[i], boxes.width[i], height);
    }
    const d = displayToken(tokens[i]);
    ctx.font = d.special ? `italic ${font}` : font;
    ctx.fillStyle = textColors?.[i] ?? rgbCss(d.special ? palette.muted : palette.foreground);
    ctx.fillText(d.text, boxes.cx[i], boxes.top[i] + height / 2 + 0.5);
  }
  ctx.restore();
}
