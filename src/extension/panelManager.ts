/**
 * Creates or reuses the panel, revives panels after a window reload (WebviewPanelSerializer), and knows
 * which panel the commands act on: the one most recently active.
 */
import * as vscode from 'vscode';
import type { SourceInfo } from '../shared/protocol';
import { PANEL_OPEN_CONTEXT, VIEW_TYPE } from './ids';
import { InspectorPanel, webviewOptions, type PanelContext } from './panel';
import { sourceFromPanelState } from './panelState';

export type RestoreHandler = (panel: InspectorPanel, source: SourceInfo | null) => void;

export class PanelManager implements vscode.Disposable {
  /** Least recently active first. */
  private readonly panels: InspectorPanel[] = [];

  constructor(private readonly context: PanelContext) {}

  /** Registered once the handler can run: VS Code may revive panels as soon as this is called. */
  registerSerializer(onRestore: RestoreHandler): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        const panel = this.adopt(webviewPanel);
        panel.restoredSource = sourceFromPanelState(state);
        onRestore(panel, panel.restoredSource);
      },
    });
  }

  /** The panel commands act on. */
  get current(): InspectorPanel | undefined {
    return this.panels[this.panels.length - 1];
  }

  /** Most recently active first. */
  all(): readonly InspectorPanel[] {
    return [...this.panels].reverse();
  }

  /** The current panel, retitled and shown where it is; or a new one beside the editor. */
  createOrShow(title: string): InspectorPanel {
    const existing = this.current;
    if (existing) {
      existing.setTitle(title);
      existing.reveal();
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      // Nothing kept while hidden: tensors stay in the host and the webview asks again on `ready`.
      { ...webviewOptions(this.context.extensionUri), retainContextWhenHidden: false },
    );
    return this.adopt(webviewPanel);
  }

  broadcastSettings(): void {
    for (const panel of this.panels) panel.sendSettings();
  }

  dispose(): void {
    for (const panel of [...this.panels]) panel.dispose();
  }

  private adopt(webviewPanel: vscode.WebviewPanel): InspectorPanel {
    const panel = new InspectorPanel(webviewPanel, this.context);
    this.panels.push(panel);
    const onActive = webviewPanel.onDidChangeViewState((event) => {
      if (event.webviewPanel.active) this.moveToEnd(panel);
    });
    const onDispose = panel.onDidDispose(() => {
      onActive.dispose();
      onDispose.dispose();
      const index = this.panels.indexOf(panel);
      if (index >= 0) this.panels.splice(index, 1);
      this.updateContext();
    });
    this.updateContext();
    return panel;
  }

  private moveToEnd(panel: InspectorPanel): void {
    const index = this.panels.indexOf(panel);
    if (index < 0 || index === this.panels.length - 1) return;
    this.panels.splice(index, 1);
    this.panels.push(panel);
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', PANEL_OPEN_CONTEXT, this.panels.length > 0);
  }
}
