/**
 * Downloads a hub model in front of the person: a cancellable progress notification with bytes, percent,
 * speed and time left; an information message when the hub is unreachable and the cached copy is used;
 * failures reported with "Retry". The cache rules live in modelDownloads.ts.
 */
import * as vscode from 'vscode';
import type { DownloadProgress } from '../engine/hub/download';
import { EngineError } from '../shared/errors';
import { downloadTitle, formatBytes, ProgressSteps } from './downloadFormat';
import { asSentence } from './errorReport';
import type { ModelCopy, ModelDownloads } from './modelDownloads';
import { findCatalogEntry, type HubModelSpec } from './modelSpec';
import type { Reporter } from './output';

/** 'ensure': a cached copy is used as it is (no network); 'refresh': the hub is asked whether it changed. */
export type FetchMode = 'ensure' | 'refresh';

export class ModelFetcher {
  constructor(
    private readonly downloads: ModelDownloads,
    private readonly reporter: Reporter,
  ) {}

  /**
   * The model's folder, downloaded if needed; undefined when cancelled or failed (reported, with a "Retry"
   * that runs `retry`: the caller's whole task, since the download was only its first step).
   */
  async fetch(spec: HubModelSpec, mode: FetchMode, retry: () => void): Promise<ModelCopy | undefined> {
    try {
      const copy = await this.run(spec, mode);
      this.announce(copy);
      return copy;
    } catch (err) {
      this.reporter.report(err, `downloading ${spec.name}`, retryHelps(err) ? [{ title: 'Retry', run: retry }] : []);
      return undefined;
    }
  }

  private async run(spec: HubModelSpec, mode: FetchMode): Promise<ModelCopy> {
    if (mode === 'ensure') {
      const dir = await this.downloads.cachedDir(spec);
      if (dir) return { spec, modelDir: dir, fromCache: true, offline: false, notice: null, downloadedBytes: 0 };
    }
    if (this.downloads.isFetching(spec)) {
      // Another command started this download and shows its progress; wait for it quietly.
      return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Waiting for the download of ${spec.name}` }, () =>
        this.downloads.fetch(spec),
      );
    }
    // A downloaded model is only checked against the hub (and fetched again only if it changed).
    const title = (await this.downloads.cachedDir(spec))
      ? `checking ${spec.name} for changes on the hub`
      : `downloading ${downloadTitle(spec.name, findCatalogEntry(spec.catalogKey ?? '')?.downloadBytes)}`;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Attention Inspector: ${title}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const onCancel = token.onCancellationRequested(() => abort.abort());
        const steps = new ProgressSteps();
        progress.report({ message: 'asking the hub for its files…' });
        try {
          return await this.downloads.fetch(spec, {
            signal: abort.signal,
            onProgress: (p: DownloadProgress) => progress.report(steps.next(p)),
          });
        } finally {
          onCancel.dispose();
        }
      },
    );
  }

  private announce(copy: ModelCopy): void {
    if (copy.offline && copy.notice) {
      this.reporter.notify('info', asSentence(copy.notice));
      return;
    }
    if (copy.fromCache) {
      this.reporter.info(`${copy.spec.name}: using the cached copy in ${copy.modelDir}`);
      return;
    }
    this.reporter.info(`downloaded ${copy.spec.name} (${formatBytes(copy.downloadedBytes)} transferred) into ${copy.modelDir}`);
    this.reporter.flash(`$(check) Downloaded ${copy.spec.name}`);
  }
}

/** A model too large, or a malformed id or setting, fails the same way every time; a network failure may not. */
function retryHelps(err: unknown): boolean {
  return err instanceof EngineError && err.code !== 'UNSUPPORTED' && err.code !== 'BAD_INPUT';
}
