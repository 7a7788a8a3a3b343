/**
 * Sorts failures into what the person should see: cancellations (silent), problems they can fix (the
 * engine's own message), and internal failures (the message plus a pointer to the log). Pure.
 */
import { EngineError, type ErrorCode } from '../shared/errors';

/** A problem found by the extension host itself that the person can act on (no editor, bad arguments, …). */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export type ErrorKind = 'cancelled' | 'user' | 'internal';

export interface ErrorDescription {
  kind: ErrorKind;
  /** The engine's code, or HOST for failures raised in the extension host. */
  code: ErrorCode | 'HOST';
  /** The message as a sentence: capitalised and ending with punctuation. */
  message: string;
  /** Choosing another model (or model folder) may fix it. */
  suggestsOtherModel: boolean;
}

const USER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'EMPTY_INPUT',
  'TOO_LONG',
  'BAD_INPUT',
  'MODEL_NOT_FOUND',
  'CORRUPT_MODEL',
  'TOKENIZER_MISMATCH',
  'UNSUPPORTED',
]);

const MODEL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['MODEL_NOT_FOUND', 'CORRUPT_MODEL', 'TOKENIZER_MISMATCH', 'UNSUPPORTED']);

/**
 * The engine writes messages as clauses ("the text is empty: …"); notifications read better as sentences.
 * A clause that starts with a name (test-org/tiny, model.safetensors, gpt2) keeps it as written.
 */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'Something went wrong.';
  const firstWord = trimmed.split(/\s/, 1)[0] ?? '';
  const plainWord = /^[a-z]+[,:;]?$/.test(firstWord);
  const capitalised = plainWord ? trimmed[0].toUpperCase() + trimmed.slice(1) : trimmed;
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

export function describeError(err: unknown): ErrorDescription {
  if (err instanceof EngineError) {
    const message = asSentence(err.message);
    if (err.code === 'CANCELLED') return { kind: 'cancelled', code: err.code, message, suggestsOtherModel: false };
    const kind: ErrorKind = USER_CODES.has(err.code) ? 'user' : 'internal';
    return { kind, code: err.code, message, suggestsOtherModel: MODEL_CODES.has(err.code) };
  }
  if (err instanceof UserError) return { kind: 'user', code: 'HOST', message: asSentence(err.message), suggestsOtherModel: false };
  const raw = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', code: 'HOST', message: asSentence(raw.split('\n', 1)[0] ?? ''), suggestsOtherModel: false };
}

/**
 * The token count in the engine's TOO_LONG message ("the input is 700 tokens but stories260K takes at most
 * 512"), when it names one; the message for a text far beyond the context names only characters.
 */
export function tooLongTokenCount(message: string): number | undefined {
  const match = /\bis (\d+) tokens\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}
