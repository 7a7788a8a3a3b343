/**
 * Holds the layers' attention for the current result, and accounts for every byte: raw layers as they
 * arrived (never copied), plus derived matrices (head means) capped at a fraction of the raw bytes, so the
 * panel holds at most (1 + DERIVED_FRACTION) x the raw size of the layers it keeps. Beyond a byte budget,
 * layers the views do not need are dropped, least recently used first; needed layers always stay.
 */
import { headMatrix, meanOfHeads } from './attentionMath';

export interface CachedLayer {
  layer: number;
  heads: number;
  size: number;
  /** [heads, T, T] row-major, rows = queries; the very array the host message carried. */
  data: Float32Array;
}

/** Derived matrices may add at most this fraction of the raw bytes held. */
export const DERIVED_FRACTION = 0.2;
/** Unneeded layers stay cached while the raw total is under this (a T=1024, 12-head layer is 48 MB). */
export const DEFAULT_BUDGET_BYTES = 200 * 1024 * 1024;

interface Derived {
  key: string;
  layer: number;
  matrix: Float32Array;
}

export class LayerCache {
  private runId: number | null = null;
  private readonly layers = new Map<number, CachedLayer>();
  /** Most recently used last. */
  private derived: Derived[] = [];

  constructor(private readonly budgetBytes = DEFAULT_BUDGET_BYTES) {}

  /** Forgets everything: a new result makes old layers useless. */
  reset(runId: number | null): void {
    this.runId = runId;
    this.layers.clear();
    this.derived = [];
  }

  get currentRunId(): number | null {
    return this.runId;
  }

  put(entry: CachedLayer): void {
    this.drop(entry.layer);
    this.layers.set(entry.layer, entry);
  }

  has(layer: number): boolean {
    return this.layers.has(layer);
  }

  /** The layer, marked as recently used. */
  get(layer: number): CachedLayer | undefined {
    const entry = this.layers.get(layer);
    if (entry) {
      this.layers.delete(layer);
      this.layers.set(layer, entry);
    }
    return entry;
  }

  heldLayers(): number[] {
    return [...this.layers.keys()].sort((a, b) => a - b);
  }

  /**
   * The [T, T] matrix for a head selection of a cached layer: one head is a view into the layer; several
   * (or none = all) are their mean, cached while the derived budget allows and recomputed otherwise.
   */
  matrix(layer: number, heads: readonly number[]): Float32Array | undefined {
    const entry = this.get(layer);
    if (!entry) return undefined;
    if (heads.length === 1) return headMatrix(entry.data, entry.size, heads[0]);
    const selected = heads.length === 0 ? Array.from({ length: entry.heads }, (_, h) => h) : heads;
    const key = `${layer}:${selected.join(',')}`;
    const hit = this.derived.findIndex((d) => d.key === key);
    if (hit >= 0) {
      const [d] = this.derived.splice(hit, 1);
      this.derived.push(d);
      return d.matrix;
    }
    const matrix = meanOfHeads(entry.data, entry.size, selected, new Float32Array(entry.size * entry.size));
    this.remember({ key, layer, matrix });
    return matrix;
  }

  /** One weight of a head selection (mean when several or none), without building the whole matrix. */
  weightAt(layer: number, heads: readonly number[], query: number, key: number): number | undefined {
    const entry = this.layers.get(layer);
    if (!entry || query < 0 || key < 0 || query >= entry.size || key >= entry.size) return undefined;
    const n = entry.size * entry.size;
    const at = query * entry.size + key;
    if (heads.length === 0) {
      let sum = 0;
      for (let h = 0; h < entry.heads; h++) sum += entry.data[h * n + at];
      return sum / entry.heads;
    }
    let sum = 0;
    for (const h of heads) sum += entry.data[h * n + at];
    return sum / heads.length;
  }

  rawBytes(): number {
    let n = 0;
    for (const entry of this.layers.values()) n += entry.data.byteLength;
    return n;
  }

  derivedBytes(): number {
    return this.derived.reduce((n, d) => n + d.matrix.byteLength, 0);
  }

  /**
   * Drops unneeded layers (least recently used first) until the raw bytes fit the budget; returns the
   * dropped layer numbers so their status can go back to "absent".
   */
  trim(needed: ReadonlySet<number>): number[] {
    const dropped: number[] = [];
    for (const layer of [...this.layers.keys()]) {
      if (this.rawBytes() <= this.budgetBytes) break;
      if (needed.has(layer)) continue;
      this.drop(layer);
      dropped.push(layer);
    }
    return dropped;
  }

  /** Drops one layer and whatever was derived from it. */
  drop(layer: number): void {
    this.layers.delete(layer);
    this.derived = this.derived.filter((d) => d.layer !== layer);
  }

  private remember(d: Derived): void {
    const limit = DERIVED_FRACTION * this.rawBytes();
    if (d.matrix.byteLength > limit) return;
    this.derived.push(d);
    while (this.derivedBytes() > limit) this.derived.shift();
  }
}
