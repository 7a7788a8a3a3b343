/** A hover card inside a view (VS Code hover widget colours), positioned from JS and kept inside its parent. */
import { h, setText } from './dom';

export class Tooltip {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    this.title = h('div', { className: 'tooltip-title' });
    this.body = h('div', { className: 'tooltip-body' });
    this.element = h('div', { className: 'tooltip', attrs: { role: 'tooltip' } }, [this.title, this.body]);
    this.element.hidden = true;
  }

  /** Shows the card next to (x, y), in px relative to the parent, flipping to stay inside it. */
  show(title: string, lines: readonly string[], x: number, y: number): void {
    setText(this.title, title);
    const same = this.body.childElementCount === lines.length && lines.every((l, i) => this.body.children[i].textContent === l);
    if (!same) this.body.replaceChildren(...lines.map((l) => h('div', { text: l })));
    this.element.hidden = false;
    const parent = this.element.offsetParent as HTMLElement | null;
    const maxX = (parent?.clientWidth ?? Infinity) - this.element.offsetWidth - 4;
    const maxY = (parent?.clientHeight ?? Infinity) - this.element.offsetHeight - 4;
    const left = x + 14 > maxX ? x - this.element.offsetWidth - 10 : x + 14;
    const top = Math.min(maxY, y + 14);
    this.element.style.left = `${Math.max(4, left)}px`;
    this.element.style.top = `${Math.max(4, top)}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
