/**
 * The "Attention Inspector" output channel and every message shown to the person. Messages are never
 * awaited (a notification's promise settles only when it is dismissed), so commands return at once; a
 * button runs its action when clicked. Recent messages are kept for scripts and tests (see activate's API).
 */
import * as vscode from 'vscode';
import { COMMANDS, OUTPUT_CHANNEL_NAME } from './ids';
import { describeError } from './errorReport';

export type MessageLevel = 'info' | 'warning' | 'error';

export interface ReportedMessage {
  level: MessageLevel;
  message: string;
  /** The engine's error code (or HOST) for errors. */
  code?: string;
  /** ISO time. */
  time: string;
}

export interface MessageAction {
  title: string;
  run: () => void;
}

const RECENT_LIMIT = 100;

export class Reporter implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly recent: ReportedMessage[] = [];
  private flashed: vscode.Disposable | undefined;

  constructor() {
    this.channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  }

  /** Newest last. */
  recentMessages(): readonly ReportedMessage[] {
    return [...this.recent];
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  /** A line the panel (webview) asked to log. */
  panelLog(level: 'info' | 'warn' | 'error', message: string): void {
    this.channel[level](`panel: ${message}`);
  }

  /**
   * A short-lived status bar message, for answers to clicks in the panel (a notification would need
   * dismissing). Logged too.
   */
  flash(message: string, milliseconds = 5000): void {
    this.channel.info(message);
    this.flashed?.dispose();
    this.flashed = vscode.window.setStatusBarMessage(message, milliseconds);
  }

  /** Shows a message and logs it. */
  notify(level: MessageLevel, message: string, actions: readonly MessageAction[] = [], code?: string): void {
    this.remember({ level, message, code, time: new Date().toISOString() });
    if (level === 'error') this.channel.error(code ? `[${code}] ${message}` : message);
    else if (level === 'warning') this.channel.warn(message);
    else this.channel.info(message);
    const titles = actions.map((a) => a.title);
    const shown =
      level === 'error'
        ? vscode.window.showErrorMessage(message, ...titles)
        : level === 'warning'
          ? vscode.window.showWarningMessage(message, ...titles)
          : vscode.window.showInformationMessage(message, ...titles);
    shown.then(
      (choice) => actions.find((a) => a.title === choice)?.run(),
      () => undefined,
    );
  }

  /**
   * Reports a failure: cancellations only go to the log; problems the person can fix show the engine's
   * message (with "Select Model…" when another model may help); internal failures also point to the
   * log, which has the stack. `extra` actions (e.g. "Retry") come first.
   */
  report(err: unknown, context: string, extra: readonly MessageAction[] = []): void {
    const described = describeError(err);
    if (described.kind === 'cancelled') {
      this.channel.info(`${context}: ${described.message}`);
      return;
    }
    const actions: MessageAction[] = [...extra];
    if (described.suggestsOtherModel) actions.push(this.selectModelAction());
    if (described.kind === 'internal') {
      if (err instanceof Error && err.stack) this.channel.error(`${context}: ${err.stack}`);
      actions.push({ title: 'Show Output', run: () => this.channel.show(true) });
      this.notify('error', `${described.message} (Details are in the "${OUTPUT_CHANNEL_NAME}" output.)`, actions, described.code);
      return;
    }
    this.notify('error', described.message, actions, described.code);
  }

  /** The picker offers the curated models, any hub id and a local folder: the way out of every model problem. */
  selectModelAction(): MessageAction {
    return { title: 'Select Model…', run: () => void vscode.commands.executeCommand(COMMANDS.selectModel) };
  }

  dispose(): void {
    this.flashed?.dispose();
    this.channel.dispose();
  }

  private remember(entry: ReportedMessage): void {
    this.recent.push(entry);
    if (this.recent.length > RECENT_LIMIT) this.recent.splice(0, this.recent.length - RECENT_LIMIT);
  }
}
