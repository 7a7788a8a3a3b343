/** Moving the cursor in an inspected range tells the panel which token it is on (or that it left: null). */
import * as vscode from 'vscode';
import type { InspectionLookup } from './hoverProvider';

export function registerCursorSync(lookup: InspectionLookup): vscode.Disposable {
  return vscode.window.onDidChangeTextEditorSelection((event) => {
    const selection = event.selections[0];
    if (!selection) return;
    const document = event.textEditor.document;
    const offset = document.offsetAt(selection.active);
    for (const { panel, inspection } of lookup.currentInspections(document)) panel.focusToken(inspection.tokenAtCaret(offset));
  });
}
