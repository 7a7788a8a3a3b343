/** Fixed parts of an exported image, in CSS px (the PNG is drawn at EXPORT_SCALE x these). */
export const EXPORT_SCALE = 2;
export const EXPORT_TITLE_HEIGHT = 32;
export const EXPORT_LEGEND_HEIGHT = 40;
/** Narrow views still get room for the title and legend. */
export const EXPORT_MIN_WIDTH = 360;

/** CSS size of the exported picture for a view content of the given CSS size. */
export function exportSize(width: number, height: number): { width: number; height: number } {
  return { width: Math.max(EXPORT_MIN_WIDTH, Math.ceil(width)), height: EXPORT_TITLE_HEIGHT + Math.ceil(height) + EXPORT_LEGEND_HEIGHT };
}
