/** The status bar item naming the model in use; clicking it opens the model picker. */
import * as vscode from 'vscode';
import type { ModelInfo } from '../shared/types';
import { COMMANDS } from './ids';
import { choiceName, describeOrigin, type ModelChoice } from './modelResolver';

export class ModelStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private choice: ModelChoice | undefined;
  /** The folder the choice loads from when known: a local folder, or a hub model once it is downloaded. */
  private dir: string | undefined;
  /** The last model the engine loaded, by folder: its real name is better than the folder's. */
  private loaded: { dir: string; info: ModelInfo } | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('attentionInspector.model', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Attention Inspector Model';
    this.item.command = COMMANDS.selectModel;
    // Until the first update (the cache is looked at asynchronously) the item still leads to the picker.
    this.item.text = '$(hubot) Model';
    this.item.tooltip = 'Attention Inspector: click to select a model.';
    this.item.show();
  }

  update(choice: ModelChoice, dir: string | undefined): void {
    this.choice = choice;
    this.dir = dir;
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
    if (!choice) return;
    if (choice.kind === 'invalid') {
      this.item.text = '$(warning) No model';
      this.item.tooltip = `The setting attentionInspector.model is "${choice.value}": ${choice.problem}.\nClick to select a model.`;
      return;
    }
    const info = this.dir !== undefined && this.loaded?.dir === this.dir ? this.loaded.info : undefined;
    // A hub model's own name is better than the engine's, which is its cache folder's ("main").
    const name = choice.kind === 'hub' ? choiceName(choice) : (info?.name ?? choiceName(choice));
    this.item.text = `$(hubot) ${name}`;
    const weights = info?.weights ? `, ${info.weights} weights` : '';
    const shape = info ? `\n${info.family}, ${info.layers} layers × ${info.heads} heads, context ${info.context} tokens${weights}` : '';
    const where =
      choice.kind === 'folder'
        ? choice.dir
        : `${choice.spec.id}${choice.spec.subfolder ? `/${choice.spec.subfolder}` : ''} (${choice.spec.revision}) from the Hugging Face hub, ` +
          (this.dir ? 'downloaded' : 'not downloaded yet: it downloads the first time you inspect text');
    this.item.tooltip = `Attention Inspector model: ${name}${shape}\n${where}\n${describeOrigin(choice.origin)}\nClick to select another model.`;
  }
}
