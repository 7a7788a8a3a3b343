/**
 * One Attention Inspector panel: its webview (HTML, options), the messages both ways, and the result it
 * shows. The InspectResult stays here in the host; the webview gets ResultMeta and asks for one layer at a
 * time. The webview may be torn down whenever the panel is hidden (retainContextWhenHidden is off), so on
 * every `ready` the panel is sent everything it shows again.
 */
import * as vscode from 'vscode';
import { isPanelToHost, type HostToPanel, type PanelSettings, type PanelToHost, type SourceInfo } from '../shared/protocol';
import { UserError } from './errorReport';
import { ownedFloat32, type Inspection } from './inspection';
import type { Reporter } from './output';
import { createNonce, panelHtml } from './panelHtml';
import { RequestTracker } from './requestTracker';

/** How long an export may take, showing the panel included, before it fails with a clear message. */
export const EXPORT_TIMEOUT_MS = 30_000;

/** Why a run was aborted: only a person's cancel puts the panel back as it was. */
export const ABORT_REASON = { superseded: 'superseded', cancelled: 'cancelled', closed: 'closed' } as const;

/** What the panel shows over (or instead of) its result. */
/** `source`: for an error, the text the failed run was asked to inspect. */
export type PanelNotice = { kind: 'loading' | 'error' | 'stale'; message: string; source?: SourceInfo };

export interface PngImage {
  png: Uint8Array;
  suggestedName: string;
}

/** What a panel's messages ask of the rest of the extension. */
export interface PanelDelegate {
  rerun(panel: InspectorPanel): void;
  revealToken(panel: InspectorPanel, index: number): void;
  savePng(panel: InspectorPanel, image: PngImage): void;
}

export interface PanelContext {
  extensionUri: vscode.Uri;
  settings: () => PanelSettings;
  delegate: PanelDelegate;
  reporter: Reporter;
}

