/** Hovering an inspected token shows the model's next-token guesses after it (hoverMarkdown builds the text). */
import * as vscode from 'vscode';
import { rangeOf } from './documents';
import { hoverMarkdown } from './hoverMarkdown';
import type { PanelInspection } from './inspectionController';

export interface InspectionLookup {
  /** Results that still describe the document (stale ones are left out, so their hovers disappear). */
  currentInspections(document: vscode.TextDocument): PanelInspection[];
}

export class InspectionHoverProvider implements vscode.HoverProvider {
  constructor(private readonly lookup: InspectionLookup) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const offset = document.offsetAt(position);
    for (const { inspection } of this.lookup.currentInspections(document)) {
      const index = inspection.tokenAt(offset);
      const next = index === null ? undefined : inspection.nextAfter(index);
      const span = index === null ? null : inspection.tokenSpan(index);
      if (index === null || !next || !span) continue;
      const tokens = inspection.meta.tokens;
      const markdown = hoverMarkdown({ token: tokens[index], index, tokenCount: tokens.length, next, following: tokens[index + 1] ?? null });
      return new vscode.Hover(new vscode.MarkdownString(markdown), rangeOf(document, span));
    }
    return undefined;
  }
}

export function registerHoverProvider(lookup: InspectionLookup): vscode.Disposable {
  // Any document can hold an inspected range; the provider answers nothing quickly elsewhere.
  return vscode.languages.registerHoverProvider({ scheme: '*' }, new InspectionHoverProvider(lookup));
}
