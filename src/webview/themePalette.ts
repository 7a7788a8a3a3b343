/**
 * Reads the editor theme from the --vscode-* CSS variables VS Code sets on <html>, and reports theme
 * changes (VS Code swaps the body class and rewrites those variables when the person switches themes).
 */
import type { Disposable } from './disposable';
import { parseRgb, type Rgb } from './color';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface ThemePalette {
  kind: ThemeKind;
  background: Rgb;
  foreground: Rgb;
  muted: Rgb;
  /** Colour of focus rings and selection outlines. */
  focus: Rgb;
  /** High-contrast themes draw borders around everything; empty elsewhere. */
  contrastBorder: Rgb | null;
  accents: Rgb[];
  widgetBackground: Rgb;
  border: Rgb;
  fontFamily: string;
  fontSize: number;
  monoFamily: string;
  monoSize: number;
}

function kindOf(body: HTMLElement): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  return 'light';
}

const DARK_BG: Rgb = [30, 30, 30];
const LIGHT_BG: Rgb = [255, 255, 255];

export function readPalette(doc: Document): ThemePalette {
  const style = getComputedStyle(doc.documentElement);
  const v = (name: string): string => style.getPropertyValue(`--vscode-${name}`).trim();
  const kind = kindOf(doc.body);
  const darkish = kind === 'dark' || kind === 'high-contrast';
  const background = parseRgb(v('editor-background'), darkish ? (kind === 'high-contrast' ? [0, 0, 0] : DARK_BG) : LIGHT_BG);
  const foreground = parseRgb(v('editor-foreground') || v('foreground'), darkish ? [204, 204, 204] : [59, 59, 59]);
  const contrast = v('contrastBorder');
  const px = (value: string, fallback: number): number => {
    const n = Number.parseFloat(value);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return {
    kind,
    background,
    foreground,
    muted: parseRgb(v('descriptionForeground'), foreground),
    focus: parseRgb(v('focusBorder'), darkish ? [0, 127, 212] : [0, 95, 184]),
    contrastBorder: contrast ? parseRgb(contrast, foreground) : null,
    accents: [v('textLink-foreground'), v('charts-blue'), v('button-background')]
      .filter((s) => s.length > 0)
      .map((s) => parseRgb(s, foreground)),
    widgetBackground: parseRgb(v('editorWidget-background'), background),
    border: parseRgb(v('widget-border') || v('panel-border') || v('contrastBorder'), darkish ? [69, 69, 69] : [200, 200, 200]),
    fontFamily: v('font-family') || 'system-ui, sans-serif',
    fontSize: px(v('font-size'), 13),
    monoFamily: v('editor-font-family') || 'monospace',
    monoSize: px(v('editor-font-size'), 13),
  };
}

/** Calls `onChange` after the theme changes (body class or the variables on <html>), once per burst. */
export function watchTheme(doc: Document, onChange: () => void): Disposable {
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      onChange();
    });
  });
  observer.observe(doc.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(doc.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return { dispose: () => observer.disconnect() };
}
