/**
 * The slice of state that survives a reload (PanelState from the protocol) and its validation on the way
 * back: setState's storage is not typed, so whatever comes back is checked field by field.
 */
import type { PanelState, SourceInfo, ViewKind } from '../shared/protocol';
import { DEFAULT_THRESHOLD, type Action, type AppState, type HeadPair } from './state';

const VIEWS: readonly ViewKind[] = ['arcs', 'heatmap', 'grid', 'compare', 'next'];

export function toPanelState(state: AppState): PanelState {
  return {
    source: state.source,
    view: state.view,
    layer: state.layer,
    heads: [...state.heads],
    compare: state.compare.map((p) => ({ layer: p.layer, head: p.head })),
    threshold: state.threshold,
  };
}

/** Equal persisted slices need no setState call (it serializes everything each time). */
export function samePanelState(a: PanelState, b: PanelState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const isNat = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function parseSource(value: unknown): SourceInfo | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  if (typeof s.fileName !== 'string' || typeof s.uri !== 'string') return null;
  if (!isNat(s.startLine) || !isNat(s.endLine) || !isNat(s.startOffset) || !Number.isInteger(s.version)) return null;
  return { fileName: s.fileName, uri: s.uri, startLine: s.startLine, endLine: s.endLine, startOffset: s.startOffset, version: s.version as number };
}

function parsePairs(value: unknown): HeadPair[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((p): p is { layer: number; head: number } => typeof p === 'object' && p !== null && isNat((p as HeadPair).layer) && isNat((p as HeadPair).head))
    .map((p) => ({ layer: p.layer, head: p.head }));
}

/** The 'restored' action for whatever getState returned, or null when there is nothing usable. */
export function restoreAction(saved: unknown): Action | null {
  if (typeof saved !== 'object' || saved === null) return null;
  const s = saved as Record<string, unknown>;
  const view = VIEWS.find((v) => v === s.view);
  if (!view) return null;
  const threshold = typeof s.threshold === 'number' && Number.isFinite(s.threshold) ? s.threshold : DEFAULT_THRESHOLD;
  return {
    type: 'restored',
    source: parseSource(s.source),
    view,
    layer: isNat(s.layer) ? s.layer : 0,
    heads: Array.isArray(s.heads) ? s.heads.filter(isNat) : [],
    compare: parsePairs(s.compare),
    threshold,
  };
}
