/**
 * Requests to the panel that expect an answer (export a PNG): each gets an id that the answer echoes, and
 * each ends, by the answer, by an error reply, by a timeout or by rejectAll, so nothing waits forever.
 * No vscode, so it is unit tested.
 */

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class RequestTracker<T> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<T>>();

  get size(): number {
    return this.pending.size;
  }

  /** A new request that fails with `onTimeout()` unless answered within `timeoutMs`. */
  start(timeoutMs: number, onTimeout: () => Error): { id: number; promise: Promise<T> } {
    const id = this.nextId++;
    const promise = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.reject(id, onTimeout()), timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    return { id, promise };
  }

  /** Ids still waiting for an answer, oldest first. */
  ids(): number[] {
    return [...this.pending.keys()];
  }

  has(id: number): boolean {
    return this.pending.has(id);
  }

  /** False when the request is unknown: already answered, timed out, or never made (a late or forged reply). */
  resolve(id: number, value: T): boolean {
    const entry = this.take(id);
    entry?.resolve(value);
    return entry !== undefined;
  }

  reject(id: number, error: Error): boolean {
    const entry = this.take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  rejectAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.reject(id, error);
  }

  private take(id: number): Pending<T> | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }
}
