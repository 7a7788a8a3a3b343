/**
 * Reads the state the webview saved with setState (PanelState) when VS Code restores the panel after a
 * reload. It comes from another process and an older version of the extension may have written it, so it
 * is checked field by field. Pure.
 */
import type { SourceInfo } from '../shared/protocol';

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

export function sourceFromPanelState(state: unknown): SourceInfo | null {
  if (typeof state !== 'object' || state === null) return null;
  const source = (state as { source?: unknown }).source;
  if (typeof source !== 'object' || source === null) return null;
  const s = source as Record<string, unknown>;
  if (typeof s.fileName !== 'string' || typeof s.uri !== 'string' || s.uri === '') return null;
  if (!isCount(s.startLine) || !isCount(s.endLine) || !isCount(s.startOffset) || !isCount(s.version)) return null;
  if (s.endLine < s.startLine) return null;
  return {
    fileName: s.fileName,
    uri: s.uri,
    startLine: s.startLine,
    endLine: s.endLine,
    startOffset: s.startOffset,
    version: s.version,
  };
}
