/**
 * attentionInspector.manageModels ("Manage Downloaded Models…"): the cached hub models with their sizes;
 * the ones picked are deleted from the cache after a confirmation that names them, their size and whether
 * one is the model in use (which then downloads again on the next run).
 */
import * as vscode from 'vscode';
import { cachedRows, cacheSummary, removalQuestion, totalBytes, type CachedRow } from './cachedModelItems';
import { currentModelChoice } from './configuration';
import { formatBytes } from './downloadFormat';
import type { ModelDownloads } from './modelDownloads';
import type { ModelLoader } from './modelLoader';
import type { ModelProvider } from './modelProvider';
import type { Reporter } from './output';

type RowItem = vscode.QuickPickItem & { row: CachedRow };

const DELETE = 'Delete';

export class ModelManager {
  constructor(
    private readonly downloads: ModelDownloads,
    private readonly loader: ModelLoader,
    private readonly provider: ModelProvider,
    private readonly reporter: Reporter,
  ) {}

  async manage(): Promise<void> {
    try {
      const cached = await this.downloads.list();
      if (cached.length === 0) {
        this.reporter.notify('info', `No models are downloaded yet (the cache is ${this.downloads.cacheDir}). Select Model… downloads one.`, [
          this.reporter.selectModelAction(),
        ]);
        return;
      }
      const items: RowItem[] = cachedRows(cached, currentModelChoice()).map((row) => ({ label: row.label, description: row.description, detail: row.detail, row }));
      const picked = await vscode.window.showQuickPick(items, {
        title: `Attention Inspector: ${cacheSummary(cached)}`,
        placeHolder: 'Select the models to delete from the download cache',
        canPickMany: true,
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!picked || picked.length === 0) return;
      const rows = picked.map((item) => item.row);
      const answer = await vscode.window.showWarningMessage(removalQuestion(rows), { modal: true }, DELETE);
      if (answer !== DELETE) return;
      await this.remove(rows);
    } catch (err) {
      this.reporter.report(err, 'managing downloaded models');
    }
  }

  private async remove(rows: readonly CachedRow[]): Promise<void> {
    for (const row of rows) {
      this.loader.forgetInside(row.copy.dir);
      await this.downloads.remove(row.copy);
      this.reporter.info(`deleted ${row.label} (${formatBytes(row.copy.bytes)}) from ${row.copy.dir}`);
    }
    await this.provider.refreshStatusBar();
    const names = rows.map((r) => r.label).join(', ');
    this.reporter.notify('info', `Deleted ${names} from the download cache (${formatBytes(totalBytes(rows.map((r) => r.copy)))} freed).`);
  }
}
