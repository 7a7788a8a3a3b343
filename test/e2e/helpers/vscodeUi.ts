/**
 * Driving VS Code's workbench the way a person does: explorer, keyboard, command palette, hovers, and the
 * Attention Inspector panel inside its webview. Selectors are VS Code's own (stable across 1.9x–1.13x) and,
 * inside the panel, accessible roles and labels.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';

export async function openFileFromExplorer(page: Page, name: string): Promise<void> {
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).click();
  await page.locator('.editor-group-container .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
  await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ state: 'visible' });
}

/** F1, the command's title, Enter: as a person runs a command from the palette. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/** The Attention Inspector panel's document: the webview's outer iframe holds the real one (#active-frame). */
export function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The part of a page's <canvas> read here; the tests compile without the DOM library. */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** Pixels that are not fully transparent, over every canvas `canvases` matches: something was drawn there. */
export function inkedPixels(canvases: Locator): Promise<number> {
  return canvases.evaluateAll((elements) =>
    elements.reduce((sum, element) => {
      const c = element as unknown as CanvasLike;
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      if (data) for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) inked++;
      return sum + inked;
    }, 0),
  );
}

/**
 * A cheap fingerprint of the pixels of every canvas `canvases` matches (a view may draw on stacked layers),
 * to see that a change of layer or head redrew them.
 */
export function canvasFingerprint(canvases: Locator): Promise<string> {
  return canvases.evaluateAll((elements) =>
    elements
      .map((element) => {
        const c = element as unknown as CanvasLike;
        const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
        if (!data) return '';
        let hash = 2166136261;
        for (let i = 0; i < data.length; i += 7) hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
        return `${c.width}x${c.height}:${hash.toString(16)}`;
      })
      .join('|'),
  );
}

/** Polls `read` until `accept` holds, returning the last value; fails with `what` after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (last value: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

/**
 * runCommand for a command that the palette may not list yet: until the extension host has read the
 * extension's contributions, the palette answers "No matching commands" and does not refresh, so it is
 * closed and opened again until the command shows.
 */
export async function runCommandWhenListed(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input');
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`).first();
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await page.keyboard.press('Escape');
    }
  }
}

/** A notification toast (bottom right) whose text contains `text`. */
export function notificationToast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/** An extension's status bar item, by the id the extension gave createStatusBarItem. */
export function statusBarItem(page: Page, id: string): Locator {
  return page.locator(`.statusbar-item[id$=".${id}"]`);
}

/** The rows of the open quick pick (command palette, a picker, an input box has none). */
export function quickPickRows(page: Page): Locator {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
}
