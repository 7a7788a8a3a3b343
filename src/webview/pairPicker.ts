/** The Compare view's pickers: one (layer, head) row per compared map, with remove and add buttons. */
import { DisposableStore, type Disposable } from './disposable';
import { h, setAttr, syncOptions } from './dom';
import { MAX_COMPARE, MIN_COMPARE, type HeadPair } from './state';

export interface PairPickerActions {
  set(slot: number, pair: HeadPair): void;
  add(): void;
  remove(slot: number): void;
}

export const SLOT_NAMES = ['A', 'B', 'C', 'D'];

export class PairPicker implements Disposable {
  readonly element: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly addButton: HTMLButtonElement;
  private readonly store = new DisposableStore();

  constructor(private readonly actions: PairPickerActions) {
    this.rows = h('div', { className: 'pair-rows' });
    this.addButton = h('button', { className: 'chip', text: '+ Add', attrs: { type: 'button', title: `Compare up to ${MAX_COMPARE} heads` } });
    this.element = h('div', { className: 'control pair-picker' }, [this.rows, this.addButton]);
    this.store.listen(this.addButton, 'click', () => this.actions.add());
    this.store.listen(this.rows, 'change', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-slot]');
      if (!row) return;
      const [layer, head] = row.querySelectorAll('select');
      this.actions.set(Number(row.dataset.slot), { layer: Number(layer.value), head: Number(head.value) });
    });
    this.store.listen(this.rows, 'click', (e) => {
      const remove = (e.target as Element).closest<HTMLElement>('[data-remove]');
      if (remove) this.actions.remove(Number(remove.dataset.remove));
    });
  }

  update(pairs: readonly HeadPair[], layers: number, heads: number): void {
    while (this.rows.childElementCount > pairs.length) this.rows.lastElementChild?.remove();
    while (this.rows.childElementCount < pairs.length) {
      const slot = this.rows.childElementCount;
      const name = SLOT_NAMES[slot];
      this.rows.append(
        h('div', { className: 'pair-row', attrs: { 'data-slot': String(slot) } }, [
          h('span', { className: 'pair-name', text: name }),
          h('select', { className: 'control-select', attrs: { 'aria-label': `Map ${name} layer` } }),
          h('select', { className: 'control-select', attrs: { 'aria-label': `Map ${name} head` } }),
          h('button', { className: 'icon-button', text: '×', attrs: { type: 'button', 'data-remove': String(slot), 'aria-label': `Remove map ${name}`, title: `Remove map ${name}` } }),
        ]),
      );
    }
    pairs.forEach((pair, slot) => {
      const row = this.rows.children[slot];
      const [layerSelect, headSelect] = row.querySelectorAll('select');
      syncOptions(layerSelect, Array.from({ length: layers }, (_, l) => ({ value: String(l), label: `Layer ${l}` })), String(pair.layer));
      syncOptions(headSelect, Array.from({ length: heads }, (_, hd) => ({ value: String(hd), label: `Head ${hd}` })), String(pair.head));
      const remove = row.querySelector('button');
      if (remove) remove.disabled = pairs.length <= MIN_COMPARE;
    });
    this.addButton.disabled = pairs.length >= MAX_COMPARE;
    setAttr(this.addButton, 'aria-disabled', String(this.addButton.disabled));
  }

  dispose(): void {
    this.store.dispose();
  }
}
