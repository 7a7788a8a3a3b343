/**
 * Runs inspections: one run per panel at a time (a new run cancels the old one), a cancellable progress
 * notification, the "too long" path (find the longest first part that fits and offer it), results kept per
 * panel, staleness as documents are edited, re-runs and restores after a window reload.
 */
import * as vscode from 'vscode';
import type { EngineClient } from '../engine/client';
import type { ModelSource } from '../engine/workerProtocol';
import { isCancelled } from '../shared/errors';
import type { SourceInfo } from '../shared/protocol';
import type { InspectResult } from '../shared/types';
import type { TokenHighlighter } from './decorations';
import { documentView, linesRange, openDocument, rangeOf, visibleColumn } from './documents';
import { describeError } from './errorReport';
import { findFirstPart, isTooLong, type FirstPart } from './firstPart';
import { Inspection, type InspectSummary } from './inspection';
import type { ModelProvider } from './modelProvider';
import type { Reporter } from './output';
import { ABORT_REASON, type InspectorPanel } from './panel';
import type { PanelManager } from './panelManager';
import { fingerprint, type RestoreRecords } from './restoreRecords';
import type { InspectorSettings } from './settings';
import { makeSourceInfo, panelTitle, sourceLabel } from './sourceInfo';
import type { ModelStatusBar } from './statusBar';

export interface InspectRequest {
  document: vscode.TextDocument;
  range: vscode.Range;
  /** Text longer than the model's context: offer its first part (a person ran it) or inspect it at once. */
  onTooLong: 'offer' | 'truncate';
  /** The range is already the first part of a longer selection. */
  truncated?: boolean;
  /** Default: the current panel, created beside the editor when there is none. */
  panel?: InspectorPanel;
  /** Progress in the status bar instead of a notification (restoring after a reload). */
  quiet?: boolean;
}

export interface ControllerDeps {
  engine: EngineClient;
  panels: PanelManager;
  reporter: Reporter;
  records: RestoreRecords;
  statusBar: ModelStatusBar;
  highlighter: TokenHighlighter;
  models: ModelProvider;
  settings: () => InspectorSettings;
}

type RunOutcome = { kind: 'done'; result: InspectResult; length: number; truncated: boolean } | { kind: 'too-long'; tooLong: FirstPart };

type Progress = vscode.Progress<{ message?: string }>;

export interface PanelInspection {
  panel: InspectorPanel;
  inspection: Inspection;
}

