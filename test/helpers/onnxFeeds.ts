/** Feeding and reading an imported ONNX graph in the import tests, as EngineModel does. */
import * as io from '../../src/engine/graph/names';
import type { ModelConfig } from '../../src/engine/model';
import { float32Tensor, int64Tensor, type Feeds, type Tensor } from '../../src/engine/runtime';

export const TOP_K = 5;

/** The feeds EngineModel.feeds builds: names.ts inputs for `ids` at positions from `start`, an empty or given past. */
export function engineFeeds(config: ModelConfig, ids: number[], start: number, past: Tensor[] | null): Feeds {
  const out: Feeds = {
    [io.INPUT_IDS]: int64Tensor(ids, [1, ids.length]),
    [io.POSITION_IDS]: int64Tensor(
      ids.map((_, i) => start + i),
      [1, ids.length],
    ),
    [io.NEXT_IDS]: int64Tensor(
      ids.map((_, i) => ids[i + 1] ?? 0),
      [1, ids.length],
    ),
    [io.TOP_K]: int64Tensor([TOP_K], [1]),
  };
  for (let l = 0; l < config.layers; l++) {
    const empty = (): Tensor => float32Tensor(new Float32Array(0), [1, config.kvHeads, 0, config.headDim]);
    out[io.pastKey(l)] = past ? past[2 * l] : empty();
    out[io.pastValue(l)] = past ? past[2 * l + 1] : empty();
  }
  return out;
}

/** The present.* outputs, in the order engineFeeds takes them as the next past. */
export function presents(outputs: Record<string, Tensor>, layers: number): Tensor[] {
  return Array.from({ length: layers }, (_, l) => [outputs[io.presentKey(l)], outputs[io.presentValue(l)]]).flat();
}
