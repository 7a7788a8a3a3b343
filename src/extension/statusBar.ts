/** The status bar item naming the model in use; clicking it chooses another model folder. */
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelInfo } from '../shared/types';
import { COMMANDS } from './ids';
import { describeOrigin, type ModelChoice } from './modelResolver';

export class ModelStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private choice: ModelChoice = { kind: 'none' };
  /** The last model the engine loaded, by folder: its real name is better than the folder's. */
  private loaded: { dir: string; info: ModelInfo } | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('attentionInspector.model', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Attention Inspector Model';
    this.item.command = COMMANDS.chooseModelFolder;
    this.item.show();
  }

  update(choice: ModelChoice): void {
    this.choice = choice;
    this.render();
  }

  modelLoaded(dir: string, info: ModelInfo): void {
    this.loaded = { dir, info };
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const choice = this.choice;
    if (choice.kind === 'none') {
      this.item.text = '$(hubot) No model';
      this.item.tooltip = 'Attention Inspector has no model yet. Click to choose a folder with a llama2.c checkpoint and its tokenizer.';
      return;
    }
    const info = this.loaded?.dir === choice.dir ? this.loaded.info : undefined;
    const name = info?.name ?? path.basename(choice.dir);
    this.item.text = `$(hubot) ${name}`;
    const shape = info ? `\n${info.family}, ${info.layers} layers × ${info.heads} heads, context ${info.context} tokens` : '';
    this.item.tooltip = `Attention Inspector model: ${name}${shape}\n${choice.dir} (${describeOrigin(choice.origin)})\nClick to choose another model folder.`;
  }
}
