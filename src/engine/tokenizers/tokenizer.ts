/**
 * The contract every tokenizer in the engine meets, whatever file it was read from (llama2.c tok*.bin today,
 * Hugging Face tokenizer.json later). The engine only ever talks to this interface.
 *
 * Ids outside 0..vocabSize-1 passed to label / decode / push are a caller error: EngineError('BAD_INPUT').
 */
import type { Token } from '../../shared/types';

export interface EncodeOptions {
  /** Prepend the model's BOS token when it has one (default true). */
  addBos?: boolean;
}

export interface DecoderOptions {
  /**
   * The id the first pushed id follows (e.g. the prompt's last token), for tokenizers whose output depends on
   * it: after BOS, sentencepiece drops a piece's leading space. Default: nothing precedes.
   */
  previousId?: number;
}

/** Turns a stream of ids into text as it becomes complete. */
export interface StreamingDecoder {
  /** Text completed by this id; bytes of a character split across byte tokens are held until it is whole. */
  push(id: number): string;
  /** Whatever is still held (an incomplete UTF-8 sequence becomes U+FFFD); the decoder can then be reused. */
  flush(): string;
}

export interface Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  /**
   * Encode exactly as the model's own tokenizer does. Every token carries [start, end) UTF-16 offsets into
   * `text`; special tokens (BOS/EOS) and text the tokenizer invents have empty spans. Empty text gives only
   * the BOS token (or nothing): refusing empty input is the caller's decision.
   */
  encode(text: string, options?: EncodeOptions): Token[];
  /** A readable label for one id on its own: control characters made visible, never mojibake. */
  label(id: number): string;
  /** A fresh streaming decoder. */
  decoder(options?: DecoderOptions): StreamingDecoder;
  /** The text of a whole id sequence, as the model's tokenizer would print it. */
  decode(ids: readonly number[]): string;
}

const CONTROL_PICTURE_BASE = 0x2400; // U+2400 "␀" .. U+241F "␟" picture the C0 controls

/**
 * Makes control characters visible so a label is never blank or layout-breaking: "\n" → "↵", "\t" → "⇥",
 * "\r" → "␍", other C0 controls → their Unicode control pictures, DEL → "␡", C1 controls → "\u0085"-style
 * escapes. Spaces and every other character are kept as they are.
 */
export function visibleText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += isControl(code) ? visibleControl(code) : text[i];
  }
  return out;
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function visibleControl(code: number): string {
  if (code === 0x0a) return '↵';
  if (code === 0x09) return '⇥';
  if (code < 0x20) return String.fromCharCode(CONTROL_PICTURE_BASE + code);
  if (code === 0x7f) return '␡';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A streaming decoder over a tokenizer's byte output: `bytesAfter(previous, id)` gives the bytes an id prints
 * after `previous` (-1 when nothing precedes); UTF-8 split across ids is held until its character is whole.
 */
export function byteStreamDecoder(bytesAfter: (previous: number, id: number) => Uint8Array, options: DecoderOptions = {}): StreamingDecoder {
  const utf8 = new TextDecoder('utf-8');
  let previous = options.previousId ?? -1;
  return {
    push: (id: number): string => {
      const bytes = bytesAfter(previous, id);
      previous = id;
      return bytes.length === 0 ? '' : utf8.decode(bytes, { stream: true });
    },
    flush: (): string => utf8.decode(),
  };
}

/** A whole id sequence through a fresh streaming decoder. */
export function decodeAll(tokenizer: Pick<Tokenizer, 'decoder'>, ids: readonly number[]): string {
  const stream = tokenizer.decoder();
  let text = '';
  for (const id of ids) text += stream.push(id);
  return text + stream.flush();
}
