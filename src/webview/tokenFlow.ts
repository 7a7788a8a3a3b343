/**
 * Tokens in reading order as chips that wrap like text. One element per token (not per attention cell),
 * so even T = 1024 is a small DOM; the browser does wrapping, fonts and hit-testing, and the canvases
 * read the chip positions back. The flow is one tab stop (a listbox): arrow keys move between tokens.
 */
import type { Token } from '../shared/types';
import { emptyBoxes, type TokenBoxes } from './arcLayout';
import { DisposableStore, type Disposable } from './disposable';
import { h, setAttr } from './dom';
import { displayToken } from './tokenLabels';

export interface TokenFlowHandlers {
  hover(index: number | null): void;
  /** A click or Enter on a token. */
  pick(index: number): void;
  escape(): void;
}

let nextFlowId = 1;

export class TokenFlow implements Disposable {
  readonly element: HTMLElement;
  private chips: HTMLElement[] = [];
  private tokens: readonly Token[] = [];
  private readonly idPrefix = `tokens-${nextFlowId++}`;
  private readonly store = new DisposableStore();
  private hover: number | null = null;
  private locked: number | null = null;
  /** Last measured boxes, for Up/Down navigation between lines. */
  private boxes: TokenBoxes | null = null;

  constructor(label: string, private readonly handlers: TokenFlowHandlers) {
    this.element = h('div', { className: 'token-flow', attrs: { role: 'listbox', tabindex: '0', 'aria-label': label } });
    this.store.listen(this.element, 'pointermove', (e) => this.handlers.hover(this.indexAt(e.target)));
    this.store.listen(this.element, 'pointerleave', () => this.handlers.hover(null));
    this.store.listen(this.element, 'click', (e) => {
      const index = this.indexAt(e.target);
      if (index !== null) this.handlers.pick(index);
    });
    this.store.listen(this.element, 'keydown', (e) => this.onKey(e));
  }

  /** Rebuilds the chips when given other tokens (a new result); returns whether it did. */
  setTokens(tokens: readonly Token[], sourceText: string): boolean {
    if (tokens === this.tokens) return false;
    this.tokens = tokens;
    this.hover = null;
    this.locked = null;
    this.boxes = null;
    const nodes: Node[] = [];
    this.chips = tokens.map((token, i) => {
      const d = displayToken(token, sourceText);
      const chip = h('span', {
        className: `token${d.wordStart ? ' is-word' : ''}${d.special ? ' is-special' : ''}`,
        text: d.text,
        attrs: { role: 'option', id: `${this.idPrefix}-${i}`, 'data-index': String(i), 'aria-selected': 'false', title: `${i}: ${JSON.stringify(token.text)}${token.special ? ' (special)' : ''}` },
      });
      nodes.push(chip);
      if (d.lineBreak) nodes.push(h('br'));
      return chip;
    });
    this.element.replaceChildren(...nodes);
    return true;
  }

  /** Chip geometry relative to `origin` (a positioned ancestor), with visual line numbers. */
  measure(origin: HTMLElement): TokenBoxes {
    const boxes = emptyBoxes(this.chips.length);
    const base = origin.getBoundingClientRect();
    let line = -1;
    let lineTop = -Infinity;
    this.chips.forEach((chip, i) => {
      const r = chip.getBoundingClientRect();
      const top = r.top - base.top + origin.scrollTop;
      // Chips are top-aligned, so a new top (beyond rounding) starts a new visual line.
      if (top > lineTop + 2) {
        line++;
        lineTop = top;
      }
      boxes.cx[i] = r.left - base.left + origin.scrollLeft + r.width / 2;
      boxes.width[i] = r.width;
      boxes.top[i] = top;
      boxes.bottom[i] = top + r.height;
      boxes.line[i] = line;
    });
    this.boxes = boxes;
    return boxes;
  }

  /** Marks the hovered (or keyboard) token and the locked one; only touched chips change. */
  setMarks(hover: number | null, locked: number | null): void {
    if (hover !== this.hover) {
      if (this.hover !== null) this.chips[this.hover]?.classList.remove('is-hover');
      if (hover !== null) this.chips[hover]?.classList.add('is-hover');
      this.hover = hover;
    }
    if (locked !== this.locked) {
      if (this.locked !== null) {
        this.chips[this.locked]?.classList.remove('is-locked');
        this.chips[this.locked]?.setAttribute('aria-selected', 'false');
      }
      if (locked !== null) {
        this.chips[locked]?.classList.add('is-locked');
        this.chips[locked]?.setAttribute('aria-selected', 'true');
        // The editor may lock a token that is scrolled away (focusToken); bring it into view.
        this.scrollToToken(locked);
      }
      this.locked = locked;
    }
    const active = hover ?? locked;
    setAttr(this.element, 'aria-activedescendant', active === null ? null : `${this.idPrefix}-${active}`);
  }

  /** Background colour per chip (null = none); used by the Next token view to show how expected each was. */
  setTints(colors: readonly (string | null)[] | null, textColors: readonly (string | null)[] | null): void {
    this.chips.forEach((chip, i) => {
      const bg = colors?.[i] ?? '';
      const fg = textColors?.[i] ?? '';
      if (chip.style.backgroundColor !== bg) chip.style.backgroundColor = bg;
      if (chip.style.color !== fg) chip.style.color = fg;
    });
  }

  /** The chips' font as a canvas font string (taken from the flow, not a chip: special chips are italic). */
  canvasFont(): string {
    const s = getComputedStyle(this.element);
    return `${s.fontSize} ${s.fontFamily}`;
  }

  scrollToToken(index: number): void {
    this.chips[index]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  dispose(): void {
    this.store.dispose();
  }

  private indexAt(target: EventTarget | null): number | null {
    const chip = target instanceof Element ? target.closest<HTMLElement>('.token') : null;
    if (!chip || !this.element.contains(chip)) return null;
    const index = Number(chip.dataset.index);
    return Number.isInteger(index) ? index : null;
  }

  private onKey(e: KeyboardEvent): void {
    const count = this.chips.length;
    if (count === 0) return;
    const current = this.hover ?? this.locked;
    let next: number;
    switch (e.key) {
      case 'ArrowRight':
        next = current === null ? 0 : Math.min(count - 1, current + 1);
        break;
      case 'ArrowLeft':
        next = current === null ? 0 : Math.max(0, current - 1);
        break;
      case 'ArrowDown':
        next = current === null ? 0 : this.onOtherLine(current, 1);
        break;
      case 'ArrowUp':
        next = current === null ? 0 : this.onOtherLine(current, -1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Enter':
      case ' ':
        if (current !== null) this.handlers.pick(current);
        e.preventDefault();
        return;
      case 'Escape':
        this.handlers.escape();
        return;
      default:
        return;
    }
    e.preventDefault();
    // Marked now, not at the next render: a held arrow key moves on from here, not from a stale cursor.
    this.setMarks(next, this.locked);
    this.handlers.hover(next);
    this.scrollToToken(next);
  }

  /** The token on the next (or previous) visual line closest in x to `index`. */
  private onOtherLine(index: number, step: 1 | -1): number {
    const boxes = this.boxes;
    if (!boxes || boxes.count !== this.chips.length) return Math.max(0, Math.min(this.chips.length - 1, index + step));
    const target = boxes.line[index] + step;
    let best = index;
    let bestDx = Infinity;
    for (let i = 0; i < boxes.count; i++) {
      if (boxes.line[i] !== target) continue;
      const dx = Math.abs(boxes.cx[i] - boxes.cx[index]);
      if (dx < bestDx) {
        bestDx = dx;
        best = i;
      }
    }
    return best;
  }
}
