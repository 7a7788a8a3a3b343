/**
 * Checks a result from the host before the views index into it. The protocol guard only checks that a
 * result is an object; a malformed one must become an error message, not an exception in a render loop.
 */
import type { ResultMeta } from '../shared/protocol';

const isInt = (v: unknown): v is number => Number.isInteger(v);

/** A message describing what is wrong, or null when the result is usable. */
export function resultProblem(result: ResultMeta): string | null {
  const m = result.model as Partial<ResultMeta['model']> | undefined;
  if (!isInt(result.runId)) return 'the result has no run id';
  if (!m || typeof m.name !== 'string' || !isInt(m.layers) || !isInt(m.heads) || m.layers < 1 || m.heads < 1) return 'the result has no valid model description';
  if (!Array.isArray(result.tokens) || result.tokens.length === 0) return 'the result has no tokens';
  if (result.tokens.some((t) => typeof t?.text !== 'string' || !isInt(t.id))) return 'the result has malformed tokens';
  if (!Array.isArray(result.next)) return 'the result has no next-token list';
  if (result.next.some((n) => !isInt(n?.position) || !Array.isArray(n.top) || n.position < 0 || n.position >= result.tokens.length)) return 'the result has malformed next-token entries';
  const s = result.source as Partial<ResultMeta['source']> | undefined;
  if (!s || typeof s.fileName !== 'string' || !isInt(s.startLine) || !isInt(s.endLine)) return 'the result has no source';
  return null;
}
