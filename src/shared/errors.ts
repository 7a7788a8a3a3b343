/**
 * Every failure a person can act on is an EngineError with a stable code. It crosses the worker boundary
 * as plain data (see toErrorData / fromErrorData), so the extension, the CLI and tests all see the same
 * message and code, never a stack trace from inside onnxruntime.
 */
export type ErrorCode =
  | 'EMPTY_INPUT' // nothing to inspect
  | 'TOO_LONG' // more tokens than the model's context
  | 'BAD_INPUT' // malformed arguments (ids out of range, bad options)
  | 'MODEL_NOT_FOUND' // folder or file missing
  | 'CORRUPT_MODEL' // file exists but does not parse or disagrees with itself
  | 'TOKENIZER_MISMATCH' // tokenizer and model disagree
  | 'UNSUPPORTED' // a model or feature this build cannot handle
  | 'CANCELLED' // the caller cancelled the run
  | 'WORKER_CRASHED' // the engine worker died; it has been replaced
  | 'RUNTIME' // onnxruntime failed; message carries its own message only
  | 'INTERNAL';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorData {
  code: ErrorCode;
  message: string;
}

export function toErrorData(err: unknown): ErrorData {
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  // onnxruntime-web errors can carry a whole minified source line; keep the first line, bounded.
  const firstLine = message.split('\n', 1)[0] ?? '';
  return { code: 'INTERNAL', message: firstLine.length > 500 ? `${firstLine.slice(0, 500)}…` : firstLine };
}

export function fromErrorData(data: ErrorData): EngineError {
  return new EngineError(data.code, data.message);
}

export function isCancelled(err: unknown): boolean {
  return err instanceof EngineError && err.code === 'CANCELLED';
}
