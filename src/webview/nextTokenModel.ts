/**
 * What the Next token view lists for one position: the top-k guesses with the token that actually follows
 * marked, and that token's probability and rank even when it is outside the top-k. Pure, for the tests.
 */
import type { NextTokenInfo, Token } from '../shared/types';
import { formatEntropy, formatPercent } from './format';
import { quoteLabel } from './tokenLabels';

export interface NextRow {
  rank: number;
  label: string;
  p: number;
  percent: string;
  isActual: boolean;
}

export interface NextSummary {
  position: number;
  /** The token at `position`, whose successor is predicted. */
  after: string;
  rows: NextRow[];
  /** The token that follows in the text; null after the last token. */
  actual: { label: string; p: number; percent: string; rank: number; inTop: boolean } | null;
  entropy: string;
}

export function nextSummary(info: NextTokenInfo, tokens: readonly Token[], topK: number): NextSummary {
  const shown = info.top.slice(0, Math.max(1, topK));
  const actualId = info.actual?.id ?? null;
  const rows = shown.map((t, i) => ({ rank: i + 1, label: quoteLabel(t.text), p: t.p, percent: formatPercent(t.p), isActual: t.id === actualId }));
  const following = tokens[info.position + 1];
  const actual = info.actual
    ? {
        label: quoteLabel(following?.text ?? `#${info.actual.id}`),
        p: info.actual.p,
        percent: formatPercent(info.actual.p),
        rank: info.actual.rank,
        inTop: rows.some((r) => r.isActual),
      }
    : null;
  return { position: info.position, after: quoteLabel(tokens[info.position]?.text ?? ''), rows, actual, entropy: formatEntropy(info.entropy) };
}

/** Per token, the probability the model gave it from the text before it (null for the first token). */
export function tokenProbabilities(next: readonly NextTokenInfo[], count: number): (number | null)[] {
  const out: (number | null)[] = new Array<number | null>(count).fill(null);
  for (const info of next) {
    const j = info.position + 1;
    if (info.actual && j < count) out[j] = info.actual.p;
  }
  return out;
}
