/**
 * attentionInspector.chooseModelFolder: pick a folder (or take `{ path }` from a script), write the setting
 * where it takes effect, and load the model once so a wrong folder is reported now, not on the next run.
 */
import os from 'node:os';
import * as vscode from 'vscode';
import { parsePathArg } from './commandArgs';
import { currentModelChoice, workspaceFolderUri } from './configuration';
import { UserError } from './errorReport';
import { expandFolder } from './modelResolver';
import type { ModelLoader } from './modelLoader';
import type { ModelProvider } from './modelProvider';
import type { Reporter } from './output';
import { writeSetting } from './settingWriter';

export class ModelFolderChooser {
  constructor(
    private readonly loader: ModelLoader,
    private readonly reporter: Reporter,
    private readonly provider: ModelProvider,
  ) {}

  /** The folder now in the setting, or undefined when cancelled or failed (reported). */
  async choose(arg: unknown): Promise<string | undefined> {
    try {
      const parsed = parsePathArg(arg);
      if (!parsed.ok) throw new UserError(`Choose Model Folder: ${parsed.error}`);
      const given = parsed.value.path;
      const dir = given !== undefined ? expandFolder(given, workspaceFolderUri()?.fsPath, os.homedir()) : await this.ask();
      if (!dir) return undefined;
      await writeSetting('modelFolder', dir, this.reporter);
      await this.provider.refreshStatusBar();
      await this.loader.check(dir);
      return dir;
    } catch (err) {
      this.reporter.report(err, 'choosing the model folder');
      return undefined;
    }
  }

  private async ask(): Promise<string | undefined> {
    const current = currentModelChoice();
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      defaultUri: current.kind === 'folder' ? vscode.Uri.file(current.dir) : workspaceFolderUri(),
      openLabel: 'Use This Model Folder',
      title: 'Choose a model folder: Hugging Face (config.json, model.safetensors, tokenizer.json), llama2.c (.bin and its tokenizer) or ONNX',
    });
    return picked?.[0]?.fsPath;
  }
}
