/**
 * The engine side of switching models. The engine worker keeps every model it has loaded, and two large
 * ones may not fit WebAssembly memory together, so the one in use before is unloaded when another takes
 * its place. Also loads a newly chosen model at once, so a wrong choice is reported now, not on the next run.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { EngineClient } from '../engine/client';
import type { Reporter } from './output';
import type { ModelStatusBar } from './statusBar';

export class ModelLoader {
  private current: string | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly reporter: Reporter,
    private readonly statusBar: ModelStatusBar,
  ) {}

  /** Notes that runs now use `dir`, unloading the model used before it. */
  using(dir: string): void {
    const previous = this.current;
    this.current = dir;
    if (previous !== undefined && path.resolve(previous) !== path.resolve(dir)) this.unload(previous);
  }

  /** Unloads the model in use when it lives inside `dir` (a cached copy about to be deleted). */
  forgetInside(dir: string): void {
    const current = this.current;
    if (current === undefined) return;
    const relative = path.relative(path.resolve(dir), path.resolve(current));
    if (relative.startsWith('..') || path.isAbsolute(relative)) return;
    this.current = undefined;
    this.unload(current);
  }

  /**
   * Loads the model in `dir` now and says what it is; false when it failed (reported). `name` replaces the
   * engine's, which for a Hugging Face folder is the folder's own name ("main" for a cached revision).
   */
  async check(dir: string, name?: string): Promise<boolean> {
    this.using(dir);
    try {
      const { info } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Attention Inspector: loading the model…' },
        () => this.engine.load({ dir }),
      );
      this.statusBar.modelLoaded(dir, info);
      const weights = info.weights && info.weights !== 'float32' ? `, ${info.weights} weights` : '';
      this.reporter.notify('info', `Attention Inspector will use ${name ?? info.name}: ${info.layers} layers × ${info.heads} heads, context ${info.context} tokens${weights}.`);
      return true;
    } catch (err) {
      this.reporter.report(err, `loading the model in ${dir}`);
      return false;
    }
  }

  private unload(dir: string): void {
    this.engine.unload({ dir }).then(undefined, (err: unknown) => this.reporter.warn(`could not unload the model in ${dir}: ${String(err)}`));
  }
}
