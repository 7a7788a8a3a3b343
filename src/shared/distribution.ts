/**
 * Pure helpers over one row of logits: the softmax normaliser, top-k, rank and entropy, computed in float64
 * without materialising the probability vector (a GPT-2 row has 50,257 entries and a text has hundreds).
 */

export interface RowStats {
  max: number;
  /** log of sum(exp(x - max)) over the row. */
  logSumExp: number;
  /** Entropy of softmax(row) in nats. */
  entropy: number;
}

/** Softmax statistics of row = logits[offset, offset + n). */
export function rowStats(logits: Float32Array, offset: number, n: number): RowStats {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = logits[offset + i];
    if (x > max) max = x;
  }
  let sum = 0;
  let weighted = 0; // sum(exp(x - max) * (x - max))
  for (let i = 0; i < n; i++) {
    const d = logits[offset + i] - max;
    const e = Math.exp(d);
    sum += e;
    weighted += e * d;
  }
  const logSumExp = Math.log(sum);
  // H = -sum p log p = logZ - E[x - max], with p = exp(x - max) / Z
  const entropy = logSumExp - weighted / sum;
  return { max, logSumExp, entropy };
}

export function probability(logit: number, stats: RowStats): number {
  return Math.exp(logit - stats.max - stats.logSumExp);
}

/**
 * Indices of the k largest values of row = values[offset, offset + n), largest first; ties keep the lower
 * index first. A size-k min-heap keeps this O(n log k).
 */
export function topKIndices(values: Float32Array, offset: number, n: number, k: number): number[] {
  const size = Math.min(k, n);
  if (size <= 0) return [];
  const heap: number[] = []; // min-heap of indices by (value asc, index desc)
  const worse = (a: number, b: number): boolean => {
    const va = values[offset + a];
    const vb = values[offset + b];
    return va < vb || (va === vb && a > b);
  };
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  const siftUp = (start: number): void => {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(heap[i], heap[parent])) return;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  for (let i = 0; i < n; i++) {
    if (heap.length < size) {
      heap.push(i);
      siftUp(heap.length - 1);
    } else if (worse(heap[0], i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}

/** 1-based rank of index `target` in the row: one more than the number of strictly larger values. */
export function rankOf(values: Float32Array, offset: number, n: number, target: number): number {
  const v = values[offset + target];
  let larger = 0;
  for (let i = 0; i < n; i++) if (values[offset + i] > v) larger++;
  return larger + 1;
}
