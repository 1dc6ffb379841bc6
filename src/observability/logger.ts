import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Log fields whose values never reach the log. Top-level keys only: pino's
 * wildcard paths (`*.password`) cost about 15 µs per line, more than the rest
 * of a statement's logging; the subscribers build flat records and never put
 * secrets in them, so this is a second line of defence.
 */
const REDACT_KEYS = ['password', 'secret', 'url', 'connectionString', 'token', 'authorization'];

const redact = { paths: REDACT_KEYS, censor: '[redacted]' };

/**
 * Structured JSON logs (one object per line); pretty-printed when `format` is
 * 'pretty', or 'auto' and stdout is a terminal. `destination` replaces stdout
 * (tests capture logs this way).
 */
export function createLogger(level = 'info', format: 'auto' | 'json' | 'pretty' | boolean = 'auto', destination?: DestinationStream): Logger {
  const pretty = format === true || format === 'pretty' || (format === 'auto' && destination === undefined && process.stdout.isTTY === true);
  if (pretty) {
    return pino({
      level,
      redact,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, redact, base: { pid: process.pid } }, destination ?? pino.destination({ dest: 1, sync: false }));
}

export const silentLogger: Logger = pino({ level: 'silent' });

/** Credentials inside URLs (`scheme://user:secret@host`) are replaced before SQL text is logged or kept. */
export function redactSqlText(sql: string): string {
  if (!sql.includes('://')) return sql;
  return sql.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s'"]+):[^@\s'"]*@/gi, '$1:[redacted]@');
}
