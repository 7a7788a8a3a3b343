/**
 * The Markdown of the editor hover over an inspected token: the model's top guesses for the next token, with
 * bars, and how likely it found the token that actually follows. Pure, so formatting and escaping are tested.
 */
import type { NextTokenInfo, Token } from '../shared/types';

export interface HoverContent {
  /** The hovered token and where it is in the inspected text. */
  token: Token;
  index: number;
  tokenCount: number;
  /** The model's distribution for the token after it. */
  next: NextTokenInfo;
  /** The token that actually follows in the text, or null after the last one. */
  following: Token | null;
}

/** ASCII punctuation that Markdown (as VS Code renders it) may read as syntax; a backslash makes it literal. */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&]/g;

export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
}

/**
 * Token text as a person should read it in a hover: a leading space is part of most pieces and invisible
 * otherwise, so spaces show as "␣"; line breaks and tabs get their pictures too (the engine's labels already
 * do this, but a hover must never break its table whatever the label).
 */
export function visibleToken(text: string): string {
  if (text.length === 0) return '∅';
  return text.replace(/ /g, '␣').replace(/\r/g, '␍').replace(/\n/g, '↵').replace(/\t/g, '⇥');
}

/** Probabilities as percentages with the precision a person can use: 62.1%, 4.3%, 0.37%, <0.01%. */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p) || p <= 0) return '0%';
  const percent = p * 100;
  if (percent >= 99.95) return '100%';
  if (percent >= 1) return `${percent.toFixed(1)}%`;
  if (percent >= 0.01) return `${percent.toFixed(2)}%`;
  return '<0.01%';
}

const PARTIAL_BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `width` cells drawn with eighth blocks, so 62% and 65% look different even in a narrow column. */
export function probabilityBar(p: number, width = 10): string {
  const eighths = Math.round(Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0)) * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + PARTIAL_BLOCKS[eighths % 8];
}

function label(token: { text: string }): string {
  return escapeMarkdown(visibleToken(token.text));
}

export function hoverMarkdown(content: HoverContent): string {
  const { token, index, tokenCount, next, following } = content;
  const actual = next.actual;
  const lines: string[] = [
    `**${label(token)}** · token ${index + 1} of ${tokenCount} · what the model expects next`,
    '',
    '| # | next token | probability | |',
    '|--:|:--|--:|:--|',
  ];
  next.top.forEach((guess, i) => {
    const isActual = actual !== null && guess.id === actual.id;
    const text = isActual ? `**${label(guess)}** ✓` : label(guess);
    lines.push(`| ${i + 1} | ${text} | ${formatProbability(guess.p)} | ${probabilityBar(guess.p)} |`);
  });
  lines.push('');
  if (actual && following) {
    const inTop = next.top.some((guess) => guess.id === actual.id);
    const outside = inTop ? '' : ` (not in the top ${next.top.length})`;
    lines.push(`Actually follows: **${label(following)}**, ${formatProbability(actual.p)}, rank ${actual.rank}${outside}`);
  } else {
    lines.push('This is the last inspected token: nothing follows it in the text.');
  }
  lines.push('', `Entropy: ${Number.isFinite(next.entropy) ? next.entropy.toFixed(2) : '–'} nats`);
  return lines.join('\n');
}
