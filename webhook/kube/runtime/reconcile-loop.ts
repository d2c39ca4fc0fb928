// The reconcile loop: one pass at a time (single flight), the next one scheduled by the delay the
// pass returns, a failed pass retried by the one backoff policy (backoff.ts), and trigger() for
// "now". The serving-certificate controller and the Secret fallback controller run on it.
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';

export interface ReconcileLoop {
  /** Runs a pass as soon as the one in flight (if any) is done; resolves when it has run. */
  trigger(): Promise<void>;
  /** No new passes; resolves when the one in flight is done. */
  stop(): Promise<void>;
}

export interface ReconcileLoopOptions {
  /** One pass; resolves with the milliseconds until the next. */
  readonly pass: () => Promise<number>;
  /** Retry delays after failed passes (500 ms doubling up to the controller's resync period). */
  readonly backoff: BackoffPolicy;
  /** A pass threw: log it (`consecutive` ≥ 1, `retryInMs` as the policy decided). */
  readonly onError: (err: unknown, consecutive: number, retryInMs: number) => void;
}

/** The first retry delay of a failed pass. */
export const RECONCILE_RETRY_BASE_MS = 500;

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
        delay = backoffDelayMs(options.backoff, failures, err);
        options.onError(err, failures, delay);
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
