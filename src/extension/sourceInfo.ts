/** Where inspected text came from, and how to name it in titles and messages. Pure. */
import path from 'node:path';
import type { SourceInfo } from '../shared/protocol';
import type { PositionLike } from './tokenRanges';

export interface SourceInput {
  /** The document URI as a string (vscode.Uri.toString()). */
  uri: string;
  /** The URI's path, for the file name. */
  uriPath: string;
  version: number;
  startOffset: number;
  start: PositionLike;
  end: PositionLike;
}

/**
 * The last line that holds inspected text: a selection of whole lines ends at column 0 of the next line,
 * which holds none of it, so a title "3–6" for lines 3–5 would mislead.
 */
export function inclusiveEndLine(start: PositionLike, end: PositionLike): number {
  return end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
}

export function makeSourceInfo(input: SourceInput): SourceInfo {
  return {
    fileName: path.posix.basename(input.uriPath) || input.uri,
    uri: input.uri,
    startLine: input.start.line,
    endLine: inclusiveEndLine(input.start, input.end),
    startOffset: input.startOffset,
    version: input.version,
  };
}

/** 1-based, as the editor shows lines: "12" or "12–15". */
export function lineRangeLabel(startLine: number, endLine: number): string {
  return startLine === endLine ? `${startLine + 1}` : `${startLine + 1}–${endLine + 1}`;
}

/** "notes.md:12–15". */
export function sourceLabel(source: Pick<SourceInfo, 'fileName' | 'startLine' | 'endLine'>): string {
  return `${source.fileName}:${lineRangeLabel(source.startLine, source.endLine)}`;
}

export function panelTitle(source: Pick<SourceInfo, 'fileName' | 'startLine' | 'endLine'>): string {
  return `Attention: ${sourceLabel(source)}`;
}

/** A file name the panel suggested, made safe to put in a folder: no folders, no odd characters, ".png". */
export function safePngName(suggested: string): string {
  const base = path.basename(suggested.replace(/\\/g, '/')).replace(/[^\p{L}\p{N} ._()-]+/gu, '-').replace(/^[-.\s]+/, '').trim();
  const stem = base.replace(/\.png$/i, '') || 'attention';
  return `${stem.slice(0, 120)}.png`;
}
