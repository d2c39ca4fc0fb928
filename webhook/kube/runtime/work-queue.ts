// The keyed work queue of the controller machinery: bounded concurrency, one worker per key.
/**
 * A keyed work queue with bounded concurrency. A key is worked on by one worker at a time; adding a
 * key that is waiting replaces its item (the newest object wins), adding one that is in flight
 * runs it once more afterwards, because the object changed while we were writing it.
 */
export class KeyedWorkQueue<T> {
  private readonly waiting = new Map<string, T>();
  private readonly inFlight = new Set<string>();
  private readonly again = new Map<string, T>();
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly worker: (key: string, item: T) => Promise<void>,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }

  add(key: string, item: T): void {
    if (this.closed) return;
    if (this.inFlight.has(key)) this.again.set(key, item);
    else this.waiting.set(key, item);
    this.pump();
  }

  /** Drops a key that no longer needs work (its object was deleted). */
  forget(key: string): void {
    this.waiting.delete(key);
    this.again.delete(key);
  }

  get pending(): number {
    return this.waiting.size + this.inFlight.size + this.again.size;
  }

  /** Resolves once nothing waits and nothing is in flight. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Accepts nothing more, drops what waits, and resolves when the in-flight work is done. */
  close(): Promise<void> {
    this.closed = true;
    this.waiting.clear();
    this.again.clear();
    return this.idle();
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency) {
      const next = this.waiting.entries().next();
      if (next.done) break;
      const [key, item] = next.value;
      this.waiting.delete(key);
      this.inFlight.add(key);
      void this.worker(key, item)
        .catch(() => undefined) // workers handle their own errors; a throw must not stall the queue
        .finally(() => {
          this.inFlight.delete(key);
          const rerun = this.again.get(key);
          if (rerun !== undefined && !this.closed) this.waiting.set(key, rerun);
          this.again.delete(key);
          this.pump();
          if (this.pending === 0) this.idleWaiters.splice(0).forEach((r) => r());
        });
    }
  }
}