export class InspectionController implements vscode.Disposable {
  private nextRunId = 1;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly deps: ControllerDeps) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => this.onDocumentChanged(event)),
      vscode.workspace.onDidCloseTextDocument((document) => this.onDocumentClosed(document)),
    );
  }

  /** Inspects a range; resolves to the summary scripts get, or undefined when cancelled or failed (reported). */
  async inspect(request: InspectRequest): Promise<InspectSummary | undefined> {
    const { document, range } = request;
    const { reporter } = this.deps;
    if (document.getText(range).length === 0) {
      reporter.notify('info', 'There is no text to inspect: select some text first.');
      return undefined;
    }
    const retry = (): void => void this.inspect({ ...request, panel: request.panel?.isDisposed ? undefined : request.panel });
    const model = await this.deps.models.forRun(request.quiet === true, retry);
    if (model.kind === 'unavailable') {
      // The person has been told why (or, for a quiet restore, the panel says it); nothing to run.
      if (request.quiet && request.panel) request.panel.setNotice({ kind: 'stale', message: model.message });
      return undefined;
    }
    // Read after a possible download, together with the version, so an edit meanwhile is not missed.
    const text = document.getText(range);
    const startOffset = document.offsetAt(range.start);
    // The version the text was read at: an edit during the run is caught when the result arrives.
    const version = document.version;
    const requested = this.sourceFor(document, range, startOffset, version);
    const label = sourceLabel(requested);
    const panel = request.panel ?? this.deps.panels.createOrShow(panelTitle(requested));
    panel.setTitle(panelTitle(requested));
    panel.sourceColumn = visibleColumn(document) ?? panel.sourceColumn;
    const run = panel.beginRun();
    panel.setNotice({ kind: 'loading', message: `Running ${model.name} on ${label}…` });
    reporter.info(`inspecting ${label} (${text.length} characters) with ${model.dir}`);
    try {
      const outcome = await this.withProgress(request.quiet === true, `Inspecting ${label}`, run, (progress) =>
        this.runEngine(model.hub ? { dir: model.dir, name: model.name } : { dir: model.dir }, text, request, run.signal, progress),
      );
      if (run.signal.aborted) return undefined;
      if (outcome.kind === 'too-long') {
        this.offerFirstPart(request, panel, requested, outcome.tooLong);
        return undefined;
      }
      return this.show(panel, document, { range, startOffset, version }, text.slice(0, outcome.length), outcome, model.dir);
    } catch (err) {
      this.runFailed(panel, run, err, requested);
      return undefined;
    } finally {
      panel.endRun(run);
    }
  }

  /** The panel's "Re-run": its result's text as it is now, or a restored panel's source. */
  async rerun(panel: InspectorPanel): Promise<void> {
    try {
      const target = await this.rerunTarget(panel);
      if (target) await this.inspect({ ...target, panel, onTooLong: 'offer' });
    } catch (err) {
      this.deps.reporter.report(err, 're-running the inspection');
    }
  }

  /**
   * A panel revived after a window reload: re-run its inspection when the text is still there unchanged
   * (checked against the fingerprint kept at run time), otherwise tell the panel its result is stale.
   */
  async restore(panel: InspectorPanel, source: SourceInfo | null): Promise<void> {
    if (!source) return;
    panel.setTitle(panelTitle(source));
    const label = sourceLabel(source);
    let document: vscode.TextDocument;
    try {
      document = await openDocument(source.uri);
    } catch {
      panel.setNotice({ kind: 'stale', message: `${source.fileName} is no longer available. Re-run to try again.` });
      return;
    }
    const record = this.deps.records.lookup(source);
    if (!record) {
      panel.setNotice({ kind: 'stale', message: `This panel was restored after a reload. Re-run to inspect ${label} again.` });
      return;
    }
    const range = rangeOf(document, { start: source.startOffset, end: record.endOffset });
    const unchanged = document.offsetAt(range.end) === record.endOffset && fingerprint(document.getText(range)) === record.sha256;
    if (!unchanged) {
      panel.setNotice({ kind: 'stale', message: `${source.fileName} changed since this inspection. Re-run to inspect ${label} as it is now.` });
      return;
    }
    await this.inspect({ document, range, panel, quiet: true, onTooLong: 'offer', truncated: record.truncated });
  }

  /** The panel asked to show a token in the editor. */
  async revealToken(panel: InspectorPanel, index: number): Promise<void> {
    const inspection = panel.inspection;
    const token = inspection?.meta.tokens[index];
    if (!inspection || !token) return;
    try {
      const document = await openDocument(inspection.uri);
      const freshness = inspection.freshness(documentView(document));
      if (freshness === 'became-stale') this.becameStale(panel, inspection);
      if (freshness !== 'current') {
        this.deps.reporter.flash('$(warning) The text changed since this inspection: re-run it to reveal tokens.');
        return;
      }
      const span = inspection.tokenSpan(index);
      if (!span) {
        this.deps.reporter.flash(`${token.text} is a special token: it has no text in the document.`);
        return;
      }
      await this.deps.highlighter.reveal(panel, document, rangeOf(document, span));
    } catch (err) {
      this.deps.reporter.report(err, 'revealing a token');
    }
  }

  /** Panels whose result describes the document as it is now, most recently active first. */
  currentInspections(document: vscode.TextDocument): PanelInspection[] {
    const uri = document.uri.toString();
    const found: PanelInspection[] = [];
    for (const panel of this.deps.panels.all()) {
      const inspection = panel.inspection;
      if (!inspection || inspection.uri !== uri) continue;
      const freshness = inspection.freshness(documentView(document));
      if (freshness === 'became-stale') this.becameStale(panel, inspection);
      if (freshness === 'current') found.push({ panel, inspection });
    }
    return found;
  }

  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }

  private sourceFor(document: vscode.TextDocument, range: vscode.Range, startOffset: number, version: number): SourceInfo {
    return makeSourceInfo({ uri: document.uri.toString(), uriPath: document.uri.path, version, startOffset, start: range.start, end: range.end });
  }

  private async runEngine(source: ModelSource, text: string, request: InspectRequest, signal: AbortSignal, progress: Progress): Promise<RunOutcome> {
    const { engine } = this.deps;
    const topK = this.deps.settings().topK;
    try {
      const result = await engine.inspect(source, { text }, { topK }, { signal });
      return { kind: 'done', result, length: text.length, truncated: request.truncated === true };
    } catch (err) {
      if (!isTooLong(err)) throw err;
      progress.report({ message: 'the text is longer than the model takes; finding the part that fits…' });
      const tooLong = await findFirstPart(engine, source, text, err, signal);
      if (request.onTooLong === 'offer') return { kind: 'too-long', tooLong };
      progress.report({ message: `inspecting the first ${tooLong.fit.tokens} tokens…` });
      const result = await engine.inspect(source, { text: text.slice(0, tooLong.fit.length) }, { topK }, { signal });
      return { kind: 'done', result, length: tooLong.fit.length, truncated: true };
    }
  }

  private offerFirstPart(request: InspectRequest, panel: InspectorPanel, source: SourceInfo, tooLong: FirstPart): void {
    const { document, range } = request;
    const { startOffset } = source;
    const { model, tokens, fit } = tooLong;
    const end = document.positionAt(startOffset + fit.length);
    const size = tokens !== undefined ? `${tokens} tokens` : `more than ${model.context} tokens`;
    const limit = `${model.name} takes at most ${model.context} tokens (the start token included)`;
    panel.setNotice({ kind: 'error', message: `The selection is too long: it is ${size} and ${limit}.`, source });
    const firstPart = new vscode.Range(range.start, end);
    this.deps.reporter.notify(
      'warning',
      `The selection is too long: it is ${size} and ${limit}. Inspect the first ${fit.tokens} tokens, up to line ${end.line + 1}?`,
      [
        {
          title: 'Inspect First Part',
          run: () => void this.inspect({ document, range: firstPart, truncated: true, onTooLong: 'truncate', panel: panel.isDisposed ? undefined : panel }),
        },
      ],
      'TOO_LONG',
    );
  }

  private show(
    panel: InspectorPanel,
    document: vscode.TextDocument,
    read: { range: vscode.Range; startOffset: number; version: number },
    text: string,
    outcome: Extract<RunOutcome, { kind: 'done' }>,
    dir: string,
  ): InspectSummary {
    const { startOffset, version } = read;
    const range = outcome.truncated ? new vscode.Range(read.range.start, document.positionAt(startOffset + text.length)) : read.range;
    const source = this.sourceFor(document, range, startOffset, version);
    const inspection = new Inspection({ runId: this.nextRunId++, result: outcome.result, text, source, truncated: outcome.truncated });
    this.deps.highlighter.clearFor(panel);
    panel.setTitle(panelTitle(source));
    panel.showInspection(inspection);
    if (inspection.freshness(documentView(document)) !== 'current') this.becameStale(panel, inspection);
    this.deps.records.remember(source, text, outcome.truncated).then(undefined, (err: unknown) => this.deps.reporter.warn(`could not remember the inspection for a reload: ${String(err)}`));
    this.deps.statusBar.modelLoaded(dir, outcome.result.model);
    const { timings } = outcome.result;
    this.deps.reporter.info(`inspected ${sourceLabel(source)}: ${outcome.result.tokens.length} tokens, forward pass ${timings.runMs.toFixed(0)} ms`);
    const editor = vscode.window.activeTextEditor;
    if (editor?.document === document) panel.focusToken(inspection.tokenAtCaret(document.offsetAt(editor.selection.active)));
    return inspection.summary((offset) => document.positionAt(offset));
  }

  private runFailed(panel: InspectorPanel, run: AbortController, err: unknown, source: SourceInfo): void {
    const label = sourceLabel(source);
    if (run.signal.aborted || isCancelled(err)) {
      // Superseded by a newer run or the panel closed: that owns the panel now. A person's cancel: undo "loading".
      if (run.signal.reason === ABORT_REASON.cancelled) panel.runCancelled();
      this.deps.reporter.info(`inspection of ${label} cancelled`);
      return;
    }
    this.deps.reporter.report(err, `inspecting ${label}`);
    panel.setNotice({ kind: 'error', message: describeError(err).message, source });
  }

  private async rerunTarget(panel: InspectorPanel): Promise<{ document: vscode.TextDocument; range: vscode.Range; truncated: boolean } | undefined> {
    const inspection = panel.inspection;
    if (inspection) {
      const document = await openDocument(inspection.uri);
      return { document, range: rangeOf(document, inspection.documentSpan), truncated: inspection.meta.truncated };
    }
    const source = panel.restoredSource;
    if (!source) {
      this.deps.reporter.notify('info', 'There is nothing to re-run: select some text and run Inspect Attention.');
      return undefined;
    }
    const document = await openDocument(source.uri);
    const record = this.deps.records.lookup(source);
    const range = record ? rangeOf(document, { start: source.startOffset, end: record.endOffset }) : linesRange(document, source.startLine, source.endLine);
    return { document, range, truncated: record?.truncated ?? false };
  }

  private withProgress<T>(quiet: boolean, title: string, run: AbortController, task: (progress: Progress) => Promise<T>): Thenable<T> {
    return vscode.window.withProgress(
      { location: quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: `Attention Inspector: ${title}`, cancellable: !quiet },
      async (progress, token) => {
        const onCancel = token.onCancellationRequested(() => run.abort(ABORT_REASON.cancelled));
        try {
          return await task(progress);
        } finally {
          onCancel.dispose();
        }
      },
    );
  }

  private becameStale(panel: InspectorPanel, inspection: Inspection): void {
    const { fileName } = inspection.meta.source;
    panel.setNotice({ kind: 'stale', message: `${fileName} changed since this inspection. Re-run to inspect the text as it is now.` });
    panel.focusToken(null);
    this.deps.highlighter.clearFor(panel);
  }

  private onDocumentChanged(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    const uri = event.document.uri.toString();
    const changes = event.contentChanges.map((c) => ({ rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, textLength: c.text.length }));
    for (const panel of this.deps.panels.all()) {
      const inspection = panel.inspection;
      if (!inspection || inspection.uri !== uri) continue;
      if (inspection.applyChanges(event.document.version, changes) === 'became-stale') this.becameStale(panel, inspection);
    }
  }

  private onDocumentClosed(document: vscode.TextDocument): void {
    const uri = document.uri.toString();
    for (const panel of this.deps.panels.all()) {
      if (panel.inspection?.uri === uri) panel.inspection.forgetVersion();
    }
  }
}
