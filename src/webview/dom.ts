/**
 * A tiny element builder. The panel builds all of its DOM with createElement (never HTML strings), which
 * is what a strict CSP wants and keeps token text from ever being parsed as markup.
 */

export interface ElementProps {
  className?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, children: readonly (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.attrs) for (const [name, value] of Object.entries(props.attrs)) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}

/** Sets an attribute only when it changes, which avoids needless style invalidation on every render. */
export function setAttr(element: Element, name: string, value: string | null): void {
  if (value === null) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
  } else if (element.getAttribute(name) !== value) {
    element.setAttribute(name, value);
  }
}

export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Replaces a select's options when the list changed, then selects `value`. */
export function syncOptions(select: HTMLSelectElement, options: readonly { value: string; label: string }[], value: string): void {
  const same = select.options.length === options.length && options.every((o, i) => select.options[i].value === o.value && select.options[i].text === o.label);
  if (!same) select.replaceChildren(...options.map((o) => h('option', { text: o.label, attrs: { value: o.value } })));
  if (select.value !== value) select.value = value;
}

/** The content box of an element (client size without padding), which is what a canvas inside may fill. */
export function contentSize(element: HTMLElement): { width: number; height: number } {
  const s = getComputedStyle(element);
  const px = (v: string): number => Number.parseFloat(v) || 0;
  return {
    width: Math.max(0, element.clientWidth - px(s.paddingLeft) - px(s.paddingRight)),
    height: Math.max(0, element.clientHeight - px(s.paddingTop) - px(s.paddingBottom)),
  };
}
