/** One categorical colour per attention head, the same in every view and in the legend. */
import { interpolateSinebow, schemeTableau10 } from 'd3-scale-chromatic';

export function headColors(heads: number): string[] {
  if (heads <= schemeTableau10.length) return schemeTableau10.slice(0, heads);
  // Beyond ten heads a categorical palette repeats; spread hues evenly instead.
  return Array.from({ length: heads }, (_, h) => interpolateSinebow(h / heads));
}
