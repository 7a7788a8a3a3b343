/**
 * The arguments scripts and tests may pass to the commands, checked before use (executeCommand passes
 * anything). Pure.
 *
 * attentionInspector.inspect: { uri?: string, range?: [startLine, startChar, endLine, endChar], truncate?: boolean }
 *   - uri: the document to inspect (a URI string such as "file:///…" or "untitled:Untitled-1", or an
 *     absolute path); default: the active editor's document.
 *   - range: 0-based, as vscode.Range; default: the active editor's selection, or the whole document when
 *     `uri` is given. An empty range means its line, as an empty selection does.
 *   - truncate: when the text is longer than the model's context, inspect the longest first part that fits
 *     without asking (default: ask).
 *   Menus pass a vscode.Uri (the editor's resource) as the first argument: a Uri, or an object without
 *   `uri`, `range` and `truncate`, is treated as no argument.
 * attentionInspector.exportPng: { path: string } writes the image there without a dialog.
 * attentionInspector.chooseModelFolder: { path: string } sets the folder without a dialog.
 * attentionInspector.selectModel: { model: string } downloads and uses that model (a curated name such as
 *   "gpt2", or a hub id "owner/name[@revision]") without the picker.
 */
import type { RangeTuple } from './tokenRanges';

export interface InspectArgs {
  uri?: string;
  range?: RangeTuple;
  truncate?: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/**
 * The argument as a record of the named keys, or undefined for "no argument". A vscode.Uri (what menus pass:
 * it has a `path` of its own) never counts, so an editor's file is never taken for an export destination.
 */
function asRecord(arg: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return undefined;
  const record = arg as Record<string, unknown>;
  if (typeof record.scheme === 'string') return undefined;
  return keys.some((key) => key in record) ? record : undefined;
}

export function parseInspectArgs(arg: unknown): Parsed<InspectArgs> {
  const record = asRecord(arg, ['uri', 'range', 'truncate']);
  if (!record) return { ok: true, value: {} };
  const value: InspectArgs = {};
  if (record.uri !== undefined) {
    if (typeof record.uri !== 'string' || record.uri.trim() === '') return { ok: false, error: 'the "uri" argument must be a non-empty string' };
    value.uri = record.uri;
  }
  if (record.range !== undefined) {
    const range = record.range;
    if (!Array.isArray(range) || range.length !== 4 || !range.every(isCount)) {
      return { ok: false, error: 'the "range" argument must be [startLine, startCharacter, endLine, endCharacter], four whole numbers >= 0' };
    }
    value.range = [range[0], range[1], range[2], range[3]];
  }
  if (record.truncate !== undefined) {
    if (typeof record.truncate !== 'boolean') return { ok: false, error: 'the "truncate" argument must be true or false' };
    value.truncate = record.truncate;
  }
  return { ok: true, value };
}

/** `{ path }` for exportPng and chooseModelFolder; anything else (a menu's Uri, nothing) means "ask". */
export function parsePathArg(arg: unknown): Parsed<{ path?: string }> {
  const record = asRecord(arg, ['path']);
  if (!record) return { ok: true, value: {} };
  if (typeof record.path !== 'string' || record.path.trim() === '') return { ok: false, error: 'the "path" argument must be a non-empty string' };
  return { ok: true, value: { path: record.path } };
}

/** `{ model }` for selectModel; anything else means "show the picker". The id itself is checked by modelSpec.ts. */
export function parseModelArg(arg: unknown): Parsed<{ model?: string }> {
  const record = asRecord(arg, ['model']);
  if (!record) return { ok: true, value: {} };
  if (typeof record.model !== 'string' || record.model.trim() === '') return { ok: false, error: 'the "model" argument must be a non-empty string' };
  return { ok: true, value: { model: record.model.trim() } };
}
