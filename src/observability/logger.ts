import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach the log, wherever they appear (two levels deep). */
const REDACT_KEYS = ['password', 'secret', 'url', 'connectionString', 'token', 'authorization'];

const redact = {
  paths: REDACT_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  censor: '[redacted]',
};

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
