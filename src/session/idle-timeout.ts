import { PgError, SqlState } from '../errors.js';
import type { TransactionStatus } from '../protocol/backend/status.js';
import { settingMillis, type SessionSettings } from './settings.js';

/**
 * PostgreSQL's idle_session_timeout and idle_in_transaction_session_timeout:
 * armed when the session sends ReadyForQuery, stopped by the next message;
 * when it fires the session ends with a FATAL error.
 */
export class IdleTimeout {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly settings: SessionSettings,
    private readonly terminate: (error: PgError) => void,
  ) {}

  arm(status: TransactionStatus): void {
    this.stop();
    const inTx = status !== 'I';
    const ms = settingMillis(this.settings.get(inTx ? 'idle_in_transaction_session_timeout' : 'idle_session_timeout') ?? '0');
    if (ms <= 0) return;
    const error = inTx
      ? new PgError('25P03', 'terminating connection due to idle-in-transaction timeout', { severity: 'FATAL' })
      : new PgError(SqlState.IdleSessionTimeout, 'terminating connection due to idle-session timeout', { severity: 'FATAL' });
    this.timer = setTimeout(() => this.terminate(error), ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
