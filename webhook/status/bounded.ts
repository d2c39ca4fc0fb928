// At most `limit` calls in flight: status reads every pod's proxy through the API server, and a
// big cluster must not open a connection per pod at once.

/** fn over every item, `limit` at a time; results in the items' order. fn's rejections reject the whole. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
