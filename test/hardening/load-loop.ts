export interface LoopOutcome<T> {
  readonly results: T[];
  /** Requests started (≤ count: the loop also stops at the deadline). */
  readonly started: number;
}

/**
 * A bounded load loop: `workers` concurrent senders, at most `count` requests in total and no new
 * request after `deadlineMs`. `send(i)` must not throw (it reports an outcome instead).
 */
export async function loadLoop<T>(options: {
  count: number;
  workers: number;
  deadlineMs: number;
  send: (i: number) => Promise<T>;
  onDone?: (done: number) => void;
}): Promise<LoopOutcome<T>> {
  const results: T[] = [];
  const stopAt = Date.now() + options.deadlineMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.workers }, async () => {
      while (next < options.count && Date.now() < stopAt) {
        const i = next++;
        results.push(await options.send(i));
        options.onDone?.(results.length);
      }
    }),
  );
  return { results, started: next };
}
