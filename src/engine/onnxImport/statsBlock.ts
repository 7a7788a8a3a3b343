/**
 * The next-token statistics of graph/names.ts appended to an imported graph: the same computation as
 * nextTokenStats in graph/decoderBlocks.ts (log Z, entropy, top-k, the actual token's logit and rank), but
 * written through GraphEditor so that each op takes the form the file's own opset defines (axes as
 * attribute or input), since an imported graph cannot be moved to our opset without changing its other ops.
 */
import { onnx } from 'onnx-proto';
import * as io from '../graph/names';
import type { GraphEditor } from './graphEditor';

/** `logits` float32 [1, T, vocab]; `nextIds` int64 [1, T]; `topK` int64 [1]. */
export function appendNextTokenStats(editor: GraphEditor, logits: string, nextIds: string, topK: string): void {
  const logZ = editor.reduceLast('ReduceLogSumExp', logits, io.NEXT_LOG_Z);
  // H = log Z - sum(p * x) with p = softmax(x)
  const probs = editor.add('Softmax', [logits], 1, { axis: { int: -1 } })[0];
  const expected = editor.reduceLast('ReduceSum', editor.add('Mul', [probs, logits])[0]);
  editor.add('Sub', [logZ, expected], [io.NEXT_ENTROPY]);
  editor.add('TopK', [logits, topK], [io.NEXT_TOP_LOGITS, io.NEXT_TOP_IDS], {
    axis: { int: -1 },
    largest: { int: 1 },
    sorted: { int: 1 },
  });
  const index = editor.unsqueeze(nextIds, [2]);
  const actual = editor.add('GatherElements', [logits, index], [io.NEXT_ACTUAL_LOGIT], { axis: { int: 2 } })[0];
  const larger = editor.cast(editor.add('Greater', [logits, actual])[0], onnx.TensorProto.DataType.INT64);
  editor.reduceLast('ReduceSum', larger, io.NEXT_ACTUAL_LARGER);
}
