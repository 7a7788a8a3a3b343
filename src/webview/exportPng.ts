/**
 * Renders the current view offscreen at 2x with a title line and a legend, encodes it with canvas.toBlob,
 * and adds the same facts as PNG text (tEXt/iTXt) so the image explains itself outside the editor.
 */
import type { ResultMeta } from '../shared/protocol';
import { rgbCss } from './color';
import type { ColorScale } from './colorScale';
import { EXPORT_LEGEND_HEIGHT, EXPORT_SCALE, EXPORT_TITLE_HEIGHT, exportSize } from './exportLayout';
import { formatSource, safeFileStem } from './format';
import { paintLegend } from './legend';
import { insertPngText, type PngTextEntry } from './pngText';
import type { ThemePalette } from './themePalette';
import type { ExportPicture } from './viewTypes';

export interface ExportRequest {
  picture: ExportPicture;
  viewName: string;
  result: ResultMeta;
  palette: ThemePalette;
  scale: ColorScale;
}

export interface ExportedPng {
  png: Uint8Array;
  suggestedName: string;
}

export const SOFTWARE = 'Attention Inspector (VS Code)';

export function exportTitle(req: ExportRequest): string {
  const { picture, result, viewName } = req;
  const parts = [result.model.name, viewName];
  if (picture.layer !== 'none') parts.push(picture.layer === 'all' ? 'all layers' : `layer ${picture.layer}`);
  if (picture.heads !== 'none' && picture.heads !== 'all') parts.push(picture.heads);
  parts.push(formatSource(result.source));
  return parts.join(' · ');
}

/** Typographic punctuation outside Latin-1, spelled so the text still fits a plain tEXt chunk. */
const PLAIN: Record<string, string> = { '–': '-', '—': '-', '“': '"', '”': '"', '‘': "'", '’': "'", '…': '...', '→': '->' };

function plainText(text: string): string {
  return text.replace(/[–—“”‘’…→]/g, (c) => PLAIN[c] ?? c);
}

/**
 * The facts of the picture as PNG text. Most readers show tEXt, so punctuation is kept within Latin-1;
 * what still is not (a file name in Chinese) goes to iTXt.
 */
export function exportMetadata(req: ExportRequest): PngTextEntry[] {
  const { picture, result } = req;
  const entries = [
    { keyword: 'Title', text: exportTitle(req) },
    { keyword: 'Software', text: SOFTWARE },
    { keyword: 'Model', text: result.model.name },
    { keyword: 'View', text: req.viewName },
    { keyword: 'Layer', text: picture.layer },
    { keyword: 'Heads', text: picture.heads },
    { keyword: 'Source', text: `${formatSource(result.source)} (${result.source.uri})` },
    { keyword: 'Tokens', text: `${result.tokens.length}${result.truncated ? ' (truncated to the model context)' : ''}` },
  ];
  return entries.map((e) => ({ keyword: e.keyword, text: plainText(e.text) }));
}

export function suggestedName(req: ExportRequest): string {
  const layer = req.picture.layer === 'all' || req.picture.layer === 'none' ? '' : `-L${req.picture.layer.replace(/\D+/g, '-')}`;
  return `${safeFileStem(req.result.source.fileName)}-${req.viewName.toLowerCase().replace(/\s+/g, '-')}${layer}.png`;
}

export async function renderPng(req: ExportRequest): Promise<ExportedPng> {
  const { picture, palette } = req;
  const size = exportSize(picture.width, picture.height);
  const canvas = document.createElement('canvas');
  canvas.width = size.width * EXPORT_SCALE;
  canvas.height = size.height * EXPORT_SCALE;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('cannot create a 2D canvas for the export');
  ctx.scale(EXPORT_SCALE, EXPORT_SCALE);
  ctx.fillStyle = rgbCss(palette.background);
  ctx.fillRect(0, 0, size.width, size.height);
  ctx.font = `600 ${palette.fontSize + 1}px ${palette.fontFamily}`;
  ctx.fillStyle = rgbCss(palette.foreground);
  ctx.textBaseline = 'middle';
  ctx.fillText(exportTitle(req), 10, EXPORT_TITLE_HEIGHT / 2, size.width - 20);
  ctx.save();
  ctx.translate(0, EXPORT_TITLE_HEIGHT);
  ctx.beginPath();
  ctx.rect(0, 0, picture.width, picture.height);
  ctx.clip();
  picture.paint(ctx);
  ctx.restore();
  paintLegend(ctx, picture.legend, 10, EXPORT_TITLE_HEIGHT + picture.height + 4, EXPORT_LEGEND_HEIGHT - 8, palette, req.scale);
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'));
  const png = new Uint8Array(await blob.arrayBuffer());
  return { png: insertPngText(png, exportMetadata(req)), suggestedName: suggestedName(req) };
}
