/**
 * attentionInspector.chooseModelFolder: pick a folder (or take `{ path }` from a script), write the setting
 * where it takes effect, and load the model once so a wrong folder is reported now, not on the next run.
 */
import os from 'node:os';
import * as vscode from 'vscode';
import type { EngineClient } from '../engine/client';
import { parsePathArg } from './commandArgs';
import { currentModelChoice, workspaceFolderUri } from './configuration';
import { UserError } from './errorReport';
import { CONFIG_SECTION } from './ids';
import { expandFolder } from './modelResolver';
import type { Reporter } from './output';
import type { ModelStatusBar } from './statusBar';

export class ModelFolderChooser {
  constructor(
    private readonly engine: EngineClient,
    private readonly reporter: Reporter,
    private readonly statusBar: ModelStatusBar,
  ) {}

  /** The folder now in the setting, or undefined when cancelled or failed (reported). */
  async choose(arg: unknown): Promise<string | undefined> {
    try {
      const parsed = parsePathArg(arg);
      if (!parsed.ok) throw new UserError(`Choose Model Folder: ${parsed.error}`);
      const given = parsed.value.path;
      const dir = given !== undefined ? expandFolder(given, workspaceFolderUri()?.fsPath, os.homedir()) : await this.ask();
      if (!dir) return undefined;
      await this.write(dir);
      this.statusBar.update(currentModelChoice());
      await this.check(dir);
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
      title: 'Choose a folder with a llama2.c checkpoint (.bin) and its tokenizer',
    });
    return picked?.[0]?.fsPath;
  }

  /** A workspace value would hide a user value, so the setting is written where it already lives. */
  private async write(dir: string): Promise<void> {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const where = config.inspect<string>('modelFolder');
    const target = where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('modelFolder', dir, target);
    this.reporter.info(`modelFolder set to ${dir} (${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} settings)`);
    if (where?.workspaceFolderValue !== undefined) {
      this.reporter.notify('warning', `A folder setting of attentionInspector.modelFolder (${where.workspaceFolderValue}) still overrides the folder you chose.`);
    }
  }

  private async check(dir: string): Promise<void> {
    try {
      const { info } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Attention Inspector: loading the model…' },
        () => this.engine.load({ dir }),
      );
      this.statusBar.modelLoaded(dir, info);
      this.reporter.notify('info', `Attention Inspector will use ${info.name}: ${info.layers} layers × ${info.heads} heads, context ${info.context} tokens.`);
    } catch (err) {
      this.reporter.report(err, `loading the model in ${dir}`);
    }
  }
}
