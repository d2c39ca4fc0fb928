// Renders that are pure functions of (owner, key) are kept per owner object (a config, or a render
// they extend), the last `max` of them (least recently used goes first): every replica of a
// workload asks for the same ones.

export class RenderCache<V> {
  private readonly byOwner = new WeakMap<object, Map<string, V>>();

  constructor(private readonly max: number) {}

  /** The cached value for `key`, or `render()`'s; an undefined result is not kept. */
  get(owner: object, key: string, render: () => V | undefined): V | undefined {
    let entries = this.byOwner.get(owner);
    if (!entries) this.byOwner.set(owner, (entries = new Map()));
    let value = entries.get(key);
    if (value !== undefined) entries.delete(key); // re-inserted below: Map order is the LRU order
    else value = render();
    if (value === undefined) return undefined;
    entries.set(key, value);
    if (entries.size > this.max) entries.delete(entries.keys().next().value!);
    return value;
  }
}
