/**
 * The colour legend: a gradient bar with ticks for the sequential scale, or one swatch per head for the
 * Arcs view. The same painter draws the legend in the panel and in exported PNGs.
 */
import { rgbCss } from './color';
import type { ColorScale } from './colorScale';
import { formatPercent } from './format';
import type { ThemePalette } from './themePalette';

export type LegendSpec =
  /** `power` < 1: colours follow (value / max) ^ power, and the ticks are placed to match. */
  | { kind: 'scale'; label: string; max: number; format: 'weight' | 'percent'; power?: number }
  | { kind: 'heads'; label: string; colors: readonly string[]; names: readonly string[] };

export interface LegendTick {
  /** Position along the bar, 0..1. */
  at: number;
  value: number;
  label: string;
}

const LEGEND_BAR_WIDTH = 140;
const LEGEND_BAR_HEIGHT = 10;

function formatTick(value: number, format: 'weight' | 'percent'): string {
  if (format === 'percent') return formatPercent(value);
  if (value === 0) return '0';
  return value >= 0.1 ? value.toFixed(2) : value.toPrecision(2);
}

/** Evenly spaced ticks from 0 to max (max > 0), endpoints included; values follow the scale's power. */
export function legendTicks(max: number, count: number, format: 'weight' | 'percent', power = 1): LegendTick[] {
  const n = Math.max(2, count);
  const top = max > 0 ? max : 1;
  return Array.from({ length: n }, (_, i) => {
    const at = i / (n - 1);
    const value = top * at ** (1 / power);
    return { at, value, label: formatTick(value, format) };
  });
}

/** Paints the legend into a box; the context is in CSS px. Returns the width used. */
export function paintLegend(ctx: CanvasRenderingContext2D, spec: LegendSpec, x: number, y: number, height: number, palette: ThemePalette, scale: ColorScale): number {
  const font = `${Math.round(palette.fontSize * 0.85)}px ${palette.fontFamily}`;
  ctx.save();
  ctx.font = font;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = rgbCss(palette.muted);
  const mid = y + height / 2;
  ctx.fillText(spec.label, x, mid);
  let at = x + ctx.measureText(spec.label).width + 10;
  if (spec.kind === 'scale') {
    const barTop = mid - LEGEND_BAR_HEIGHT / 2 - 5;
    for (let i = 0; i < LEGEND_BAR_WIDTH; i++) {
      ctx.fillStyle = scale.cssAt(i / (LEGEND_BAR_WIDTH - 1));
      ctx.fillRect(at + i, barTop, 1, LEGEND_BAR_HEIGHT);
    }
    ctx.strokeStyle = rgbCss(palette.border);
    ctx.lineWidth = 1;
    ctx.strokeRect(at + 0.5, barTop + 0.5, LEGEND_BAR_WIDTH - 1, LEGEND_BAR_HEIGHT - 1);
    ctx.fillStyle = rgbCss(palette.muted);
    ctx.textBaseline = 'top';
    const ticks = legendTicks(spec.max, 3, spec.format, spec.power);
    for (const tick of ticks) {
      const w = ctx.measureText(tick.label).width;
      const tx = at + tick.at * (LEGEND_BAR_WIDTH - 1);
      ctx.fillText(tick.label, Math.max(at, Math.min(at + LEGEND_BAR_WIDTH - w, tx - w / 2)), barTop + LEGEND_BAR_HEIGHT + 2);
    }
    at += LEGEND_BAR_WIDTH;
  } else {
    for (let i = 0; i < spec.colors.length; i++) {
      ctx.fillStyle = spec.colors[i];
      ctx.fillRect(at, mid - 5, 10, 10);
      ctx.fillStyle = rgbCss(palette.foreground);
      ctx.fillText(spec.names[i], at + 13, mid);
      at += 13 + ctx.measureText(spec.names[i]).width + 10;
    }
  }
  ctx.restore();
  return at - x;
}
