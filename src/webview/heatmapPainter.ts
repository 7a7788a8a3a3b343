/** Draws one heatmap (matrix bitmap, axes, focus marks) on a 2D context in CSS px; on screen and in exports. */
import type { Token } from '../shared/types';
import { rgbCss } from './color';
import { tickStep, type HeatmapGeometry } from './heatmapLayout';
import type { Cell } from './state';
import type { ThemePalette } from './themePalette';
import { displayToken } from './tokenLabels';

export interface HeatmapFrame {
  geometry: HeatmapGeometry;
  image: CanvasImageSource;
  tokens: readonly Token[];
  /** The cell under the pointer or keyboard (hover wins over the lock). */
  focus: Cell | null;
  locked: Cell | null;
  /** A token focused without a cell (e.g. by the editor cursor): its query row is outlined. */
  row: number | null;
  palette: ThemePalette;
}

export function paintHeatmap(ctx: CanvasRenderingContext2D, f: HeatmapFrame): void {
  const { geometry: g, palette } = f;
  const side = g.cell * g.size;
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(f.image, g.left, g.top, side, side);
  ctx.strokeStyle = rgbCss(palette.contrastBorder ?? palette.border);
  ctx.lineWidth = 1;
  ctx.strokeRect(g.left - 0.5, g.top - 0.5, side + 1, side + 1);
  paintAxes(ctx, f);
  if (f.row !== null && !f.focus) paintRow(ctx, g, f.row, palette);
  if (f.focus) paintFocus(ctx, g, f.focus, palette, false);
  if (f.locked && (f.locked.query !== f.focus?.query || f.locked.key !== f.focus?.key)) paintFocus(ctx, g, f.locked, palette, true);
  ctx.restore();
}

function paintAxes(ctx: CanvasRenderingContext2D, f: HeatmapFrame): void {
  const { geometry: g, palette } = f;
  ctx.fillStyle = rgbCss(palette.muted);
  const fontSize = Math.round(palette.fontSize * 0.8);
  ctx.font = `${fontSize}px ${palette.fontFamily}`;
  if (g.labels) {
    ctx.font = `${fontSize}px ${palette.monoFamily}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const clip = g.left - 6;
    f.tokens.forEach((t, i) => {
      const y = g.top + (i + 0.5) * g.cell;
      ctx.fillText(displayToken(t).text, g.left - 4, y, clip);
      ctx.save();
      ctx.translate(g.left + (i + 0.5) * g.cell, g.top - 4);
      ctx.rotate(-Math.PI / 3);
      ctx.textAlign = 'left';
      ctx.fillText(displayToken(t).text, 0, 0, g.top);
      ctx.restore();
    });
    return;
  }
  const step = tickStep(g.cell);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (let i = 0; i < g.size; i += step) ctx.fillText(String(i), g.left + (i + 0.5) * g.cell, g.top - 3);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < g.size; i += step) ctx.fillText(String(i), g.left - 4, g.top + (i + 0.5) * g.cell);
}

function paintRow(ctx: CanvasRenderingContext2D, g: HeatmapGeometry, row: number, palette: ThemePalette): void {
  ctx.save();
  ctx.strokeStyle = rgbCss(palette.focus);
  ctx.lineWidth = 2;
  ctx.strokeRect(g.left - 1, g.top + row * g.cell - 1, g.cell * g.size + 2, Math.max(1, g.cell) + 2);
  ctx.restore();
}

/** Outlines the row (query) and column (key) of a cell, then the cell itself. */
function paintFocus(ctx: CanvasRenderingContext2D, g: HeatmapGeometry, cell: Cell, palette: ThemePalette, locked: boolean): void {
  const side = g.cell * g.size;
  const x = g.left + cell.key * g.cell;
  const y = g.top + cell.query * g.cell;
  ctx.save();
  ctx.strokeStyle = rgbCss(palette.focus);
  ctx.globalAlpha = 0.55;
  ctx.lineWidth = 1;
  if (locked) ctx.setLineDash([3, 2]);
  ctx.strokeRect(g.left, y, side, Math.max(1, g.cell));
  ctx.strokeRect(x, g.top, Math.max(1, g.cell), side);
  ctx.globalAlpha = 1;
  ctx.lineWidth = 2;
  const pad = Math.max(2, g.cell * 0.2);
  ctx.strokeRect(x - pad, y - pad, g.cell + 2 * pad, g.cell + 2 * pad);
  ctx.restore();
}