/** Scripts on; resources only from the bundle folder and media. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class InspectorPanel implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly exports = new RequestTracker<PngImage>();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  private current: Inspection | undefined;
  private notice: PanelNotice | null = null;
  private ready = false;
  private disposed = false;
  private run: AbortController | undefined;
  private focused: number | null = null;
  /** The editor column the inspected text was in: reveals open the document there when it is not visible. */
  sourceColumn: vscode.ViewColumn | undefined;
  /** A restored panel's source (from its saved state) until a run replaces it: what `rerun` inspects. */
  restoredSource: SourceInfo | null = null;

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    private readonly context: PanelContext,
  ) {
    const webview = webviewPanel.webview;
    // Listen before the HTML loads, so the first `ready` is not missed.
    this.subscriptions.push(
      webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      webviewPanel.onDidChangeViewState(() => {
        if (!webviewPanel.visible) this.ready = false;
      }),
      webviewPanel.onDidDispose(() => this.dispose()),
    );
    webview.options = webviewOptions(context.extensionUri);
    webview.html = this.html();
  }

  get inspection(): Inspection | undefined {
    return this.current;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  setTitle(title: string): void {
    if (!this.disposed) this.webviewPanel.title = title;
  }

  /** Shows the panel where it is, without taking focus from the editor. */
  reveal(): void {
    if (!this.disposed) this.webviewPanel.reveal(this.webviewPanel.viewColumn, true);
  }

  /** Starts a run for this panel, cancelling the one in flight. */
  beginRun(): AbortController {
    this.run?.abort(ABORT_REASON.superseded);
    const run = new AbortController();
    if (this.disposed) run.abort(ABORT_REASON.closed);
    else this.run = run;
    return run;
  }

  endRun(run: AbortController): void {
    if (this.run === run) this.run = undefined;
  }

  showInspection(inspection: Inspection): void {
    this.current = inspection;
    this.restoredSource = null;
    this.notice = null;
    this.focused = null;
    this.post({ type: 'result', result: inspection.meta });
  }

  setNotice(notice: PanelNotice): void {
    this.notice = notice;
    if (notice.kind === 'error') this.post({ type: 'error', message: notice.message, ...(notice.source ? { source: notice.source } : {}) });
    else this.post({ type: notice.kind, message: notice.message });
  }

  /** A person cancelled the run: show the previous result again, or say that nothing was inspected. */
  runCancelled(): void {
    if (this.current && !this.current.stale) {
      this.notice = null;
      this.post({ type: 'result', result: this.current.meta });
    } else if (!this.current) {
      this.setNotice({ kind: 'error', message: 'The inspection was cancelled.' });
    } else {
      this.setNotice({ kind: 'stale', message: 'The inspection was cancelled; this result no longer matches the text. Re-run to update it.' });
    }
  }

  focusToken(index: number | null): void {
    if (index === this.focused) return;
    this.focused = index;
    this.post({ type: 'focusToken', index });
  }

  sendSettings(): void {
    this.post({ type: 'settings', settings: this.context.settings() });
  }

  /**
   * Asks the webview to render its view as PNG. A hidden panel is shown first (its webview must exist to
   * draw); the request is sent on `ready`, and fails after `timeoutMs` whatever happens.
   */
  requestPng(timeoutMs = EXPORT_TIMEOUT_MS): Promise<PngImage> {
    if (this.disposed) return Promise.reject(new UserError('The Attention Inspector panel was closed.'));
    if (!this.current) return Promise.reject(new UserError('The panel has nothing to export yet: run Inspect Attention on some text first.'));
    const seconds = Math.round(timeoutMs / 1000);
    const { id, promise } = this.exports.start(
      timeoutMs,
      () => new UserError(`The panel did not send the image within ${seconds} seconds. Keep the panel open and try again.`),
    );
    if (this.ready) this.post({ type: 'exportPng', requestId: id });
    else this.reveal();
    return promise;
  }

  /**
   * Ends this panel's work: cancels its run and its requests. The webview panel itself belongs to the
   * workbench (closing it brings us here; on shutdown VS Code keeps it to restore after a reload).
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    this.run?.abort(ABORT_REASON.closed);
    this.run = undefined;
    this.exports.rejectAll(new UserError('The Attention Inspector panel was closed before it sent the image.'));
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }

  private html(): string {
    const webview = this.webviewPanel.webview;
    const asset = (...segments: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...segments)).toString();
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: asset('dist', 'webview.js'),
      styleUri: asset('media', 'panel.css'),
      title: this.webviewPanel.title,
    });
  }

  private post(message: HostToPanel): void {
    if (!this.ready || this.disposed) return;
    this.webviewPanel.webview.postMessage(message).then(
      undefined,
      (err: unknown) => this.context.reporter.warn(`could not send ${message.type} to the panel: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private onMessage(raw: unknown): void {
    if (this.disposed) return;
    if (!isPanelToHost(raw)) {
      const type = typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type) : typeof raw;
      this.context.reporter.warn(`ignored a malformed message from the panel (type ${type})`);
      return;
    }
    const message: PanelToHost = raw;
    switch (message.type) {
      case 'ready':
        this.onReady();
        break;
      case 'requestLayer':
        this.answerLayer(message.requestId, message.runId, message.layer);
        break;
      case 'revealToken':
        this.context.delegate.revealToken(this, message.index);
        break;
      case 'savePng':
        this.context.delegate.savePng(this, { png: message.png, suggestedName: message.suggestedName });
        break;
      case 'pngExported':
        this.exports.resolve(message.requestId, { png: message.png, suggestedName: message.suggestedName });
        break;
      case 'requestFailed':
        this.exports.reject(message.requestId, new UserError(`The panel could not export the image: ${message.message}`));
        break;
      case 'rerun':
        this.context.delegate.rerun(this);
        break;
      case 'log':
        this.context.reporter.panelLog(message.level, message.message);
        break;
      default: {
        const unhandled: never = message;
        this.context.reporter.warn(`unhandled panel message ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /** A (re)loaded webview knows nothing: send it all it shows, then any export still waiting. */
  private onReady(): void {
    this.ready = true;
    this.sendSettings();
    if (this.current) this.post({ type: 'result', result: this.current.meta });
    if (this.notice) this.setNotice(this.notice);
    if (this.focused !== null) this.post({ type: 'focusToken', index: this.focused });
    for (const id of this.exports.ids()) this.post({ type: 'exportPng', requestId: id });
  }

  private answerLayer(requestId: number, runId: number, layerIndex: number): void {
    const inspection = this.current;
    if (!inspection || inspection.runId !== runId) {
      this.post({ type: 'requestFailed', requestId, message: 'That result has been replaced by a newer inspection.' });
      return;
    }
    const layer = inspection.layer(layerIndex);
    if (!layer) {
      const count = inspection.meta.model.layers;
      this.post({ type: 'requestFailed', requestId, message: `Layer ${layerIndex} does not exist: ${inspection.meta.model.name} has layers 0–${count - 1}.` });
      return;
    }
    this.post({ type: 'layer', requestId, runId, layer: layer.layer, heads: layer.heads, size: layer.size, data: ownedFloat32(layer.data) });
  }
}
