/** The bars of one position's next-token guesses, as DOM (readable, selectable) and as a canvas painter. */
import { rgbCss } from './color';
import { h } from './dom';
import type { NextSummary } from './nextTokenModel';
import type { ThemePalette } from './themePalette';

export function renderNextDetails(container: HTMLElement, summary: NextSummary | null, tokenCount: number): void {
  if (!summary) {
    container.replaceChildren(h('p', { className: 'next-hint', text: 'Hover a token, or focus the text and use the arrow keys, to see what the model expected next.' }));
    return;
  }
  const rows = summary.rows.map((r) =>
    h('li', { className: `next-row${r.isActual ? ' is-actual' : ''}`, attrs: { title: r.isActual ? 'the token that actually follows' : '' } }, [
      h('span', { className: 'next-rank', text: String(r.rank) }),
      h('span', { className: 'next-label', text: r.label }),
      barElement(r.p),
      h('span', { className: 'next-p', text: r.percent }),
    ]),
  );
  const parts: Node[] = [
    h('h3', { className: 'next-heading' }, [`After ${summary.after}`, h('span', { className: 'next-position', text: `token ${summary.position} of ${tokenCount}` })]),
    h('ol', { className: 'next-bars', attrs: { 'aria-label': 'Most likely next tokens' } }, rows),
  ];
  if (summary.actual) {
    const a = summary.actual;
    parts.push(
      h('p', { className: `next-actual${a.inTop ? '' : ' is-outside'}` }, [
        h('span', { className: 'next-actual-caption', text: 'Actual next ' }),
        h('span', { className: 'next-actual-label', text: a.label }),
        h('span', { className: 'next-actual-p', text: ` ${a.percent}` }),
        h('span', { className: 'next-actual-rank', text: ` · rank ${a.rank}` }),
      ]),
    );
  } else {
    parts.push(h('p', { className: 'next-actual', text: 'Last token: nothing follows in the text.' }));
  }
  parts.push(h('p', { className: 'next-entropy' }, [h('span', { className: 'next-actual-caption', text: 'Entropy ' }), summary.entropy]));
  container.replaceChildren(...parts);
}

function barElement(p: number): HTMLElement {
  const fill = h('span', { className: 'next-fill' });
  fill.style.width = `${Math.max(0.5, p * 100)}%`;
  return h('span', { className: 'next-bar', attrs: { 'aria-hidden': 'true' } }, [fill]);
}

const DETAILS_ROW = 20;

/** Paints the same details onto a canvas (for exports); returns the height used. */
export function paintNextDetails(ctx: CanvasRenderingContext2D, summary: NextSummary, x: number, y: number, width: number, palette: ThemePalette, accent: string): number {
  ctx.save();
  const font = `${palette.fontSize}px ${palette.fontFamily}`;
  ctx.font = `600 ${font}`;
  ctx.fillStyle = rgbCss(palette.foreground);
  ctx.textBaseline = 'middle';
  ctx.fillText(`After ${summary.after}`, x, y + DETAILS_ROW / 2, width);
  let at = y + DETAILS_ROW + 6;
  ctx.font = font;
  const labelW = width * 0.35;
  const pctW = 52;
  const barW = Math.max(20, width - 24 - labelW - pctW);
  for (const r of summary.rows) {
    const mid = at + DETAILS_ROW / 2;
    if (r.isActual) {
      ctx.fillStyle = rgbCss(palette.focus, 0.18);
      ctx.fillRect(x - 2, at, width + 4, DETAILS_ROW);
    }
    ctx.fillStyle = rgbCss(palette.muted);
    ctx.fillText(String(r.rank), x, mid);
    ctx.fillStyle = rgbCss(palette.foreground);
    ctx.fillText(r.label, x + 24, mid, labelW - 4);
    ctx.fillStyle = accent;
    ctx.fillRect(x + 24 + labelW, mid - 5, Math.max(1, barW * r.p), 10);
    ctx.fillStyle = rgbCss(palette.foreground);
    ctx.textAlign = 'right';
    ctx.fillText(r.percent, x + width, mid);
    ctx.textAlign = 'left';
    at += DETAILS_ROW;
  }
  ctx.fillStyle = rgbCss(palette.foreground);
  const a = summary.actual;
  const actual = a ? `Actual next ${a.label} ${a.percent} · rank ${a.rank}` : 'Last token: nothing follows in the text.';
  ctx.fillText(actual, x, at + DETAILS_ROW / 2 + 4, width);
  ctx.fillText(`Entropy ${summary.entropy}`, x, at + DETAILS_ROW * 1.5 + 8, width);
  ctx.restore();
  return at + DETAILS_ROW * 2 + 12 - y;
}
