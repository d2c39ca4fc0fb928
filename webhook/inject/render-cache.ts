// Renders that are pure functions of (owner, key) are kept per owner object (a config, or a render
// they extend), the last `max` of them: every replica of a workload asks for the same ones. Map
// order is the eviction order (oldest first); a hit moves its entry to the back only once it has
// fallen into the older half, so the common hit costs one lookup and nothing else.

interface Entry<V> {
  readonly value: V;
  stamp: number;
}

export class RenderCache<V> {
  private readonly byOwner = new WeakMap<object, Map<string, Entry<V>>>();
  private clock = 0;

  constructor(private readonly max: number) {}

  /** The cached value for `key`, or `render()`'s; an undefined result is not kept. */
  get(owner: object, key: string, render: () => V | undefined): V | undefined {
    let entries = this.byOwner.get(owner);
    if (!entries) this.byOwner.set(owner, (entries = new Map()));
    const hit = entries.get(key);
    if (hit) {
      if (this.clock - hit.stamp > this.max / 2) {
        entries.delete(key);
        entries.set(key, hit);
        hit.stamp = ++this.clock;
      }
      return hit.value;
    }
    const value = render();
    if (value === undefined) return undefined;
    entries.set(key, { value, stamp: ++this.clock });
    if (entries.size > this.max) entries.delete(entries.keys().next().value!);
    return value;
  }
}
