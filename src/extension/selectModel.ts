/**
 * attentionInspector.selectModel ("Select Model…", also the status bar item): a picker of the curated hub
 * models (size, memory need, downloaded or not; too-large ones explain themselves), other downloaded
 * models, "Enter a model id…" and "Choose a local folder…". Choosing a hub model downloads it (or checks
 * the cached copy against the hub), makes it the `attentionInspector.model` setting and loads it once.
 * `{ model }` from a script skips the picker.
 */
import * as vscode from 'vscode';
import { CATALOG } from '../engine/hub/catalog';
import type { ModelFolderChooser } from './chooseModelFolder';
import { parseModelArg } from './commandArgs';
import { currentModelChoice } from './configuration';
import { asSentence, UserError } from './errorReport';
import { MODEL_DIR_ENV } from './ids';
import { catalogRefusal, type ModelDownloads } from './modelDownloads';
import type { ModelFetcher } from './modelFetcher';
import type { ModelLoader } from './modelLoader';
import { buildPickRows, pickerPlaceholder, type PickRow } from './modelPickItems';
import type { ModelProvider } from './modelProvider';
import { modelIdProblem, parseModelSpec, specSetting, type HubModelSpec } from './modelSpec';
import type { Reporter } from './output';
import { clearSetting, writeSetting } from './settingWriter';

export interface ModelPickerDeps {
  downloads: ModelDownloads;
  fetcher: ModelFetcher;
  loader: ModelLoader;
  provider: ModelProvider;
  chooser: ModelFolderChooser;
  reporter: Reporter;
}

type RowItem = vscode.QuickPickItem & { row?: PickRow };

export class ModelPicker {
  constructor(private readonly deps: ModelPickerDeps) {}

  /** The folder of the model now in use, or undefined when cancelled or failed (reported). */
  async select(arg: unknown): Promise<string | undefined> {
    try {
      const parsed = parseModelArg(arg);
      if (!parsed.ok) throw new UserError(`Select Model: ${parsed.error}`);
      if (parsed.value.model !== undefined) {
        const spec = parseModelSpec(parsed.value.model);
        if (!spec.ok) throw new UserError(`Select Model: ${spec.error}`);
        return await this.use(spec.value);
      }
      const row = await this.pick();
      if (row?.kind === 'folder') return await this.deps.chooser.choose(undefined);
      if (row?.kind === 'model') return await this.use(row.spec);
      if (row?.kind === 'enter-id') {
        const spec = await this.askForId();
        return spec ? await this.use(spec) : undefined;
      }
      return undefined;
    } catch (err) {
      this.deps.reporter.report(err, 'selecting a model');
      return undefined;
    }
  }

  private async pick(): Promise<PickRow | undefined> {
    const current = currentModelChoice();
    const items = this.deps.downloads.list().then((cached) => buildPickRows({ catalog: CATALOG, cached, current }).map(toItem));
    const picked = await vscode.window.showQuickPick<RowItem>(items, {
      title: 'Attention Inspector: Select Model',
      placeHolder: pickerPlaceholder(current),
      matchOnDescription: true,
      matchOnDetail: true,
    });
    return picked?.row;
  }

  private async askForId(): Promise<HubModelSpec | undefined> {
    const text = await vscode.window.showInputBox({
      title: 'Attention Inspector: Enter a Model Id',
      prompt: 'A Hugging Face model id, owner/name, optionally @revision (a branch, tag or commit)',
      placeHolder: 'openai-community/gpt2',
      ignoreFocusOut: true,
      // An empty box is not an error yet: the person has not typed anything.
      validateInput: (value) => {
        const problem = value.trim() === '' ? undefined : modelIdProblem(value);
        return problem ? asSentence(problem) : undefined;
      },
    });
    if (!text?.trim()) return undefined;
    const parsed = parseModelSpec(text);
    if (!parsed.ok) throw new UserError(parsed.error);
    return parsed.value;
  }

  private async use(spec: HubModelSpec): Promise<string | undefined> {
    const { reporter } = this.deps;
    const refusal = catalogRefusal(spec);
    if (refusal) {
      reporter.notify('error', asSentence(refusal), [reporter.selectModelAction()], 'UNSUPPORTED');
      return undefined;
    }
    const copy = await this.deps.fetcher.fetch(spec, 'refresh', () => void this.use(spec));
    if (!copy) return undefined;
    await writeSetting('model', specSetting(spec), reporter);
    await this.takePrecedence(spec);
    await this.deps.provider.refreshStatusBar();
    await this.deps.loader.check(copy.modelDir, spec.name);
    return copy.modelDir;
  }

  /** A model folder wins over the model setting, so choosing a hub model removes the folder setting. */
  private async takePrecedence(spec: HubModelSpec): Promise<void> {
    const { reporter } = this.deps;
    const cleared = await clearSetting('modelFolder', reporter);
    if (cleared.length > 0) {
      reporter.notify('info', `The model folder setting was removed (${cleared.join(' and ')} settings) so that ${spec.name} is used. Choose Model Folder… sets one again.`);
    }
    const env = process.env[MODEL_DIR_ENV]?.trim();
    if (env) {
      reporter.notify(
        'warning',
        `The environment variable ${MODEL_DIR_ENV} (${env}) still takes precedence over ${spec.name}: unset it and restart VS Code to use ${spec.name}.`,
      );
    }
  }
}

function toItem(row: PickRow): RowItem {
  if (row.kind === 'separator') return { label: row.label, kind: vscode.QuickPickItemKind.Separator };
  if (row.kind === 'model') return { label: row.label, description: row.description, detail: row.detail, row };
  return { label: row.label, detail: row.detail, row };
}
