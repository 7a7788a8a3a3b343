/** Text formatting shared by the views, the export title and the tests that read the panel's text. */
import type { SourceInfo } from '../shared/protocol';

/** A probability as a percentage with one decimal; tiny values say so rather than round to 0.0%. */
export function formatPercent(p: number): string {
  const pct = p * 100;
  if (pct > 0 && pct < 0.05) return '<0.1%';
  return `${pct.toFixed(1)}%`;
}

/** An attention weight (0..1) with three decimals, as shown in hover tooltips. */
export function formatWeight(w: number): string {
  return w.toFixed(3);
}

export function formatEntropy(nats: number): string {
  return `${nats.toFixed(2)} nats`;
}

/** "story.md, line 4" or "story.md, lines 3–18" (1-based, as the editor shows them). */
export function formatSource(source: SourceInfo): string {
  const a = source.startLine + 1;
  const b = source.endLine + 1;
  return a === b ? `${source.fileName}, line ${a}` : `${source.fileName}, lines ${a}–${b}`;
}

/** Describes a head selection: empty = the mean over all heads. */
export function formatHeads(heads: readonly number[], headCount: number): string {
  if (heads.length === 0) return `mean of ${headCount} heads`;
  if (heads.length === headCount && headCount > 1) return `all ${headCount} heads`;
  if (heads.length === 1) return `head ${heads[0]}`;
  return `heads ${heads.join(', ')}`;
}

/** A file name safe to suggest in a save dialog. */
export function safeFileStem(name: string): string {
  const stem = name.replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '');
  return stem.length > 0 ? stem : 'attention';
}
