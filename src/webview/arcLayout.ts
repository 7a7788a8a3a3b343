/**
 * Geometry of the Arcs view, free of the DOM: where each arc between two tokens runs, and how a weight
 * maps to a stroke bucket (opacity and width). Arcs are grouped into a few buckets per head so a whole
 * head draws with a handful of stroke() calls instead of one per arc.
 */

/** Token chips as laid out on screen, in CSS px relative to the arcs canvas. */
export interface TokenBoxes {
  count: number;
  /** Horizontal centre and width of each chip. */
  cx: Float32Array;
  width: Float32Array;
  top: Float32Array;
  bottom: Float32Array;
  /** Index of the visual line (after wrapping) each chip sits on. */
  line: Int32Array;
}

/** What a path needs to accept: both Path2D and CanvasRenderingContext2D fit. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void;
  bezierCurveTo(cp1x: number, cp1y: number, cp2x: number, cp2y: number, x: number, y: number): void;
}

/** Vertical room above every line of tokens reserved for arcs; panel.css gives chips this top margin. */
export const ARC_BAND = 40;
export const ARC_BUCKETS = 6;
/** An arc from a token to itself: a small loop this high above the chip. */
const SELF_LOOP = 12;

export function emptyBoxes(count: number): TokenBoxes {
  return { count, cx: new Float32Array(count), width: new Float32Array(count), top: new Float32Array(count), bottom: new Float32Array(count), line: new Int32Array(count) };
}

/**
 * Traces the arc between a query token and a key token. On one line: an arch over the line whose height
 * grows with the distance. Across lines: an S-curve leaving the query upwards and entering the key from
 * below, so arcs to earlier lines read as "up to there".
 */
export function traceArc(sink: PathSink, boxes: TokenBoxes, query: number, key: number, band = ARC_BAND): void {
  const xq = boxes.cx[query];
  const xk = boxes.cx[key];
  if (query === key) {
    const y = boxes.top[query];
    sink.moveTo(xq - 3, y);
    sink.bezierCurveTo(xq - 9, y - SELF_LOOP, xq + 9, y - SELF_LOOP, xq + 3, y);
    return;
  }
  const lq = boxes.line[query];
  const lk = boxes.line[key];
  if (lq === lk) {
    const y = boxes.top[query];
    const height = Math.min(band - 4, 6 + Math.abs(xq - xk) * 0.3);
    sink.moveTo(xq, y);
    // A quadratic curve peaks halfway to its control point, hence twice the height.
    sink.quadraticCurveTo((xq + xk) / 2, y - 2 * height, xk, y);
    return;
  }
  const lift = band * 0.7;
  if (lk < lq) {
    sink.moveTo(xq, boxes.top[query]);
    sink.bezierCurveTo(xq, boxes.top[query] - lift, xk, boxes.bottom[key] + lift, xk, boxes.bottom[key]);
  } else {
    sink.moveTo(xq, boxes.bottom[query]);
    sink.bezierCurveTo(xq, boxes.bottom[query] + lift, xk, boxes.top[key] - lift, xk, boxes.top[key]);
  }
}

/**
 * The bucket of a weight at or above `threshold` (else -1). Buckets split sqrt-scaled weight evenly: most
 * weights are small, so a linear split would put nearly every arc in the first bucket.
 */
export function arcBucket(weight: number, threshold: number): number {
  if (!(weight >= threshold) || weight <= 0) return -1;
  const span = 1 - threshold;
  const u = span > 0 ? Math.sqrt(Math.min(1, (weight - threshold) / span)) : 1;
  return Math.min(ARC_BUCKETS - 1, Math.floor(u * ARC_BUCKETS));
}

export interface BucketStyle {
  alpha: number;
  width: number;
}

/**
 * Opacity and line width grow with the bucket. The overview draws thousands of overlapping arcs, so it is
 * fainter than the few arcs of a focused token.
 */
export const BUCKET_STYLES: readonly BucketStyle[] = Array.from({ length: ARC_BUCKETS }, (_, b) => {
  const t = (b + 1) / ARC_BUCKETS;
  return { alpha: 0.25 + 0.75 * t, width: 0.75 + 2.5 * t };
});
export const OVERVIEW_ALPHA = 0.6;

/**
 * The lowest weight the overview can draw and stay within `budget` arcs over all the given matrices: the
 * threshold itself when few enough weights pass it, else a higher cut found from a histogram (one pass,
 * no sorting). Keeps a full redraw bounded however long the text or many the heads.
 */
export function overviewFloor(matrices: readonly Float32Array[], threshold: number, budget: number): { floor: number; arcs: number } {
  const BINS = 1024;
  const counts = new Uint32Array(BINS);
  const span = 1 - threshold;
  let total = 0;
  for (const m of matrices) {
    for (let i = 0; i < m.length; i++) {
      const w = m[i];
      if (!(w >= threshold) || w <= 0) continue;
      counts[span > 0 ? Math.min(BINS - 1, Math.floor(((w - threshold) / span) * BINS)) : BINS - 1]++;
      total++;
    }
  }
  if (total <= budget) return { floor: threshold, arcs: total };
  let kept = 0;
  for (let bin = BINS - 1; bin >= 0; bin--) {
    if (kept + counts[bin] > budget) return { floor: threshold + ((bin + 1) / BINS) * span, arcs: kept };
    kept += counts[bin];
  }
  return { floor: threshold, arcs: kept };
}

/**
 * Traces every arc of a [T, T] matrix at or above `threshold` into the sink of its bucket; returns how many
 * arcs were traced. Rows are queries: arc (q, k) means q attends to k.
 */
export function traceAllArcs(matrix: Float32Array, size: number, boxes: TokenBoxes, threshold: number, sinks: readonly PathSink[], band = ARC_BAND): number {
  let count = 0;
  for (let q = 0; q < size; q++) {
    const row = q * size;
    for (let k = 0; k < size; k++) {
      const b = arcBucket(matrix[row + k], threshold);
      if (b < 0) continue;
      traceArc(sinks[b], boxes, q, k, band);
      count++;
    }
  }
  return count;
}

/**
 * Traces only the arcs of one token: as query, what it attends to (its row); as key, who attends to it
 * (its column). A null sink skips its bucket, so one bucket can be traced straight into a context and
 * stroked. Returns how many arcs were traced.
 */
export function traceTokenArcs(
  matrix: Float32Array,
  size: number,
  boxes: TokenBoxes,
  token: number,
  direction: 'query' | 'key',
  threshold: number,
  sinks: readonly (PathSink | null)[],
  band = ARC_BAND,
): number {
  let count = 0;
  for (let other = 0; other < size; other++) {
    const weight = direction === 'query' ? matrix[token * size + other] : matrix[other * size + token];
    const b = arcBucket(weight, threshold);
    const sink = b < 0 ? null : sinks[b];
    if (!sink) continue;
    if (direction === 'query') traceArc(sink, boxes, token, other, band);
    else traceArc(sink, boxes, other, token, band);
    count++;
  }
  return count;
}
