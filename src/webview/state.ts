/**
 * The panel's one state object and the actions that change it. Tensors never live here (they sit in the
 * layer cache); the state only says which layers are ready, so it stays small, comparable and pure.
 */
import type { ColorScheme, PanelSettings, ResultMeta, SourceInfo, ViewKind } from '../shared/protocol';

export type LayerStatus = { kind: 'absent' } | { kind: 'pending' } | { kind: 'ready' } | { kind: 'failed'; message: string };

export interface HeadPair {
  layer: number;
  head: number;
}

/** One heatmap cell: row = query, column = key. */
export interface Cell {
  query: number;
  key: number;
}

export interface DataState {
  kind: 'data';
  result: ResultMeta;
  /** Per layer: whether its attention is in the cache. */
  layers: readonly LayerStatus[];
  /** Per layer: whether the grid's thumbnails of every head are built. */
  thumbs: readonly boolean[];
  /** Set when the host says the document changed since this result. */
  stale: string | null;
}

export type UiState =
  /** Nothing to show; after a reload, the source of the last result (with a Re-run button) and why it is gone. */
  | { kind: 'empty'; restoredSource: SourceInfo | null; message: string | null }
  | { kind: 'loading'; message: string }
  /** A run failed; `source` is the text it was asked to inspect (null when unknown). */
  | { kind: 'error'; message: string; source: SourceInfo | null }
  | DataState;

export type ArcDirection = 'query' | 'key';
export type GridTarget = 'arcs' | 'heatmap';

export interface AppState {
  ui: UiState;
  settings: PanelSettings;
  /** The person (or a restore) picked the view, so a later settings message leaves it alone. */
  viewChosen: boolean;
  source: SourceInfo | null;
  view: ViewKind;
  layer: number;
  /** Selected heads; empty = mean over heads. */
  heads: readonly number[];
  /** The person (or a restore) picked heads; otherwise a new result starts with all heads. */
  headsChosen: boolean;
  compare: readonly HeadPair[];
  threshold: number;
  arcDirection: ArcDirection;
  colorScheme: ColorScheme;
  hoverToken: number | null;
  lockedToken: number | null;
  hoverCell: Cell | null;
  lockedCell: Cell | null;
  gridCursor: HeadPair | null;
  gridTarget: GridTarget;
}

export const DEFAULT_SETTINGS: PanelSettings = { defaultView: 'arcs', colorScheme: 'theme', topK: 10 };
export const DEFAULT_THRESHOLD = 0.05;
export const MAX_COMPARE = 4;
export const MIN_COMPARE = 2;

export const initialState: AppState = {
  ui: { kind: 'empty', restoredSource: null, message: null },
  settings: DEFAULT_SETTINGS,
  viewChosen: false,
  source: null,
  view: DEFAULT_SETTINGS.defaultView,
  layer: 0,
  heads: [],
  headsChosen: false,
  compare: [],
  threshold: DEFAULT_THRESHOLD,
  arcDirection: 'query',
  colorScheme: DEFAULT_SETTINGS.colorScheme,
  hoverToken: null,
  lockedToken: null,
  hoverCell: null,
  lockedCell: null,
  gridCursor: null,
  gridTarget: 'heatmap',
};

export type Action =
  | { type: 'restored'; source: SourceInfo | null; view: ViewKind; layer: number; heads: number[]; compare: HeadPair[]; threshold: number }
  | { type: 'settings'; settings: PanelSettings }
  | { type: 'loading'; message: string }
  | { type: 'result'; result: ResultMeta }
  | { type: 'failed'; message: string; source?: SourceInfo }
  | { type: 'stale'; message: string }
  | { type: 'layerStatus'; runId: number; layer: number; status: LayerStatus }
  | { type: 'thumbsReady'; runId: number; layer: number }
  | { type: 'focusToken'; index: number | null }
  | { type: 'setView'; view: ViewKind }
  | { type: 'setLayer'; layer: number }
  | { type: 'setHeads'; heads: number[] }
  | { type: 'toggleHead'; head: number }
  | { type: 'setThreshold'; threshold: number }
  | { type: 'setArcDirection'; direction: ArcDirection }
  | { type: 'setColorScheme'; scheme: ColorScheme }
  | { type: 'hoverToken'; index: number | null }
  | { type: 'clickToken'; index: number }
  | { type: 'unlock' }
  | { type: 'hoverCell'; cell: Cell | null }
  | { type: 'clickCell'; cell: Cell }
  | { type: 'setComparePair'; slot: number; pair: HeadPair }
  | { type: 'addComparePair' }
  | { type: 'removeComparePair'; slot: number }
  | { type: 'gridCursor'; pair: HeadPair | null }
  | { type: 'setGridTarget'; target: GridTarget }
  | { type: 'openHead'; pair: HeadPair };

/** The token whose details show: hover wins over a lock (CircuitsVis' hover-lock), cells count by query. */
export function focusedToken(state: AppState): number | null {
  return state.hoverToken ?? state.hoverCell?.query ?? state.lockedToken ?? state.lockedCell?.query ?? null;
}

/** The cell the heatmaps mark: hover wins over a lock. */
export function focusedCell(state: AppState): Cell | null {
  return state.hoverCell ?? state.lockedCell;
}

export function dataOf(state: AppState): DataState | null {
  return state.ui.kind === 'data' ? state.ui : null;
}
