// A single-flight reconcile loop: one pass at a time, the next one scheduled by the delay the
// pass returns (or by onError after a failure), and trigger() for "now". Shared by the
// serving-certificate manager and the Secret fallback controller.

export interface ReconcileLoop {
  /** Runs a pass as soon as the one in flight (if any) is done; resolves when it has run. */
  trigger(): Promise<void>;
  /** No new passes; resolves when the one in flight is done. */
  stop(): Promise<void>;
}

export interface ReconcileLoopOptions {
  /** One pass; resolves with the milliseconds until the next. */
  readonly pass: () => Promise<number>;
  /** A pass threw: log it and return the milliseconds until the retry (`consecutive` ≥ 1). */
  readonly onError: (err: unknown, consecutive: number) => number;
}

export function startReconcileLoop(options: ReconcileLoopOptions): ReconcileLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let chain: Promise<void> = Promise.resolve();
  const run = (): Promise<void> => {
    chain = chain.then(async () => {
      if (stopped) return;
      clearTimeout(timer);
      let delay: number;
      try {
        delay = await options.pass();
        failures = 0;
      } catch (err) {
        failures += 1;
        delay = options.onError(err, failures);
      }
      if (stopped) return;
      timer = setTimeout(() => void run(), Math.max(0, delay));
      timer.unref();
    });
    return chain;
  };
  void run();
  return {
    trigger: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
    },
  };
}

/** Exponential retry delay: 500 ms, 1 s, 2 s, … capped at `maxMs`; 200 ms after a 409 Conflict. */
export function retryDelayMs(err: unknown, consecutive: number, maxMs: number): number {
  if ((err as { code?: unknown })?.code === 409) return 200;
  return Math.min(maxMs, 500 * 2 ** Math.min(consecutive - 1, 16));
}
