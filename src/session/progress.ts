import type { NoticeFields } from '../protocol/backend/notice.js';

/** The custom setting that turns progress notices on: `SET lakegate.progress = on`. */
export const PROGRESS_SETTING = 'lakegate.progress';

const ON = new Set(['on', 'true', 'yes', '1', 't', 'y']);

export function progressEnabled(value: string | undefined): boolean {
  return value !== undefined && ON.has(value.trim().toLowerCase());
}

/** What progress notices need from a session. */
export interface ProgressTarget {
  /** DuckDB's percentage done for the running query, or -1 when unknown. */
  progress(): number;
  notice(fields: Omit<NoticeFields, 'severity'> & { severity?: NoticeFields['severity'] }): void;
  /** Sends buffered output now (the notice arrives while the query still runs). */
  flush(): void;
}

/**
 * Sends `NOTICE: progress: 42%` at most once per interval while a statement
 * runs, and only when the whole percentage changed. NoticeResponse may come at
 * any time in the protocol, and each message is written whole, so the notices
 * interleave safely with rows being streamed.
 */
export class ProgressNotices {
  private timer: NodeJS.Timeout | null = null;
  private last = -1;

  constructor(
    private readonly target: ProgressTarget,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.stop();
    this.last = -1;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const p = this.target.progress();
    if (!(p >= 0 && p < 100)) return;
    const pct = Math.floor(p);
    if (pct === this.last) return;
    this.last = pct;
    this.target.notice({ code: '00000', message: `progress: ${pct}%` });
    this.target.flush();
  }
}
