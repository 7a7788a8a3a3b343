/**
 * Messages between the extension host and the Attention Inspector panel (webview): one discriminated union
 * per direction keyed on `type`. Attention never crosses as JSON numbers: a layer travels as a Float32Array
 * (binary in VS Code's webview transport since engines.vscode >= 1.57) and only when the panel asks for it.
 * Requests that expect an answer carry a `requestId` that the answer echoes; a failed request is answered
 * with `requestFailed`, so nothing waits forever.
 */
import type { ModelInfo, NextTokenInfo, Token } from './types';

/** Where the inspected text came from, for titles, exports and reveal-in-editor. */
export interface SourceInfo {
  /** File name for display (no folders). */
  fileName: string;
  /** The document's URI as a string, to re-open it after a reload. */
  uri: string;
  /** 0-based, inclusive lines of the inspected range. */
  startLine: number;
  endLine: number;
  /** Offset of the inspected text in the document, to map token spans to document positions. */
  startOffset: number;
  /** The document version the result belongs to; an edit makes the result stale. */
  version: number;
}

/** Whether two sources name the same text of the same document (versions aside). */
export function sameSource(a: SourceInfo, b: SourceInfo): boolean {
  return a.uri === b.uri && a.startOffset === b.startOffset && a.startLine === b.startLine && a.endLine === b.endLine;
}

export type ViewKind = 'arcs' | 'heatmap' | 'grid' | 'compare' | 'next';
export type ColorScheme = 'theme' | 'blues' | 'viridis' | 'magma' | 'greys';

export interface PanelSettings {
  defaultView: ViewKind;
  colorScheme: ColorScheme;
  topK: number;
}

/** Everything about one inspection except the attention tensors, which come per layer on request. */
export interface ResultMeta {
  /** Identifies the result; layer requests name it so late answers for an old result are ignored. */
  runId: number;
  model: ModelInfo;
  tokens: Token[];
  next: NextTokenInfo[];
  /** The inspected text; token spans index into it. */
  text: string;
  source: SourceInfo;
  /** Set when the selection was longer than the model's context and only its first part was inspected. */
  truncated: boolean;
}

export type HostToPanel =
  | { type: 'settings'; settings: PanelSettings }
  | { type: 'loading'; message: string }
  | { type: 'result'; result: ResultMeta }
  | { type: 'layer'; requestId: number; runId: number; layer: number; heads: number; size: number; data: Float32Array }
  | { type: 'requestFailed'; requestId: number; message: string }
  /** A run failed; `source` is the text it was asked to inspect, which may differ from the result shown last. */
  | { type: 'error'; message: string; source?: SourceInfo }
  /** The result no longer matches the document (it was edited) or could not be restored. */
  | { type: 'stale'; message: string }
  /** The editor cursor moved onto token `index` (or off the inspected range: null). */
  | { type: 'focusToken'; index: number | null }
  /** Render the current view as PNG and answer with `pngExported` (or `requestFailed`). */
  | { type: 'exportPng'; requestId: number };

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'requestLayer'; requestId: number; runId: number; layer: number }
  /** The person clicked (or pressed Enter on) a token: reveal and highlight its source range. */
  | { type: 'revealToken'; index: number }
  /** The panel's export button: the host shows a save dialog. */
  | { type: 'savePng'; png: Uint8Array; suggestedName: string }
  | { type: 'pngExported'; requestId: number; png: Uint8Array; suggestedName: string }
  | { type: 'requestFailed'; requestId: number; message: string }
  /** Re-run the inspection of the restored source (after a window reload). */
  | { type: 'rerun' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** The small UI state the panel keeps with setState so a reload can restore it (never tensors). */
export interface PanelState {
  source: SourceInfo | null;
  view: ViewKind;
  layer: number;
  /** Selected heads; empty = mean over heads. */
  heads: number[];
  compare: { layer: number; head: number }[];
  threshold: number;
}

const HOST_TYPES: ReadonlySet<string> = new Set<HostToPanel['type']>([
  'settings', 'loading', 'result', 'layer', 'requestFailed', 'error', 'stale', 'focusToken', 'exportPng',
]);
const PANEL_TYPES: ReadonlySet<string> = new Set<PanelToHost['type']>([
  'ready', 'requestLayer', 'revealToken', 'savePng', 'pngExported', 'requestFailed', 'rerun', 'log',
]);

function hasType(value: unknown, types: ReadonlySet<string>): value is { type: string } {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && types.has((value as { type: string }).type);
}

const isInt = (v: unknown): v is number => Number.isInteger(v);

/** Guards a message from the panel: the webview is another process, so its messages are checked, not trusted. */
export function isPanelToHost(value: unknown): value is PanelToHost {
  if (!hasType(value, PANEL_TYPES)) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'rerun':
      return true;
    case 'requestLayer':
      return isInt(m.requestId) && isInt(m.runId) && isInt(m.layer);
    case 'revealToken':
      return isInt(m.index);
    case 'savePng':
      return m.png instanceof Uint8Array && typeof m.suggestedName === 'string';
    case 'pngExported':
      return isInt(m.requestId) && m.png instanceof Uint8Array && typeof m.suggestedName === 'string';
    case 'requestFailed':
      return isInt(m.requestId) && typeof m.message === 'string';
    case 'log':
      return (m.level === 'info' || m.level === 'warn' || m.level === 'error') && typeof m.message === 'string';
    default:
      return false;
  }
}

/** Guards a message from the host, for the panel's single message listener. */
export function isHostToPanel(value: unknown): value is HostToPanel {
  if (!hasType(value, HOST_TYPES)) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'layer':
      return isInt(m.requestId) && isInt(m.runId) && isInt(m.layer) && isInt(m.heads) && isInt(m.size) && m.data instanceof Float32Array && m.data.length === (m.heads as number) * (m.size as number) * (m.size as number);
    case 'result':
      return typeof m.result === 'object' && m.result !== null;
    case 'focusToken':
      return m.index === null || isInt(m.index);
    case 'exportPng':
    case 'requestFailed':
      return isInt(m.requestId);
    default:
      return true;
  }
}
