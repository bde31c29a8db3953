/**
 * The transaction ids a partition has sent to silver lately, to drop re-sent transactions.
 * Bounded: the oldest ids fall out first. Duplicates from a till's retry arrive within seconds,
 * on the same partition (same store key), far inside the horizon.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // Sets iterate in insertion order: the first one is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
