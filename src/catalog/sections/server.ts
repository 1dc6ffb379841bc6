import path from 'node:path';
import { z } from 'zod';
import { CatalogError } from '../errors.js';
import { byteSize, duration } from './durations.js';
import { substituteEnv } from './env.js';

const tlsSchema = z
  .object({
    cert: z.string().optional(),
    key: z.string().optional(),
    /** Refuse clear-text connections (28000 after the client's SSLRequest is answered 'N' or skipped). */
    required: z.boolean().optional(),
    /** Generate a self-signed certificate at start-up (development only). */
    self_signed: z.boolean().optional(),
  })
  .strict();

const authSchema = z
  .object({
    /** Failed logins per client address before new attempts are delayed further. */
    max_failures: z.number().int().min(1).optional(),
    /** How long a failure counts against an address. */
    failure_window: duration.optional(),
    /** Longest delay added before answering a failing address. */
    max_delay: duration.optional(),
    /** Time a client has to complete startup and authentication. */
    authentication_timeout: duration.optional(),
  })
  .strict();

const limitsSchema = z
  .object({
    max_connections: z.number().int().min(1).optional(),
    idle_session_timeout: duration.optional(),
    statement_timeout: duration.optional(),
    max_statement_timeout: duration.optional(),
    max_result_rows: z.number().int().min(0).optional(),
    max_query_size: byteSize.optional(),
    max_message_size: byteSize.optional(),
    memory_limit: z.string().optional(),
    temp_directory: z.string().optional(),
    max_temp_directory_size: z.string().optional(),
    threads: z.number().int().min(1).optional(),
  })
  .strict();

/** The security keys of the catalog's `server:` section (the flat keys are the serve options, config/options.ts). */
export const serverSecurityShape = {
  tls: tlsSchema.optional(),
  auth: authSchema.optional(),
  limits: limitsSchema.optional(),
};

const serverSecuritySchema = z.object(serverSecurityShape);

export interface TlsConfig {
  /** Absolute paths. */
  cert?: string;
  key?: string;
  required: boolean;
  selfSigned: boolean;
}

export interface AuthPolicyConfig {
  maxFailures?: number;
  failureWindowMs?: number;
  maxDelayMs?: number;
  authenticationTimeoutMs?: number;
}

export interface LimitsConfig {
  maxConnections?: number;
  idleSessionTimeoutMs?: number;
  statementTimeoutMs?: number;
  maxStatementTimeoutMs?: number;
  maxResultRows?: number;
  maxQuerySize?: number;
  maxMessageSize?: number;
  memoryLimit?: string;
  tempDirectory?: string;
  maxTempDirectorySize?: string;
  threads?: number;
}

export interface ServerConfig {
  host?: string;
  port?: number;
  tls?: TlsConfig;
  auth: AuthPolicyConfig;
  limits: LimitsConfig;
}

/** The catalog's `server:` section besides `listen`: TLS, login throttling and limits. */
export function buildServer(s: z.infer<typeof serverSecuritySchema> | undefined, dir: string, file: string): ServerConfig {
  // server.listen is parsed by load.ts (host and port)
  const out: ServerConfig = { auth: {}, limits: {} };
  if (s?.tls) {
    const p = (v: string | undefined, key: string): string | undefined => (v === undefined ? undefined : path.resolve(dir, substituteEnv(v, `${file}: server.tls.${key}`)));
    const tls: TlsConfig = { cert: p(s.tls.cert, 'cert'), key: p(s.tls.key, 'key'), required: s.tls.required ?? false, selfSigned: s.tls.self_signed ?? false };
    if ((tls.cert === undefined) !== (tls.key === undefined)) throw new CatalogError(`${file}: server.tls: give both cert and key`);
    if (!tls.cert && !tls.selfSigned && tls.required) throw new CatalogError(`${file}: server.tls.required: no certificate (set cert and key, or self_signed: true)`);
    out.tls = tls;
  }
  const a = s?.auth;
  if (a) out.auth = { maxFailures: a.max_failures, failureWindowMs: a.failure_window, maxDelayMs: a.max_delay, authenticationTimeoutMs: a.authentication_timeout };
  const l = s?.limits;
  if (l) {
    out.limits = {
      maxConnections: l.max_connections,
      idleSessionTimeoutMs: l.idle_session_timeout,
      statementTimeoutMs: l.statement_timeout,
      maxStatementTimeoutMs: l.max_statement_timeout,
      maxResultRows: l.max_result_rows,
      maxQuerySize: l.max_query_size,
      maxMessageSize: l.max_message_size,
      memoryLimit: l.memory_limit,
      tempDirectory: l.temp_directory === undefined ? undefined : path.resolve(dir, l.temp_directory),
      maxTempDirectorySize: l.max_temp_directory_size,
      threads: l.threads,
    };
  }
  return out;
}
