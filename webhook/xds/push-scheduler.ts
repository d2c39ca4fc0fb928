// Debounced pushes: a burst of cluster changes (a rollout, a re-list) becomes one rebuild. A
// rebuild waits for `quietMs` without changes, but never more than `maxMs` after the first change
// it covers, so a cluster that never goes quiet still sees its changes pushed.

export class PushScheduler {
  private timer: NodeJS.Timeout | undefined;
  private firstChangeAt: number | undefined;
  private stopped = false;

  constructor(
    private readonly quietMs: number,
    private readonly maxMs: number,
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  changed(): void {
    if (this.stopped) return;
    const now = this.now();
    this.firstChangeAt ??= now;
    const due = Math.min(now + this.quietMs, this.firstChangeAt + this.maxMs);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), Math.max(0, due - now));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private run(): void {
    this.timer = undefined;
    this.firstChangeAt = undefined;
    this.fire();
  }
}
