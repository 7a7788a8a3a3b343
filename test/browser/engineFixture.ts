/**
 * A real engine result for the panel tests: stories260K run in Node on a short story, shaped as the
 * host would send it (ResultMeta + one Float32Array per layer). Computed once per process.
 */
import path from 'node:path';
import { EngineModel } from '../../src/engine/engineModel';
import { loadLlama2cFolder } from '../../src/engine/formats/llama2c';
import { inspect } from '../../src/engine/inspect';
import type { ResultMeta, SourceInfo } from '../../src/shared/protocol';
import type { InspectResult } from '../../src/shared/types';

export const STORIES_DIR = process.env.STORIES260K_DIR ?? path.resolve(__dirname, '../../../shared/models/stories260K');

export const STORY =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.\n' +
  'One day, she saw a big dog. The dog was friendly and wagged its tail. Lily smiled and said, "Hello, dog!" 今天';

export interface EngineFixture {
  result: InspectResult;
  text: string;
  source: SourceInfo;
  /** The message payload for `result`, with the given run id. */
  meta(runId: number): ResultMeta;
  /** [heads, T, T] of one layer. */
  layer(layer: number): Float32Array;
}

const cache = new Map<string, Promise<EngineFixture>>();

/** The engine's result for `text` (default: the story), with `topK` next-token guesses per position. */
export function engineFixture(text = STORY, topK = 10): Promise<EngineFixture> {
  const key = `${topK}\u0000${text}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = compute(text, topK);
    cache.set(key, pending);
  }
  return pending;
}

async function compute(text: string, topK: number): Promise<EngineFixture> {
  const loaded = await loadLlama2cFolder(STORIES_DIR);
  const engine = await EngineModel.create(loaded.model, loaded.tokenizer);
  try {
    const result = await inspect(engine, { text }, { topK });
    const lines = text.split('\n').length;
    const source: SourceInfo = { fileName: 'story.md', uri: 'file:///home/reader/notes/story.md', startLine: 2, endLine: 2 + lines - 1, startOffset: 120, version: 3 };
    return {
      result,
      text,
      source,
      meta: (runId) => ({ runId, model: result.model, tokens: result.tokens, next: result.next, text, source, truncated: false }),
      layer: (layer) => {
        const found = result.attention.find((a) => a.layer === layer);
        if (!found) throw new Error(`the fixture has no layer ${layer}`);
        return found.data;
      },
    };
  } finally {
    engine.dispose();
  }
}

/** A text of exactly `tokens` tokens for stories260K (BOS included), cut from repeated stories. */
export async function textOfTokens(tokens: number): Promise<string> {
  const loaded = await loadLlama2cFolder(STORIES_DIR);
  const base = `${STORY.replace(' 今天', '')}\nThey played together all afternoon, running and laughing under the warm sun. When it was time to go home, Lily hugged the dog and promised to come back tomorrow.\n`;
  let text = base;
  while (loaded.tokenizer.encode(text).length < tokens + 8) text += base;
  const encoded = loaded.tokenizer.encode(text);
  const last = encoded[tokens - 1];
  return text.slice(0, last.end);
}
