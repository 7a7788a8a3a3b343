/** The view switcher: an ARIA tab list with one tab stop; arrow keys, Home and End move between tabs. */
import type { ViewKind } from '../shared/protocol';
import { DisposableStore, type Disposable } from './disposable';
import { h, setAttr } from './dom';

export const VIEW_TITLES: Record<ViewKind, string> = { arcs: 'Arcs', heatmap: 'Heatmap', grid: 'Grid', compare: 'Compare', next: 'Next token' };
const ORDER: readonly ViewKind[] = ['arcs', 'heatmap', 'grid', 'compare', 'next'];

export const viewElementId = (view: ViewKind): string => `view-${view}`;

export class Tabs implements Disposable {
  readonly element: HTMLElement;
  private readonly tabs: HTMLButtonElement[];
  private readonly store = new DisposableStore();

  constructor(onSelect: (view: ViewKind) => void) {
    this.tabs = ORDER.map((view) =>
      h('button', { className: 'tab', text: VIEW_TITLES[view], attrs: { type: 'button', role: 'tab', id: `tab-${view}`, 'data-view': view, 'aria-controls': viewElementId(view) } }),
    );
    this.element = h('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Views' } }, this.tabs);
    this.store.listen(this.element, 'click', (e) => {
      const view = ORDER.find((v) => v === (e.target as Element).closest<HTMLElement>('[data-view]')?.dataset.view);
      if (view) onSelect(view);
    });
    this.store.listen(this.element, 'keydown', (e) => {
      const current = this.tabs.findIndex((t) => t === document.activeElement);
      if (current < 0) return;
      const moves: Record<string, number> = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: ORDER.length - 1 };
      const target = moves[e.key];
      if (target === undefined) return;
      e.preventDefault();
      const index = (target + ORDER.length) % ORDER.length;
      this.tabs[index].focus();
      onSelect(ORDER[index]);
    });
  }

  update(view: ViewKind, enabled: boolean): void {
    for (const tab of this.tabs) {
      const selected = tab.dataset.view === view;
      setAttr(tab, 'aria-selected', String(selected));
      setAttr(tab, 'tabindex', selected ? '0' : '-1');
      tab.disabled = !enabled;
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}
