/**
 * Tracks the panel's requestLayer messages: ids, the run each belongs to, how many are in flight, and a
 * deadline per request so a host that never answers still leaves the panel with an error and a retry.
 */

export interface PendingLayer {
  requestId: number;
  runId: number;
  layer: number;
}

export interface LayerRequestOptions {
  /** Sends the request (posts `requestLayer`). */
  send: (request: PendingLayer) => void;
  /** Called when a request got no answer in time; it is forgotten first. */
  onTimeout: (request: PendingLayer) => void;
  timeoutMs: number;
  /** Large layers take hundreds of ms each to transfer; a few at a time keeps the host responsive. */
  maxInFlight: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class LayerRequests {
  private nextId = 1;
  private readonly pending = new Map<number, { request: PendingLayer; timer: unknown }>();
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: LayerRequestOptions) {
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  inFlight(runId: number): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.request.runId === runId) n++;
    return n;
  }

  isPending(runId: number, layer: number): boolean {
    for (const p of this.pending.values()) if (p.request.runId === runId && p.request.layer === layer) return true;
    return false;
  }

  /** Sends a request unless one for this layer is pending or too many are in flight; returns whether it did. */
  request(runId: number, layer: number): boolean {
    if (this.isPending(runId, layer) || this.inFlight(runId) >= this.options.maxInFlight) return false;
    const request: PendingLayer = { requestId: this.nextId++, runId, layer };
    const timer = this.setTimer(() => {
      if (!this.pending.delete(request.requestId)) return;
      this.options.onTimeout(request);
    }, this.options.timeoutMs);
    this.pending.set(request.requestId, { request, timer });
    this.options.send(request);
    return true;
  }

  /** Removes and returns the request an answer refers to; undefined for unknown (late or foreign) ids. */
  settle(requestId: number): PendingLayer | undefined {
    const p = this.pending.get(requestId);
    if (!p) return undefined;
    this.clearTimer(p.timer);
    this.pending.delete(requestId);
    return p.request;
  }

  /** Forgets requests of other runs: their answers will find no pending entry and be ignored. */
  keepOnly(runId: number): void {
    for (const [id, p] of this.pending) {
      if (p.request.runId === runId) continue;
      this.clearTimer(p.timer);
      this.pending.delete(id);
    }
  }

  dispose(): void {
    for (const p of this.pending.values()) this.clearTimer(p.timer);
    this.pending.clear();
  }
}
