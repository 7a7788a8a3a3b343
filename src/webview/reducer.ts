/**
 * The pure reducer: (state, action) -> state. An action that changes nothing returns the same object, so
 * the controller can skip rendering. Indices from the host or a restore are clamped to the current model.
 */
import type { ResultMeta } from '../shared/protocol';
import { MAX_COMPARE, MIN_COMPARE, type Action, type AppState, type Cell, type DataState, type HeadPair, type LayerStatus } from './state';

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

function sameCell(a: Cell | null, b: Cell | null): boolean {
  return a === b || (a !== null && b !== null && a.query === b.query && a.key === b.key);
}

function samePair(a: HeadPair | null, b: HeadPair | null): boolean {
  return a === b || (a !== null && b !== null && a.layer === b.layer && a.head === b.head);
}

function allHeads(count: number): number[] {
  return Array.from({ length: count }, (_, h) => h);
}

function normalizeHeads(heads: readonly number[], count: number): number[] {
  return [...new Set(heads.filter((h) => Number.isInteger(h) && h >= 0 && h < count))].sort((a, b) => a - b);
}

function clampPair(pair: HeadPair, layers: number, heads: number): HeadPair {
  return { layer: clamp(Math.trunc(pair.layer), 0, layers - 1), head: clamp(Math.trunc(pair.head), 0, heads - 1) };
}

/** Two contrasting heads to start Compare with: first and last layer (or two heads of a one-layer model). */
function defaultCompare(layers: number, heads: number): HeadPair[] {
  if (layers > 1) return [{ layer: 0, head: 0 }, { layer: layers - 1, head: 0 }];
  return [{ layer: 0, head: 0 }, { layer: 0, head: Math.min(1, heads - 1) }];
}

function withResult(state: AppState, result: ResultMeta): AppState {
  const { layers, heads } = result.model;
  const kept = normalizeHeads(state.heads, heads);
  // A selection that named only heads this model lacks would silently become "mean": start from all heads.
  const headsLost = state.heads.length > 0 && kept.length === 0;
  const compare = (state.compare.length >= MIN_COMPARE ? state.compare : defaultCompare(layers, heads))
    .slice(0, MAX_COMPARE)
    .map((p) => clampPair(p, layers, heads));
  const ui: DataState = {
    kind: 'data',
    result,
    layers: Array.from({ length: layers }, (): LayerStatus => ({ kind: 'absent' })),
    thumbs: Array.from({ length: layers }, () => false),
    stale: null,
  };
  return {
    ...state,
    ui,
    source: result.source,
    layer: clamp(state.layer, 0, layers - 1),
    heads: !state.headsChosen || headsLost ? allHeads(heads) : kept,
    compare,
    hoverToken: null,
    lockedToken: null,
    hoverCell: null,
    lockedCell: null,
    gridCursor: null,
  };
}

function tokenIndex(state: AppState, index: number | null): number | null | undefined {
  if (index === null) return null;
  if (state.ui.kind !== 'data' || !Number.isInteger(index) || index < 0 || index >= state.ui.result.tokens.length) return undefined;
  return index;
}

function cellIndex(state: AppState, cell: Cell | null): Cell | null | undefined {
  if (cell === null) return null;
  const q = tokenIndex(state, cell.query);
  const k = tokenIndex(state, cell.key);
  return q === undefined || k === undefined || q === null || k === null ? undefined : { query: q, key: k };
}

