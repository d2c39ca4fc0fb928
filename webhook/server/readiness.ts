/**
 * Readiness as a set of named conditions (certificates loaded, caches synced, not shutting down).
 * /readyz answers 200 only when every registered condition is true.
 */
export class Readiness {
  private readonly conditions = new Map<string, boolean>();

  require(name: string): void {
    if (!this.conditions.has(name)) this.conditions.set(name, false);
  }

  set(name: string, ready: boolean): void {
    this.conditions.set(name, ready);
  }

  get ready(): boolean {
    for (const ok of this.conditions.values()) if (!ok) return false;
    return true;
  }

  /** Conditions that are not yet true, for the /readyz body. */
  pending(): string[] {
    return [...this.conditions].filter(([, ok]) => !ok).map(([name]) => name);
  }
}
