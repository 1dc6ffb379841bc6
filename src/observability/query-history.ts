import type { GatewayObserver, StatementRecord } from './events.js';
import { redactSqlText } from './logger.js';

/** Query text kept per entry (PostgreSQL's track_activity_query_size is 1 kB). */
export const MAX_QUERY_TEXT = 4096;

export function truncateQuery(text: string): string {
  return text.length > MAX_QUERY_TEXT ? `${text.slice(0, MAX_QUERY_TEXT)}…` : text;
}

/** One finished statement as lakegate.query_history shows it. */
export interface HistoryEntry {
  seq: number;
  record: StatementRecord;
  /** The text as kept: truncated, credentials in URLs removed. */
  query: string;
}

/** The last N finished statements, in a ring buffer (oldest first when read). */
export class QueryHistory implements GatewayObserver {
  private readonly ring: (HistoryEntry | undefined)[];
  private next = 0;
  private seq = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<HistoryEntry | undefined>(capacity);
  }

  statementFinished(s: StatementRecord): void {
    if (this.capacity === 0) return;
    this.ring[this.next] = { seq: ++this.seq, record: s, query: truncateQuery(redactSqlText(s.query)) };
    this.next = (this.next + 1) % this.capacity;
  }

  /** Entries oldest first. */
  entries(): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const e = this.ring[(this.next + i) % this.capacity];
      if (e) out.push(e);
    }
    return out;
  }
}
