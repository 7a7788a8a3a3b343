/**
 * Export the panel's view as PNG: the command (palette, panel title bar, scripts with `{ path }`) asks the
 * panel to render and writes the bytes; the panel's own button sends the bytes with `savePng`.
 */
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { parsePathArg } from './commandArgs';
import { workspaceFolderUri } from './configuration';
import { UserError } from './errorReport';
import type { Reporter } from './output';
import type { PngImage } from './panel';
import type { PanelManager } from './panelManager';
import { isPng } from './png';
import { safePngName } from './sourceInfo';

export class PngExporter {
  constructor(
    private readonly panels: PanelManager,
    private readonly reporter: Reporter,
  ) {}

  /** attentionInspector.exportPng: the written file's path, or undefined when cancelled or failed (reported). */
  async exportCommand(arg: unknown): Promise<string | undefined> {
    try {
      const parsed = parsePathArg(arg);
      if (!parsed.ok) throw new UserError(`Export View as PNG: ${parsed.error}`);
      const panel = this.panels.current;
      if (!panel) throw new UserError('There is no Attention Inspector panel to export: run Inspect Attention on some text first.');
      const image = await panel.requestPng();
      const given = parsed.value.path;
      const target = given !== undefined ? this.resolvePath(given) : await this.askWhere(image.suggestedName);
      if (!target) return undefined;
      await this.write(target, image.png);
      if (given === undefined) this.announce(target);
      return target.fsPath;
    } catch (err) {
      this.reporter.report(err, 'exporting the view as PNG');
      return undefined;
    }
  }

  /** The panel's own export button. */
  async saveFromPanel(image: PngImage): Promise<void> {
    try {
      const target = await this.askWhere(image.suggestedName);
      if (!target) return;
      await this.write(target, image.png);
      this.announce(target);
    } catch (err) {
      this.reporter.report(err, 'saving the view as PNG');
    }
  }

  private resolvePath(given: string): vscode.Uri {
    if (path.isAbsolute(given)) return vscode.Uri.file(given);
    const folder = workspaceFolderUri();
    if (!folder) throw new UserError(`"${given}" is a relative path and no folder is open: give an absolute path`);
    return vscode.Uri.joinPath(folder, given);
  }

  private askWhere(suggestedName: string): Thenable<vscode.Uri | undefined> {
    const name = safePngName(suggestedName);
    const folder = workspaceFolderUri();
    return vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(path.join(os.homedir(), name)),
      filters: { 'PNG image': ['png'] },
      saveLabel: 'Export',
      title: 'Export Attention View as PNG',
    });
  }

  private async write(target: vscode.Uri, png: Uint8Array): Promise<void> {
    if (!isPng(png)) throw new UserError('The panel sent something that is not a PNG image; nothing was written');
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
    await vscode.workspace.fs.writeFile(target, png);
    this.reporter.info(`wrote ${png.byteLength} bytes to ${target.fsPath}`);
  }

  private announce(target: vscode.Uri): void {
    this.reporter.notify('info', `Saved the view to ${target.fsPath}.`, [{ title: 'Open', run: () => void vscode.commands.executeCommand('vscode.open', target) }]);
  }
}
