/**
 * Next token: the text with each token tinted by how likely the model found it, and for the hovered or
 * keyboard-selected token its top-k next-token guesses as bars, the token that actually follows (with its
 * probability and rank, also outside the top-k) and the entropy.
 */
import { paintChips } from './arcPainter';
import type { TokenBoxes } from './arcLayout';
import { readableOn, rgbCss } from './color';
import { LegendCanvas, SchemePicker } from './controls';
import { DisposableStore } from './disposable';
import { h } from './dom';
import type { LegendSpec } from './legend';
import { nextSummary, tokenProbabilities } from './nextTokenModel';
import { paintNextDetails, renderNextDetails } from './nextTokenDetails';
import { focusedToken, type AppState, type DataState } from './state';
import { TokenFlow } from './tokenFlow';
import type { ExportPicture, PanelView, RenderEnv, ViewDeps } from './viewTypes';

const LEGEND: LegendSpec = { kind: 'scale', label: 'Probability of each token given the text before it', max: 1, format: 'percent' };
const DETAILS_WIDTH = 300;

export class NextTokenView implements PanelView {
  readonly element: HTMLElement;
  private readonly store = new DisposableStore();
  private readonly schemePicker: SchemePicker;
  private readonly legend = new LegendCanvas();
  private readonly body: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly flow: TokenFlow;
  private readonly details = h('aside', { className: 'next-details', attrs: { 'aria-live': 'polite', 'aria-label': 'Next-token probabilities' } });
  private tintKey = '';
  private detailsKey = '';
  private last: { state: AppState; data: DataState; env: RenderEnv } | null = null;

  constructor(private readonly deps: ViewDeps) {
    this.schemePicker = this.store.add(new SchemePicker((scheme) => deps.dispatch({ type: 'setColorScheme', scheme })));
    this.flow = this.store.add(
      new TokenFlow('Tokens; arrow keys move and show the next-token guesses, Enter locks', {
        hover: (index) => deps.dispatch({ type: 'hoverToken', index }),
        pick: (index) => {
          deps.dispatch({ type: 'clickToken', index });
          deps.reveal(index);
        },
        escape: () => deps.dispatch({ type: 'unlock' }),
      }),
    );
    this.stage = h('div', { className: 'next-stage' }, [this.flow.element]);
    this.body = h('div', { className: 'view-body next-body', attrs: { 'data-export-surface': '' } }, [h('div', { className: 'view-scroll' }, [this.stage]), this.details]);
    this.details.style.width = `${DETAILS_WIDTH}px`;
    const controls = h('div', { className: 'view-controls' }, [this.schemePicker.element, h('div', { className: 'control-spacer' }), this.legend.element]);
    this.element = h('section', { className: 'view next-view', attrs: { 'aria-label': 'Next token' } }, [controls, this.body]);
  }

  render(state: AppState, data: DataState, env: RenderEnv): boolean {
    this.last = { state, data, env };
    const { tokens, next } = data.result;
    this.schemePicker.update(state.colorScheme);
    this.legend.update(LEGEND, env.palette, env.scale, env.colorVersion);
    const rebuilt = this.flow.setTokens(tokens, data.result.text);
    const tintKey = `${data.result.runId}|${env.colorVersion}`;
    if (rebuilt || tintKey !== this.tintKey) {
      this.tintKey = tintKey;
      const { backgrounds, texts } = this.tints(data, env);
      this.flow.setTints(backgrounds, texts);
    }
    this.flow.setMarks(state.hoverToken, state.lockedToken);
    const focus = focusedToken(state);
    const detailsKey = `${data.result.runId}|${focus}|${state.settings.topK}`;
    if (detailsKey !== this.detailsKey) {
      this.detailsKey = detailsKey;
      const info = focus === null ? undefined : next.find((n) => n.position === focus);
      renderNextDetails(this.details, info ? nextSummary(info, tokens, state.settings.topK) : null, tokens.length);
    }
    return next.length > 0;
  }

  exportPicture(): ExportPicture | null {
    const snap = this.last;
    if (!snap) return null;
    const { state, data, env } = snap;
    const boxes: TokenBoxes = this.flow.measure(this.stage);
    const font = this.flow.canvasFont();
    const focus = focusedToken(state);
    const info = focus === null ? undefined : data.result.next.find((n) => n.position === focus);
    const summary = info ? nextSummary(info, data.result.tokens, state.settings.topK) : null;
    const width = this.body.clientWidth;
    // The text or the bars, whichever is taller; not the empty rest of the panel.
    const last = this.details.lastElementChild as HTMLElement | null;
    const detailsHeight = summary && last ? last.offsetTop + last.offsetHeight : 0;
    const height = Math.max(this.stage.offsetHeight, detailsHeight) + 12;
    const stageWidth = width - DETAILS_WIDTH;
    const { backgrounds, texts } = this.tints(data, env);
    return {
      width,
      height,
      layer: 'none',
      heads: 'none',
      legend: LEGEND,
      paint: (ctx) => {
        ctx.fillStyle = rgbCss(env.palette.background);
        ctx.fillRect(0, 0, width, height);
        for (let i = 0; i < boxes.count; i++) {
          const bg = backgrounds[i];
          if (!bg) continue;
          ctx.fillStyle = bg;
          ctx.fillRect(boxes.cx[i] - boxes.width[i] / 2, boxes.top[i], boxes.width[i], boxes.bottom[i] - boxes.top[i]);
        }
        paintChips(ctx, data.result.tokens, boxes, env.palette, font, { hover: state.hoverToken, locked: state.lockedToken }, texts);
        if (summary) paintNextDetails(ctx, summary, stageWidth + 16, 12, DETAILS_WIDTH - 28, env.palette, rgbCss(env.palette.accents[0] ?? env.palette.foreground));
      },
    };
  }

  dispose(): void {
    this.store.dispose();
  }

  private tints(data: DataState, env: RenderEnv): { backgrounds: (string | null)[]; texts: (string | null)[] } {
    const probs = tokenProbabilities(data.result.next, data.result.tokens.length);
    const dark = env.palette.kind === 'dark' || env.palette.kind === 'high-contrast';
    const light: readonly [number, number, number] = dark ? env.palette.foreground : env.palette.background;
    const darkText: readonly [number, number, number] = dark ? env.palette.background : env.palette.foreground;
    const backgrounds = probs.map((p) => (p === null ? null : env.scale.cssAt(p)));
    const texts = probs.map((p) => (p === null ? null : rgbCss(readableOn(env.scale.rgbAt(p), darkText, light))));
    return { backgrounds, texts };
  }
}
