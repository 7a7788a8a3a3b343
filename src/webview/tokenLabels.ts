/**
 * How a token reads in the panel. Leading spaces become a word gap rather than a character, control
 * characters get visible stand-ins, and quoted labels keep spaces so " upon" and "upon" stay distinct.
 */
import type { Token } from '../shared/types';

export interface TokenDisplay {
  text: string;
  /** The token starts a word (its text began with a space): drawn with a wider gap before it. */
  wordStart: boolean;
  /** The token contains a newline: the reading-order layout breaks the line after it. */
  lineBreak: boolean;
  special: boolean;
}

const VISIBLE: Record<string, string> = { '\n': '↵', '\r': '', '\t': '⇥' };

function visibleControls(text: string): string {
  return text.replace(/[\n\r\t]/g, (c) => VISIBLE[c] ?? c);
}

/**
 * Labels arrive with control characters already pictured ("↵"), so a newline is found through the token's
 * span in the inspected text when that text is given.
 */
export function displayToken(token: Token, sourceText?: string): TokenDisplay {
  const wordStart = !token.special && token.text.startsWith(' ');
  const body = visibleControls(wordStart ? token.text.slice(1) : token.text);
  const span = sourceText !== undefined && token.end > token.start ? sourceText.slice(token.start, token.end) : token.text;
  return {
    text: body.length > 0 ? body : '␣',
    wordStart,
    lineBreak: !token.special && span.includes('\n'),
    special: token.special,
  };
}

/** A label in curly quotes with controls made visible, e.g. “ upon” for the next-token bars and tooltips. */
export function quoteLabel(text: string): string {
  return `“${visibleControls(text)}”`;
}
