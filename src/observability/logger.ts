import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs; pretty-printed when stdout is a terminal. Secrets are
 * redacted by key wherever they appear.
 */
export function createLogger(level = 'info', pretty = process.stdout.isTTY === true): Logger {
  const redact = {
    paths: ['password', '*.password', 'secret', '*.secret', 'url', '*.url', 'connectionString', '*.connectionString'],
    censor: '[redacted]',
  };
  if (pretty) {
    return pino({
      level,
      redact,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, redact, base: { pid: process.pid } });
}

export const silentLogger: Logger = pino({ level: 'silent' });
