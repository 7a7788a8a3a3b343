/** Reveals a token's source text in the editor and highlights it with the theme's find-match colours. */
import * as vscode from 'vscode';
import type { InspectorPanel } from './panel';

export class TokenHighlighter implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    borderColor: new vscode.ThemeColor('editor.findMatchHighlightBorder'),
    borderStyle: 'solid',
    borderWidth: '1px',
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.findMatchForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  /** One highlight at a time: the token last clicked, in whichever panel. */
  private shown: { panel: InspectorPanel; editor: vscode.TextEditor } | undefined;

  /**
   * Scrolls a visible editor of the document to the range, or opens the document in the column the text
   * came from; focus stays in the panel so the person can keep moving through tokens with the keyboard.
   */
  async reveal(panel: InspectorPanel, document: vscode.TextDocument, range: vscode.Range): Promise<void> {
    const visible = vscode.window.visibleTextEditors.find((editor) => editor.document === document);
    const editor =
      visible ??
      (await vscode.window.showTextDocument(document, { viewColumn: panel.sourceColumn ?? vscode.ViewColumn.One, preserveFocus: true, preview: false }));
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.clear();
    editor.setDecorations(this.decoration, [range]);
    this.shown = { panel, editor };
  }

  clearFor(panel: InspectorPanel): void {
    if (this.shown?.panel === panel) this.clear();
  }

  clear(): void {
    this.shown?.editor.setDecorations(this.decoration, []);
    this.shown = undefined;
  }

  dispose(): void {
    this.shown = undefined;
    this.decoration.dispose();
  }
}
