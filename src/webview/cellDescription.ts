/** The words for one attention cell, shared by the heatmap tooltips and the screen-reader announcement. */
import type { Token } from '../shared/types';
import { formatWeight } from './format';
import type { Cell } from './state';
import { quoteLabel } from './tokenLabels';

export function cellTitle(tokens: readonly Token[], cell: Cell): string {
  const q = tokens[cell.query];
  const k = tokens[cell.key];
  return `${quoteLabel(q?.text ?? '')} → ${quoteLabel(k?.text ?? '')}`;
}

export function cellLine(label: string, weight: number | undefined, cell: Cell): string {
  const w = weight === undefined ? 'not loaded' : formatWeight(weight);
  return `${label}: ${w}  (query ${cell.query}, key ${cell.key})`;
}
