/**
 * The first part of a too-long text that fits the model: the engine counts tokens by tokenizing, so each
 * probe is an inspect with no layers and no next-token probabilities (tokenizing only, no forward pass).
 * Plain Node (the engine client, no vscode), so it is tested against the real engine.
 */
import type { EngineClient } from '../engine/client';
import type { ModelSource } from '../engine/workerProtocol';
import { EngineError } from '../shared/errors';
import type { ModelInfo } from '../shared/types';
import { tooLongTokenCount, UserError } from './errorReport';
import { longestFittingPrefix, type PrefixFit } from './longestPrefix';

export interface FirstPart {
  model: ModelInfo;
  /** The whole text's token count, when the engine's message named it. */
  tokens: number | undefined;
  fit: PrefixFit;
}

export function isTooLong(err: unknown): err is EngineError {
  return err instanceof EngineError && err.code === 'TOO_LONG';
}

/** `tooLong` is the engine's TOO_LONG error for the whole text. */
export async function findFirstPart(
  engine: Pick<EngineClient, 'load' | 'inspect'>,
  source: ModelSource,
  text: string,
  tooLong: EngineError,
  signal?: AbortSignal,
): Promise<FirstPart> {
  const { info } = await engine.load(source, { signal });
  const tokens = tooLongTokenCount(tooLong.message);
  const count = async (length: number): Promise<number | null> => {
    try {
      const probe = await engine.inspect(source, { text: text.slice(0, length) }, { layers: [], next: false }, { signal });
      return probe.tokens.length;
    } catch (err) {
      if (isTooLong(err)) return tooLongTokenCount(err.message) ?? null;
      throw err;
    }
  };
  // Where the whole text's token density says the limit falls: usually within a few probes of the answer.
  const hint = tokens ? Math.floor((text.length * info.context) / tokens) : undefined;
  const fit = await longestFittingPrefix(text, info.context, count, hint);
  if (!fit) throw new UserError(`Not even the first character of the text fits in ${info.name}'s context of ${info.context} tokens.`);
  return { model: info, tokens, fit };
}
