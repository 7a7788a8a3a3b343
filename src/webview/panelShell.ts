/**
 * The panel's frame around the views: title line (model, source, token count, truncation), the tab bar
 * with Export, the stale banner, the empty / loading / error screens and the focused-token line.
 */
import { sameSource, type SourceInfo, type ViewKind } from '../shared/protocol';
import { DisposableStore, type Disposable } from './disposable';
import { h, setText } from './dom';
import { formatEntropy, formatPercent, formatSource } from './format';
import { focusedToken, type AppState } from './state';
import { Tabs } from './tabs';
import { quoteLabel } from './tokenLabels';

export interface ShellActions {
  setView(view: ViewKind): void;
  exportPng(): void;
  rerun(): void;
}

export class PanelShell implements Disposable {
  readonly element: HTMLElement;
  /** Where the views mount. */
  readonly viewHost: HTMLElement;
  private readonly store = new DisposableStore();
  private readonly tabs: Tabs;
  private readonly model = h('span', { className: 'title-model' });
  private readonly source = h('span', { className: 'title-source' });
  private readonly count = h('span', { className: 'title-count' });
  private readonly truncated = h('span', { className: 'badge', text: 'truncated' });
  private readonly exportButton: HTMLButtonElement;
  private readonly toolbar: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly bannerText = h('span', { className: 'banner-text' });
  private readonly screen: HTMLElement;
  private readonly details = h('div', { className: 'details-line', attrs: { role: 'status', 'aria-live': 'polite' } });
  private screenKey = '';

  constructor(private readonly actions: ShellActions) {
    this.tabs = this.store.add(new Tabs((view) => actions.setView(view)));
    this.exportButton = h('button', { className: 'button secondary export-button', text: 'Export PNG', attrs: { type: 'button', title: 'Save the current view as a PNG image (2x resolution, with title and legend)' } });
    this.store.listen(this.exportButton, 'click', () => actions.exportPng());
    const rerun = h('button', { className: 'button', text: 'Re-run', attrs: { type: 'button' } });
    this.store.listen(rerun, 'click', () => actions.rerun());
    this.banner = h('div', { className: 'banner', attrs: { role: 'alert' } }, [this.bannerText, rerun]);
    this.banner.hidden = true;
    this.truncated.hidden = true;
    this.screen = h('div', { className: 'screen' });
    this.store.listen(this.screen, 'click', (e) => {
      if ((e.target as Element).closest('[data-action="rerun"]')) actions.rerun();
    });
    this.viewHost = h('main', { className: 'view-host' });
    this.toolbar = h('nav', { className: 'toolbar', attrs: { 'aria-label': 'Panel toolbar' } }, [this.tabs.element, h('div', { className: 'control-spacer' }), this.exportButton]);
    this.element = h('div', { className: 'panel' }, [
      h('header', { className: 'title-line' }, [this.model, this.source, this.count, this.truncated]),
      this.toolbar,
      this.banner,
      this.viewHost,
      this.screen,
      this.details,
    ]);
  }

  update(state: AppState): void {
    const ui = state.ui;
    const hasData = ui.kind === 'data';
    this.tabs.update(state.view, hasData);
    this.exportButton.disabled = !hasData;
    this.viewHost.hidden = !hasData;
    this.toolbar.hidden = !hasData;
    this.details.hidden = !hasData;
    this.screen.hidden = hasData;
    if (ui.kind === 'data') {
      const { result } = ui;
      setText(this.model, result.model.name);
      setText(this.source, formatSource(result.source));
      setText(this.count, `${result.tokens.length} tokens`);
      this.truncated.hidden = !result.truncated;
      setText(this.truncated, `truncated to the first ${result.tokens.length} tokens`);
      this.truncated.title = `The selection was longer than ${result.model.name}'s ${result.model.context}-token context; only its first part was inspected.`;
      this.banner.hidden = ui.stale === null;
      setText(this.bannerText, ui.stale ?? '');
      setText(this.details, this.detailsText(state));
    } else {
      setText(this.model, 'Attention Inspector');
      setText(this.source, state.source ? formatSource(state.source) : '');
      setText(this.count, '');
      this.truncated.hidden = true;
      this.banner.hidden = true;
      setText(this.details, '');
      this.updateScreen(state);
    }
  }

  dispose(): void {
    this.store.dispose();
  }

  private updateScreen(state: AppState): void {
    const ui = state.ui;
    const key = JSON.stringify(ui);
    if (key === this.screenKey) return;
    this.screenKey = key;
    switch (ui.kind) {
      case 'loading':
        this.screen.replaceChildren(
          h('div', { className: 'progress', attrs: { role: 'progressbar', 'aria-label': ui.message } }, [h('div', { className: 'progress-bit' })]),
          h('p', { className: 'screen-message', text: ui.message }),
        );
        return;
      case 'error':
        this.screen.replaceChildren(
          h('p', { className: 'screen-message is-error', attrs: { role: 'alert' } }, [h('span', { className: 'screen-icon', text: '⚠' }), ui.message]),
          // Re-run repeats the last result's inspection: offered only when that is what failed.
          ...(ui.source && !(state.source && sameSource(ui.source, state.source)) ? [this.sourceLine(ui.source)] : this.rerunBlock(state.source)),
        );
        return;
      case 'empty':
        this.screen.replaceChildren(
          ...(ui.restoredSource
            ? [h('p', { className: 'screen-message', text: ui.message ?? 'Attention from the last inspection is not kept when the window reloads. Re-run it to see it again.' }), ...this.rerunBlock(ui.restoredSource)]
            : [
                h('p', { className: 'screen-message', text: 'Select text in an editor, then run' }),
                h('p', { className: 'screen-command' }, [h('kbd', { text: 'Attention Inspector: Inspect Attention' })]),
                h('p', { className: 'screen-hint', text: 'Every layer and head of a local model, and what it expected next after each token.' }),
              ]),
        );
        return;
      case 'data':
        return;
    }
  }

  private rerunBlock(source: SourceInfo | null): HTMLElement[] {
    if (!source) return [];
    return [this.sourceLine(source), h('button', { className: 'button', text: 'Re-run', attrs: { type: 'button', 'data-action': 'rerun' } })];
  }

  private sourceLine(source: SourceInfo): HTMLElement {
    return h('p', { className: 'screen-source' }, [h('span', { className: 'screen-caption', text: 'Source ' }), formatSource(source)]);
  }

  private detailsText(state: AppState): string {
    if (state.ui.kind !== 'data') return '';
    const index = focusedToken(state);
    if (index === null) return 'Hover a token or a cell for details; click (or Enter) to lock and reveal it in the editor.';
    const { tokens, next } = state.ui.result;
    const token = tokens[index];
    const parts = [`${quoteLabel(token?.text ?? '')} · token ${index}${token?.special ? ' (special)' : ''}`];
    const info = next.find((n) => n.position === index);
    if (info) {
      const top = info.top[0];
      if (top) parts.push(`model expects ${quoteLabel(top.text)} ${formatPercent(top.p)}`);
      if (info.actual) parts.push(`actual next ${quoteLabel(tokens[index + 1]?.text ?? '')} ${formatPercent(info.actual.p)} (rank ${info.actual.rank})`);
      parts.push(`entropy ${formatEntropy(info.entropy)}`);
    }
    return parts.join('  ·  ');
  }
}
