/** What a view shows over its canvas while a layer loads, or when loading it failed (with a retry). */
import { DisposableStore, type Disposable } from './disposable';
import { h, setText } from './dom';
import type { LayerStatus } from './state';

export class LayerNotice implements Disposable {
  readonly element: HTMLElement;
  private readonly message: HTMLElement;
  private readonly retry: HTMLButtonElement;
  private readonly store = new DisposableStore();
  private failedLayers: number[] = [];

  constructor(onRetry: (layer: number) => void) {
    this.message = h('span', { className: 'notice-message' });
    this.retry = h('button', { className: 'button secondary', text: 'Retry', attrs: { type: 'button' } });
    this.element = h('div', { className: 'layer-notice', attrs: { role: 'status', 'aria-live': 'polite' } }, [
      h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }),
      this.message,
      this.retry,
    ]);
    this.element.hidden = true;
    this.store.listen(this.retry, 'click', () => this.failedLayers.forEach(onRetry));
  }

  /** Shows the state of the layers a view waits for; hides itself when all are ready. */
  update(layers: readonly { layer: number; status: LayerStatus }[]): void {
    const failed = layers.filter((l) => l.status.kind === 'failed');
    const waiting = layers.filter((l) => l.status.kind !== 'ready');
    this.failedLayers = failed.map((l) => l.layer);
    this.element.hidden = waiting.length === 0;
    this.element.classList.toggle('is-failed', failed.length > 0);
    this.retry.hidden = failed.length === 0;
    if (failed.length > 0) {
      const first = failed[0].status;
      const why = first.kind === 'failed' ? first.message : '';
      setText(this.message, `Could not load layer ${failed.map((l) => l.layer).join(', ')}: ${why}`);
    } else if (waiting.length > 0) {
      setText(this.message, `Loading layer ${waiting.map((l) => l.layer).join(', ')}…`);
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}
