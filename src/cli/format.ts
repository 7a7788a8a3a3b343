/** Output formats of the CLI's inspect command: the documented JSON shape and a compact text table. */
import type { InspectResult, LayerAttention } from '../shared/types';

export interface InspectJson {
  model: { name: string; family: string; layers: number; heads: number; kvHeads: number; kvHeadOf: number[]; vocab: number; context: number };
  tokens: { id: number; text: string; start: number; end: number; special: boolean }[];
  attention: { layers: number[]; heads: number; size: number; data: number[][][][] };
  next: InspectResult['next'];
}

/** [layer][head][query][key], exactly the engine's float32 values. */
function nestAttention(layer: LayerAttention): number[][][] {
  const { heads, size, data } = layer;
  const out: number[][][] = [];
  for (let h = 0; h < heads; h++) {
    const rows: number[][] = [];
    for (let q = 0; q < size; q++) {
      const start = (h * size + q) * size;
      rows.push(Array.from(data.subarray(start, start + size)));
    }
    out.push(rows);
  }
  return out;
}

export function toInspectJson(result: InspectResult): InspectJson {
  const { model } = result;
  return {
    model: {
      name: model.name,
      family: model.family,
      layers: model.layers,
      heads: model.heads,
      kvHeads: model.kvHeads,
      kvHeadOf: model.kvHeadOf,
      vocab: model.vocab,
      context: model.context,
    },
    tokens: result.tokens.map(({ id, text, start, end, special }) => ({ id, text, start, end, special })),
    attention: {
      layers: result.attention.map((a) => a.layer),
      heads: model.heads,
      size: result.tokens.length,
      data: result.attention.map(nestAttention),
    },
    next: result.next,
  };
}

export function formatInspectJson(result: InspectResult): string {
  return `${JSON.stringify(toInspectJson(result))}\n`;
}

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

/** Guesses per line in the text table (--json carries all top-k). */
const TEXT_TOP = 3;

/** One line per token: what the model guessed next, and how likely it found the token that follows. */
export function formatInspectText(result: InspectResult): string {
  const { model, tokens, next } = result;
  const shownTop = Math.min(TEXT_TOP, next[0]?.top.length ?? TEXT_TOP);
  const lines = [
    `${model.name} (${model.family}): ${model.layers} layers, ${model.heads} heads (${model.kvHeads} kv), vocab ${model.vocab}, context ${model.context}` +
      (model.weights && model.weights !== 'float32' ? `, ${model.weights} weights` : ''),
    `${tokens.length} tokens; run ${result.timings.runMs.toFixed(1)} ms`,
    '',
    `pos  token            ${`next: top ${shownTop}`.padEnd(44)} actual (p, rank)   entropy`,
  ];
  tokens.forEach((token, i) => {
    const info = next[i];
    const shown = JSON.stringify(token.text).slice(1, -1);
    const top = info ? info.top.slice(0, shownTop).map((t) => `${JSON.stringify(t.text)} ${pct(t.p)}`).join(', ') : '';
    const actual = info?.actual ? `${pct(info.actual.p)} #${info.actual.rank}` : '';
    const entropy = info ? info.entropy.toFixed(2) : '';
    lines.push(`${String(i).padStart(3)}  ${shown.padEnd(16)} ${top.padEnd(44)} ${actual.padEnd(18)} ${entropy}`);
  });
  return `${lines.join('\n')}\n`;
}
