// Renders that are pure functions of (config, key) are kept per config object, the last `max`
// of them (least recently used goes first): every replica of a workload asks for the same ones.

export class RenderCache<V> {
  private readonly byConfig = new WeakMap<object, Map<string, V>>();

  constructor(private readonly max: number) {}

  /** The cached value for `key`, or `render()`'s; an undefined result is not kept. */
  get(config: object, key: string, render: () => V | undefined): V | undefined {
    let entries = this.byConfig.get(config);
    if (!entries) this.byConfig.set(config, (entries = new Map()));
    let value = entries.get(key);
    if (value !== undefined) entries.delete(key); // re-inserted below: Map order is the LRU order
    else value = render();
    if (value === undefined) return undefined;
    entries.set(key, value);
    if (entries.size > this.max) entries.delete(entries.keys().next().value!);
    return value;
  }
}
