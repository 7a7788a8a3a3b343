/** Small bridges between vscode documents and the pure offset-based modules. */
import path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from './errorReport';
import type { DocumentView } from './inspection';
import type { Span } from './tokenRanges';

export function rangeOf(document: vscode.TextDocument, span: Span): vscode.Range {
  return new vscode.Range(document.positionAt(span.start), document.positionAt(span.end));
}

export function documentView(document: vscode.TextDocument): DocumentView {
  return { version: document.version, textAt: (span) => document.getText(rangeOf(document, span)) };
}

/** The whole of lines [startLine, endLine], clamped to the document. */
export function linesRange(document: vscode.TextDocument, startLine: number, endLine: number): vscode.Range {
  const last = document.lineCount - 1;
  const start = Math.min(startLine, last);
  const end = Math.max(start, Math.min(endLine, last));
  return new vscode.Range(new vscode.Position(start, 0), document.lineAt(end).range.end);
}

export function wholeDocument(document: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), document.lineAt(document.lineCount - 1).range.end);
}

/** A URI string ("file:///…", "untitled:…") or an absolute path, as scripts pass them. */
export function parseDocumentUri(value: string): vscode.Uri {
  if (path.isAbsolute(value)) return vscode.Uri.file(value);
  try {
    return vscode.Uri.parse(value, true);
  } catch {
    throw new UserError(`"${value}" is neither a URI nor an absolute path`);
  }
}

export async function openDocument(value: string): Promise<vscode.TextDocument> {
  const uri = parseDocumentUri(value);
  try {
    return await vscode.workspace.openTextDocument(uri);
  } catch (err) {
    throw new UserError(`Cannot open ${value}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The column of a visible editor showing the document, if any. */
export function visibleColumn(document: vscode.TextDocument): vscode.ViewColumn | undefined {
  return vscode.window.visibleTextEditors.find((editor) => editor.document === document)?.viewColumn;
}
