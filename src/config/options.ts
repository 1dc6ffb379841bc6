import { z } from 'zod';
import { serverSecurityShape } from '../catalog/sections/server.js';

/**
 * Every option of `lakegate serve`, declared once. The CLI builds its flags
 * from this list, the catalog's `server:` section is validated against it, and
 * the README's configuration table is checked against it by a test.
 *
 * Precedence: command-line flag > environment variable > catalog `server:` > default.
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface HttpListen {
  host: string;
  port: number;
}

export class OptionError extends Error {}

export interface OptionSpec<T> {
  /** camelCase key in the resolved configuration. */
  key: string;
  /** Flag with its argument, as commander takes it: `--http-port <addr>`. */
  flag: string;
  env: string;
  /** Key in the catalog's `server:` section, or null when the catalog cannot set it. */
  catalogKey: string | null;
  /** The default as shown to people. */
  defaultText: string;
  /** The default value; undefined means "computed elsewhere" (e.g. number of cores). */
  defaultValue: T | undefined;
  description: string;
  parse(raw: string): T;
}

function spec<T>(s: OptionSpec<T>): OptionSpec<T> {
  return s;
}

function integer(min: number, max: number, what: string): (raw: string) => number {
  return (raw) => {
    const s = raw.trim();
    if (!/^-?\d+$/.test(s)) throw new OptionError(`${what}: expected an integer, got "${raw}"`);
    const n = Number(s);
    if (n < min || n > max) throw new OptionError(`${what}: must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, min: 60_000, m: 60_000, h: 3_600_000 };

/** "30", "30s", "1.5min", "250ms" → milliseconds; `defaultUnit` applies to bare numbers. */
export function parseDuration(raw: string, defaultUnit: 'ms' | 's', what: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m?.[2]?.toLowerCase() || defaultUnit;
  const factor = DURATION_UNITS[unit];
  if (!m || factor === undefined) throw new OptionError(`${what}: expected a duration such as 30s, 500ms or 2min, got "${raw}"`);
  return Math.round(Number(m[1]) * factor);
}

/** `off`, `9187`, `0.0.0.0:9187`, `[::1]:9187` → where the HTTP listener binds (null = disabled). */
export function parseHttpListen(raw: string): HttpListen | null {
  const s = raw.trim();
  if (/^(off|false|no|none|disabled?)$/i.test(s)) return null;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s);
  const port = integer(0, 65535, 'http port');
  if (m) return { host: m[1] ?? m[2]!, port: port(m[3]!) };
  return { host: '127.0.0.1', port: port(s) };
}

function oneOf<T extends string>(values: readonly T[], what: string): (raw: string) => T {
  return (raw) => {
    const v = raw.trim().toLowerCase() as T;
    if (!values.includes(v)) throw new OptionError(`${what}: expected one of ${values.join(', ')}, got "${raw}"`);
    return v;
  };
}

function onOff(what: string): (raw: string) => boolean {
  return (raw) => {
    const v = raw.trim().toLowerCase();
    if (['on', 'true', 'yes', '1'].includes(v)) return true;
    if (['off', 'false', 'no', '0'].includes(v)) return false;
    throw new OptionError(`${what}: expected on or off, got "${raw}"`);
  };
}

function text(what: string): (raw: string) => string {
  return (raw) => {
    if (raw.trim() === '') throw new OptionError(`${what}: must not be empty`);
    return raw.trim();
  };
}

export const SERVE_OPTIONS = [
  spec<string>({
    key: 'catalog',
    flag: '--catalog <path>',
    env: 'LAKEGATE_CATALOG',
    catalogKey: null,
    defaultText: 'the example catalog',
    defaultValue: undefined,
    description: 'catalog directory or catalog.yaml',
    parse: text('catalog'),
  }),
  spec<string>({
    key: 'host',
    flag: '--host <host>',
    env: 'LAKEGATE_HOST',
    catalogKey: 'listen',
    defaultText: '127.0.0.1',
    defaultValue: '127.0.0.1',
    description: 'address the PostgreSQL protocol listens on',
    parse: text('host'),
  }),
  spec<number>({
    key: 'port',
    flag: '--port <port>',
    env: 'LAKEGATE_PORT',
    catalogKey: 'listen',
    defaultText: '5433',
    defaultValue: 5433,
    description: 'port the PostgreSQL protocol listens on (0 picks a free port)',
    parse: integer(0, 65535, 'port'),
  }),
  spec<HttpListen | null>({
    key: 'httpPort',
    flag: '--http-port <[host:]port|off>',
    env: 'LAKEGATE_HTTP_PORT',
    catalogKey: 'http_port',
    defaultText: '127.0.0.1:9187',
    defaultValue: { host: '127.0.0.1', port: 9187 },
    description: 'HTTP listener for /metrics, /healthz and /readyz; off disables it (when only the default is busy, lakegate starts without it and warns)',
    parse: parseHttpListen,
  }),
  spec<LogLevel>({
    key: 'logLevel',
    flag: '--log-level <level>',
    env: 'LAKEGATE_LOG_LEVEL',
    catalogKey: 'log_level',
    defaultText: 'info',
    defaultValue: 'info',
    description: `log level: ${LOG_LEVELS.join(', ')}`,
    parse: oneOf(LOG_LEVELS, 'log level'),
  }),
  spec<LogFormat>({
    key: 'logFormat',
    flag: '--log-format <format>',
    env: 'LAKEGATE_LOG_FORMAT',
    catalogKey: 'log_format',
    defaultText: 'auto',
    defaultValue: 'auto',
    description: 'json, pretty, or auto (pretty when stdout is a terminal)',
    parse: oneOf(['auto', 'json', 'pretty'] as const, 'log format'),
  }),
  spec<number>({
    key: 'logMinDuration',
    flag: '--log-min-duration <duration>',
    env: 'LAKEGATE_LOG_MIN_DURATION',
    catalogKey: 'log_min_duration',
    defaultText: '0',
    defaultValue: 0,
    description: 'log statements that ran at least this long (ms unless a unit is given); 0 logs all, -1 none (failed statements are always logged)',
    parse: (raw) => {
      const ms = parseDuration(raw, 'ms', 'log min duration');
      if (ms < -1) throw new OptionError('log min duration: must be -1, 0 or positive');
      return ms;
    },
  }),
  spec<number>({
    key: 'threads',
    flag: '--threads <n>',
    env: 'LAKEGATE_THREADS',
    catalogKey: 'threads',
    defaultText: 'number of cores',
    defaultValue: undefined,
    description: 'DuckDB worker threads',
    parse: integer(1, 1024, 'threads'),
  }),
  spec<string>({
    key: 'memoryLimit',
    flag: '--memory-limit <size>',
    env: 'LAKEGATE_MEMORY_LIMIT',
    catalogKey: 'memory_limit',
    defaultText: '80% of RAM',
    defaultValue: undefined,
    description: 'DuckDB memory limit, e.g. 4GB',
    parse: (raw) => {
      if (!/^\s*\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B|%)\s*$/i.test(raw)) throw new OptionError(`memory limit: expected a size such as 4GB or 512MB, got "${raw}"`);
      return raw.trim();
    },
  }),
  spec<string>({
    key: 'tempDirectory',
    flag: '--temp-directory <dir>',
    env: 'LAKEGATE_TEMP_DIRECTORY',
    catalogKey: 'temp_directory',
    defaultText: 'DuckDB default (.tmp in the working directory)',
    defaultValue: undefined,
    description: 'where DuckDB spills when a query exceeds memory',
    parse: text('temp directory'),
  }),
  spec<number>({
    key: 'maxConnections',
    flag: '--max-connections <n>',
    env: 'LAKEGATE_MAX_CONNECTIONS',
    catalogKey: 'max_connections',
    defaultText: '100',
    defaultValue: 100,
    description: 'maximum concurrent client connections',
    parse: integer(1, 100_000, 'max connections'),
  }),
  spec<number>({
    key: 'shutdownGraceMs',
    flag: '--shutdown-grace <duration>',
    env: 'LAKEGATE_SHUTDOWN_GRACE',
    catalogKey: 'shutdown_grace',
    defaultText: '30s',
    defaultValue: 30_000,
    description: 'on SIGTERM/SIGINT, how long running statements may finish before they are cancelled (seconds unless a unit is given)',
    parse: (raw) => {
      const ms = parseDuration(raw, 's', 'shutdown grace');
      if (ms < 0) throw new OptionError('shutdown grace: must not be negative');
      return ms;
    },
  }),
  spec<number>({
    key: 'replicaId',
    flag: '--replica-id <n>',
    env: 'LAKEGATE_REPLICA_ID',
    catalogKey: 'replica_id',
    defaultText: '0',
    defaultValue: 0,
    description: 'replica number 0-127, encoded in the top bits of each BackendKeyData process id so a load balancer can route CancelRequest (see docs/deploy.md)',
    parse: integer(0, 127, 'replica id'),
  }),
  spec<number>({
    key: 'queryHistorySize',
    flag: '--query-history-size <n>',
    env: 'LAKEGATE_QUERY_HISTORY_SIZE',
    catalogKey: 'query_history_size',
    defaultText: '1000',
    defaultValue: 1000,
    description: 'statements kept in lakegate.query_history (0 keeps none)',
    parse: integer(0, 1_000_000, 'query history size'),
  }),
  spec<boolean>({
    key: 'watch',
    flag: '--watch <on|off>',
    env: 'LAKEGATE_WATCH',
    catalogKey: 'watch',
    defaultText: 'on',
    defaultValue: true,
    description: 'reload the catalog when its file changes (SIGHUP always reloads)',
    parse: (raw) => {
      const v = raw.trim().toLowerCase();
      if (['on', 'true', 'yes', '1'].includes(v)) return true;
      if (['off', 'false', 'no', '0'].includes(v)) return false;
      throw new OptionError(`watch: expected on or off, got "${raw}"`);
    },
  }),
  spec<string>({
    key: 'systemSchema',
    flag: '--system-schema <name>',
    env: 'LAKEGATE_SYSTEM_SCHEMA',
    catalogKey: 'system_schema',
    defaultText: 'lakegate',
    defaultValue: 'lakegate',
    description: 'schema of the system views (query_history, sessions) and functions (cancel, terminate)',
    parse: (raw) => {
      const s = raw.trim();
      if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new OptionError(`system schema: expected a lower-case identifier, got "${raw}"`);
      return s;
    },
  }),
  // --- security and limits (docs/security.md); the catalog sets them under server.tls, server.auth and server.limits
  spec<string>({
    key: 'tlsCert',
    flag: '--tls-cert <file>',
    env: 'LAKEGATE_TLS_CERT',
    catalogKey: null,
    defaultText: 'catalog server.tls.cert',
    defaultValue: undefined,
    description: 'TLS certificate (PEM); with --tls-key, SSLRequest is answered with TLS',
    parse: text('tls cert'),
  }),
  spec<string>({
    key: 'tlsKey',
    flag: '--tls-key <file>',
    env: 'LAKEGATE_TLS_KEY',
    catalogKey: null,
    defaultText: 'catalog server.tls.key',
    defaultValue: undefined,
    description: 'TLS private key (PEM)',
    parse: text('tls key'),
  }),
  spec<boolean>({
    key: 'tlsRequired',
    flag: '--tls-required <on|off>',
    env: 'LAKEGATE_TLS_REQUIRED',
    catalogKey: null,
    defaultText: 'catalog server.tls.required, else off',
    defaultValue: undefined,
    description: 'refuse clear-text connections (FATAL 28000)',
    parse: onOff('tls required'),
  }),
  spec<boolean>({
    key: 'tlsSelfSigned',
    flag: '--tls-self-signed <on|off>',
    env: 'LAKEGATE_TLS_SELF_SIGNED',
    catalogKey: null,
    defaultText: 'catalog server.tls.self_signed, else off',
    defaultValue: undefined,
    description: 'generate a self-signed certificate at start-up (development only)',
    parse: onOff('tls self-signed'),
  }),
  spec<number>({
    key: 'statementTimeout',
    flag: '--statement-timeout <duration>',
    env: 'LAKEGATE_STATEMENT_TIMEOUT',
    catalogKey: null,
    defaultText: 'catalog server.limits.statement_timeout, else none',
    defaultValue: undefined,
    description: 'default statement_timeout of every session (ms unless a unit is given)',
    parse: (raw) => parseDuration(raw, 'ms', 'statement timeout'),
  }),
  spec<number>({
    key: 'maxStatementTimeout',
    flag: '--max-statement-timeout <duration>',
    env: 'LAKEGATE_MAX_STATEMENT_TIMEOUT',
    catalogKey: null,
    defaultText: 'catalog server.limits.max_statement_timeout, else none',
    defaultValue: undefined,
    description: 'upper bound for the statement_timeout clients set (ms unless a unit is given)',
    parse: (raw) => parseDuration(raw, 'ms', 'max statement timeout'),
  }),
  spec<number>({
    key: 'idleSessionTimeout',
    flag: '--idle-session-timeout <duration>',
    env: 'LAKEGATE_IDLE_SESSION_TIMEOUT',
    catalogKey: null,
    defaultText: 'catalog server.limits.idle_session_timeout, else none',
    defaultValue: undefined,
    description: 'end sessions idle this long with FATAL 57P05 (ms unless a unit is given)',
    parse: (raw) => parseDuration(raw, 'ms', 'idle session timeout'),
  }),
  spec<number>({
    key: 'maxResultRows',
    flag: '--max-result-rows <n>',
    env: 'LAKEGATE_MAX_RESULT_ROWS',
    catalogKey: null,
    defaultText: 'catalog server.limits.max_result_rows, else none',
    defaultValue: undefined,
    description: 'rows one statement may return before it fails with 54000 (0 = no limit)',
    parse: integer(0, Number.MAX_SAFE_INTEGER, 'max result rows'),
  }),
  spec<number>({
    key: 'maxQuerySize',
    flag: '--max-query-size <bytes>',
    env: 'LAKEGATE_MAX_QUERY_SIZE',
    catalogKey: null,
    defaultText: 'catalog server.limits.max_query_size, else none',
    defaultValue: undefined,
    description: 'longest statement text accepted (54000 beyond it)',
    parse: integer(1, Number.MAX_SAFE_INTEGER, 'max query size'),
  }),
  spec<number>({
    key: 'maxMessageSize',
    flag: '--max-message-size <bytes>',
    env: 'LAKEGATE_MAX_MESSAGE_SIZE',
    catalogKey: null,
    defaultText: 'catalog server.limits.max_message_size, else 64MB',
    defaultValue: undefined,
    description: 'largest protocol message accepted (FATAL 54000 beyond it)',
    parse: integer(1024, 1024 * 1024 * 1024, 'max message size'),
  }),
] as const;

/** The resolved `serve` configuration (undefined = computed by the component that uses it). */
export interface ServeConfig {
  catalog?: string;
  host: string;
  port: number;
  httpPort: HttpListen | null;
  logLevel: LogLevel;
  logFormat: LogFormat;
  logMinDuration: number;
  threads?: number;
  memoryLimit?: string;
  tempDirectory?: string;
  maxConnections: number;
  shutdownGraceMs: number;
  replicaId: number;
  queryHistorySize: number;
  watch: boolean;
  systemSchema: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsRequired?: boolean;
  tlsSelfSigned?: boolean;
  statementTimeout?: number;
  maxStatementTimeout?: number;
  idleSessionTimeout?: number;
  maxResultRows?: number;
  maxQuerySize?: number;
  maxMessageSize?: number;
}

/** Which layer each value came from (for the startup log). */
export type ValueSource = 'flag' | 'env' | 'catalog' | 'default';

export function optionSpec(key: string): OptionSpec<unknown> {
  const s = SERVE_OPTIONS.find((o) => o.key === key);
  if (!s) throw new Error(`no option ${key}`);
  return s as OptionSpec<unknown>;
}

// --- the catalog's server: section -------------------------------------------------

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

function checked(key: string): z.ZodType<string | undefined> {
  const s = SERVE_OPTIONS.find((o) => o.catalogKey === key)!;
  return scalar
    .superRefine((v, ctx) => {
      try {
        s.parse(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
      }
    })
    .optional();
}

/** The catalog's `server:` section: every key an option declares (values checked by the option's parser). */
export const serverSectionSchema = z
  .object({
    listen: z
      .string()
      .regex(/^(.*):(\d+)$/, 'expected host:port')
      .optional(),
    ...Object.fromEntries(
      SERVE_OPTIONS.filter((o) => o.catalogKey && o.catalogKey !== 'listen').map((o) => [o.catalogKey!, checked(o.catalogKey!)]),
    ),
    // TLS, login throttling and limits (docs/security.md), read by the gateway
    ...serverSecurityShape,
  })
  .strict();

export type ServerSection = Record<string, string | undefined>;

/** Values the catalog gives each option (already as raw strings). */
function catalogValues(section: ServerSection): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of SERVE_OPTIONS) {
    if (!o.catalogKey) continue;
    if (o.catalogKey === 'listen') {
      const m = section.listen ? /^(.*):(\d+)$/.exec(section.listen) : null;
      if (m) out.set(o.key, o.key === 'host' ? m[1]! : m[2]!);
    } else if (section[o.catalogKey] !== undefined) {
      out.set(o.key, section[o.catalogKey]!);
    }
  }
  return out;
}

/**
 * Layers the configuration: `given` holds what the command line or the
 * environment set (with its source), `section` the catalog's server: section.
 */
export function resolveServeConfig(
  given: Record<string, { value: unknown; source: 'flag' | 'env' } | undefined>,
  section: ServerSection,
): { config: ServeConfig; sources: Record<string, ValueSource> } {
  const fromCatalog = catalogValues(section);
  const config: Record<string, unknown> = {};
  const sources: Record<string, ValueSource> = {};
  for (const o of SERVE_OPTIONS) {
    const g = given[o.key];
    if (g && g.value !== undefined) {
      config[o.key] = g.value;
      sources[o.key] = g.source;
    } else if (fromCatalog.has(o.key)) {
      try {
        config[o.key] = o.parse(fromCatalog.get(o.key)!);
      } catch (e) {
        throw new OptionError(`catalog server.${o.catalogKey}: ${e instanceof Error ? e.message : String(e)}`);
      }
      sources[o.key] = 'catalog';
    } else {
      config[o.key] = o.defaultValue;
      sources[o.key] = 'default';
    }
  }
  return { config: config as unknown as ServeConfig, sources };
}

// --- documentation -------------------------------------------------------------------

function flagName(o: OptionSpec<unknown>): string {
  return o.flag;
}

/** The README's configuration table, generated from the declarations. */
export function optionsMarkdownTable(): string {
  const rows = [
    '| flag | environment | catalog `server:` | default | meaning |',
    '|---|---|---|---|---|',
    ...SERVE_OPTIONS.map((o) => {
      const cat = o.catalogKey === 'listen' ? '`listen: host:port`' : o.catalogKey ? `\`${o.catalogKey}\`` : '—';
      return `| \`${flagName(o as OptionSpec<unknown>)}\` | \`${o.env}\` | ${cat} | ${o.defaultText} | ${o.description.replace(/\|/g, '\\|')} |`;
    }),
  ];
  return rows.join('\n');
}

/** One help line's description: what it does, its default, its environment variable and catalog key. */
export function optionHelp(o: OptionSpec<unknown>): string {
  const where = [`default: ${o.defaultText}`, `env: ${o.env}`];
  if (o.catalogKey) where.push(`catalog: server.${o.catalogKey}`);
  return `${o.description} (${where.join('; ')})`;
}