function updateData(state: AppState, runId: number, update: (data: DataState) => DataState): AppState {
  if (state.ui.kind !== 'data' || state.ui.result.runId !== runId) return state;
  const ui = update(state.ui);
  return ui === state.ui ? state : { ...state, ui };
}

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'restored': {
      const ui = state.ui.kind === 'empty' ? { kind: 'empty' as const, restoredSource: action.source, message: null } : state.ui;
      return {
        ...state,
        ui,
        source: action.source,
        view: action.view,
        viewChosen: true,
        layer: Math.max(0, Math.trunc(action.layer)),
        heads: normalizeHeads(action.heads, Number.MAX_SAFE_INTEGER),
        headsChosen: true,
        compare: action.compare.slice(0, MAX_COMPARE),
        threshold: clamp(action.threshold, 0, 1),
      };
    }
    case 'settings':
      return {
        ...state,
        settings: action.settings,
        colorScheme: action.settings.colorScheme,
        view: state.viewChosen ? state.view : action.settings.defaultView,
      };
    case 'loading':
      return { ...state, ui: { kind: 'loading', message: action.message } };
    case 'result':
      return withResult(state, action.result);
    case 'failed':
      return { ...state, ui: { kind: 'error', message: action.message, source: action.source ?? null } };
    case 'stale':
      if (state.ui.kind === 'data') return { ...state, ui: { ...state.ui, stale: action.message } };
      return { ...state, ui: { kind: 'empty', restoredSource: state.source, message: action.message } };
    case 'layerStatus':
      return updateData(state, action.runId, (data) => {
        if (action.layer < 0 || action.layer >= data.layers.length) return data;
        const layers = data.layers.slice();
        layers[action.layer] = action.status;
        return { ...data, layers };
      });
    case 'thumbsReady':
      return updateData(state, action.runId, (data) => {
        if (action.layer < 0 || action.layer >= data.thumbs.length || data.thumbs[action.layer]) return data;
        const thumbs = data.thumbs.slice();
        thumbs[action.layer] = true;
        return { ...data, thumbs };
      });
    case 'focusToken': {
      const index = tokenIndex(state, action.index);
      if (index === undefined || (index === state.lockedToken && state.hoverToken === null)) return state;
      return { ...state, lockedToken: index, hoverToken: null };
    }
    case 'setView':
      if (action.view === state.view) return state.viewChosen ? state : { ...state, viewChosen: true };
      return { ...state, view: action.view, viewChosen: true, hoverToken: null, hoverCell: null, gridCursor: null };
    case 'setLayer': {
      const max = state.ui.kind === 'data' ? state.ui.result.model.layers - 1 : Number.MAX_SAFE_INTEGER;
      const layer = clamp(Math.trunc(action.layer), 0, max);
      return layer === state.layer ? state : { ...state, layer };
    }
    case 'setHeads': {
      const count = state.ui.kind === 'data' ? state.ui.result.model.heads : Number.MAX_SAFE_INTEGER;
      return { ...state, heads: normalizeHeads(action.heads, count), headsChosen: true };
    }
    case 'toggleHead': {
      if (state.ui.kind !== 'data' || action.head < 0 || action.head >= state.ui.result.model.heads) return state;
      const has = state.heads.includes(action.head);
      // Removing the last selected head would flip to "mean", a different kind of view: keep it instead.
      if (has && state.heads.length === 1) return state;
      const heads = has ? state.heads.filter((h) => h !== action.head) : normalizeHeads([...state.heads, action.head], state.ui.result.model.heads);
      return { ...state, heads, headsChosen: true };
    }
    case 'setThreshold': {
      const threshold = clamp(action.threshold, 0, 1);
      return threshold === state.threshold ? state : { ...state, threshold };
    }
    case 'setArcDirection':
      return action.direction === state.arcDirection ? state : { ...state, arcDirection: action.direction };
    case 'setColorScheme':
      return action.scheme === state.colorScheme ? state : { ...state, colorScheme: action.scheme };
    case 'hoverToken': {
      const index = tokenIndex(state, action.index);
      return index === undefined || index === state.hoverToken ? state : { ...state, hoverToken: index };
    }
    case 'clickToken': {
      const index = tokenIndex(state, action.index);
      if (index === undefined || index === null) return state;
      return { ...state, lockedToken: state.lockedToken === index ? null : index };
    }
    case 'unlock':
      if (state.lockedToken === null && state.lockedCell === null && state.hoverToken === null && state.hoverCell === null) return state;
      return { ...state, lockedToken: null, lockedCell: null, hoverToken: null, hoverCell: null };
    case 'hoverCell': {
      const cell = cellIndex(state, action.cell);
      return cell === undefined || sameCell(cell, state.hoverCell) ? state : { ...state, hoverCell: cell };
    }
    case 'clickCell': {
      const cell = cellIndex(state, action.cell);
      if (!cell) return state;
      return { ...state, lockedCell: sameCell(cell, state.lockedCell) ? null : cell };
    }
    case 'setComparePair': {
      if (state.ui.kind !== 'data' || action.slot < 0 || action.slot >= state.compare.length) return state;
      const { layers, heads } = state.ui.result.model;
      const compare = state.compare.slice();
      compare[action.slot] = clampPair(action.pair, layers, heads);
      return { ...state, compare };
    }
    case 'addComparePair': {
      if (state.ui.kind !== 'data' || state.compare.length >= MAX_COMPARE) return state;
      const { layers, heads } = state.ui.result.model;
      const last = state.compare[state.compare.length - 1] ?? { layer: 0, head: -1 };
      // The next head of the last pair (wrapping into the next layer) is the likeliest next question.
      const flat = (last.layer * heads + last.head + 1) % (layers * heads);
      return { ...state, compare: [...state.compare, { layer: Math.floor(flat / heads), head: flat % heads }] };
    }
    case 'removeComparePair':
      if (state.compare.length <= MIN_COMPARE || action.slot < 0 || action.slot >= state.compare.length) return state;
      return { ...state, compare: state.compare.filter((_, i) => i !== action.slot) };
    case 'gridCursor':
      return samePair(action.pair, state.gridCursor) ? state : { ...state, gridCursor: action.pair };
    case 'setGridTarget':
      return action.target === state.gridTarget ? state : { ...state, gridTarget: action.target };
    case 'openHead': {
      if (state.ui.kind !== 'data') return state;
      const pair = clampPair(action.pair, state.ui.result.model.layers, state.ui.result.model.heads);
      return {
        ...state,
        view: state.gridTarget,
        viewChosen: true,
        layer: pair.layer,
        heads: [pair.head],
        headsChosen: true,
        gridCursor: null,
        hoverToken: null,
        hoverCell: null,
      };
    }
  }
}
