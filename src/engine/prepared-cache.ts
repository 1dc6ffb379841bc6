import type { PreparedQuery } from './connection.js';

/**
 * A session's idle DuckDB prepared statements, by the exact SQL (and what
 * shaped it). Preparing (parse, bind, plan) costs more than running a small
 * query, and clients repeat the same statements: unnamed Parse per execution
 * (pgjdbc before prepareThreshold, `pgbench -M extended`), simple queries.
 * A statement taken from the cache is used by one portal at a time; destroying
 * it hands it back. DuckDB rebinds a prepared statement when the catalog changed.
 */
export class PreparedCache {
  private readonly idle = new Map<string, PreparedQuery>();
  private closed = false;

  constructor(private readonly capacity = 64) {}

  take(key: string): PreparedQuery | null {
    const q = this.idle.get(key);
    if (!q) return null;
    this.idle.delete(key);
    return q;
  }

  /** Keeps `q` for the next statement with the same key; disposes what no longer fits. */
  give(key: string, q: PreparedQuery): void {
    const held = this.idle.get(key);
    if (held === q) return;
    if (held || this.closed) {
      q.dispose();
      return;
    }
    this.idle.set(key, q);
    if (this.idle.size > this.capacity) {
      const oldest = this.idle.keys().next().value as string;
      const evicted = this.idle.get(oldest)!;
      this.idle.delete(oldest);
      evicted.dispose();
    }
  }

  /** Frees everything; statements handed back later are freed at once. */
  clear(): void {
    this.closed = true;
    for (const q of this.idle.values()) q.dispose();
    this.idle.clear();
  }

  get size(): number {
    return this.idle.size;
  }
}
