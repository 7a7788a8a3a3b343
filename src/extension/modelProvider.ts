/**
 * The model folder for the next run, whatever the choice: a local folder as it is; a hub model from the
 * cache, downloaded with progress the first time (so a fresh install inspects with the built-in stories260K
 * and no setup); a malformed model setting explained. Keeps the status bar in step with the choice.
 */
import type { ModelDownloads } from './modelDownloads';
import type { ModelFetcher } from './modelFetcher';
import type { ModelLoader } from './modelLoader';
import { currentModelChoice } from './configuration';
import { choiceName, type ModelChoice } from './modelResolver';
import type { MessageAction, Reporter } from './output';
import type { ModelStatusBar } from './statusBar';

/** `hub`: a downloaded model, whose cache folder (a revision) says nothing, so the engine is given its name. */
export type RunModel = { kind: 'ready'; dir: string; name: string; hub: boolean } | { kind: 'unavailable'; message: string };

export interface ModelProviderDeps {
  downloads: ModelDownloads;
  fetcher: ModelFetcher;
  loader: ModelLoader;
  reporter: Reporter;
  statusBar: ModelStatusBar;
  /** Opens the Settings editor at attentionInspector.model. */
  openModelSetting: MessageAction;
}

export class ModelProvider {
  /** Orders status bar refreshes: a slow cache look-up must not overwrite a newer choice. */
  private refreshes = 0;

  constructor(private readonly deps: ModelProviderDeps) {}

  /** Shows the current choice in the status bar, with whether a hub model is downloaded. */
  async refreshStatusBar(): Promise<void> {
    const ticket = ++this.refreshes;
    const choice = currentModelChoice();
    const dir = await this.folderIfPresent(choice);
    if (ticket === this.refreshes) this.deps.statusBar.update(choice, dir);
  }

  /**
   * The folder to run. `quiet` (a panel restored after a reload) never starts a download: a panel coming
   * back must not fetch hundreds of megabytes unasked. `retry` runs the caller's task again after a failed
   * download.
   */
  async forRun(quiet: boolean, retry: () => void): Promise<RunModel> {
    const { reporter, statusBar } = this.deps;
    const choice = currentModelChoice();
    ++this.refreshes;
    const present = await this.folderIfPresent(choice);
    statusBar.update(choice, present);
    if (choice.kind === 'folder') return this.ready(choice.dir, choiceName(choice), false);
    if (choice.kind === 'invalid') {
      const message = `The setting attentionInspector.model is "${choice.value}", which is not a model: ${choice.problem}.`;
      reporter.notify('warning', `${message} Select a model, or correct the setting.`, [reporter.selectModelAction(), this.deps.openModelSetting], 'BAD_INPUT');
      return { kind: 'unavailable', message };
    }
    if (present) return this.ready(present, choice.spec.name, true);
    if (quiet) return { kind: 'unavailable', message: `${choice.spec.name} is not downloaded. Re-run to download it and inspect the text again.` };
    const copy = await this.deps.fetcher.fetch(choice.spec, 'ensure', retry);
    if (!copy) return { kind: 'unavailable', message: `${choice.spec.name} was not downloaded.` };
    statusBar.update(choice, copy.modelDir);
    return this.ready(copy.modelDir, choice.spec.name, true);
  }

  private ready(dir: string, name: string, hub: boolean): RunModel {
    this.deps.loader.using(dir);
    return { kind: 'ready', dir, name, hub };
  }

  private async folderIfPresent(choice: ModelChoice): Promise<string | undefined> {
    if (choice.kind === 'folder') return choice.dir;
    if (choice.kind === 'invalid') return undefined;
    return this.deps.downloads.cachedDir(choice.spec).catch(() => undefined);
  }
}
