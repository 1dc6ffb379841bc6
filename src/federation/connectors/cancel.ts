import { PgError, SqlState } from '../../errors.js';
import { sourceTimeout } from '../errors.js';

/**
 * Watches one remote query: when the client's statement is interrupted
 * (`signal`) or the source's own time limit passes, `cancel` asks the source
 * to stop it. `failure()` then gives the error to raise instead of whatever
 * the driver reports.
 */
export class QueryWatch {
  private timer: NodeJS.Timeout | null = null;
  private reason: 'signal' | 'timeout' | null = null;
  private readonly onAbort = (): void => this.fire('signal');

  constructor(
    private readonly source: string,
    private readonly signal: AbortSignal | undefined,
    private readonly timeoutMs: number,
    private readonly cancel: () => void | Promise<void>,
  ) {
    if (signal?.aborted) this.reason = 'signal';
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (timeoutMs > 0) {
      this.timer = setTimeout(() => this.fire('timeout'), timeoutMs);
      this.timer.unref();
    }
  }

  private fire(reason: 'signal' | 'timeout'): void {
    if (this.reason) return;
    this.reason = reason;
    Promise.resolve()
      .then(this.cancel)
      .catch(() => undefined);
  }

  get stopped(): boolean {
    return this.reason !== null;
  }

  /** Throws when the query was stopped before it started. */
  check(): void {
    const f = this.failure();
    if (f) throw f;
  }

  /** The error for a stopped query, or null. */
  failure(): PgError | null {
    if (this.reason === 'timeout') return sourceTimeout(this.source, this.timeoutMs);
    if (this.reason === 'signal') return new PgError(SqlState.QueryCanceled, 'canceling statement due to user request');
    return null;
  }

  done(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
