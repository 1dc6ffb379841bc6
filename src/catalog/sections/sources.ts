import path from 'node:path';
import { z } from 'zod';
import { CatalogError } from '../errors.js';
import type { SourceSpec } from '../model.js';
import { substituteEnv } from './env.js';

export const sourceSchema = z
  .object({
    kind: z.enum(['postgres', 'mysql', 'sqlite', 'duckdb']),
    /** postgres/mysql: a connection URL; secrets come from `${ENV}`. */
    url: z.string().optional(),
    host: z.string().optional(),
    port: z.number().int().positive().optional(),
    user: z.string().optional(),
    password: z.string().optional(),
    database: z.string().optional(),
    /** sqlite/duckdb: the database file, relative to the catalog. */
    path: z.string().optional(),
    /** Schema used for tables named without one (postgres: public, mysql: the database, sqlite/duckdb: main). */
    schema: z.string().optional(),
    read_only: z.boolean().optional(),
    pool_size: z.number().int().positive().max(1000).optional(),
    connect_timeout_ms: z.number().int().positive().optional(),
    /** 0 = no limit beyond the client's statement_timeout. */
    query_timeout_ms: z.number().int().nonnegative().optional(),
    /** Rows fetched per round trip when streaming a remote result. */
    batch_rows: z.number().int().positive().max(1_000_000).optional(),
    /** Largest list of join keys pushed to the source as a dynamic filter (0 = never). */
    dynamic_filter_max_keys: z.number().int().nonnegative().max(1_000_000).optional(),
    /** Seconds between reconnection attempts while the source is down. */
    retry_interval_s: z.number().positive().optional(),
  })
  .strict();

export const sourcesSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), sourceSchema).default({});

export function buildSources(sources: z.infer<typeof sourcesSchema>, dir: string, file: string): SourceSpec[] {
  return Object.entries(sources).map(([name, s]) => {
    const env = (v: string | undefined, key: string): string | undefined => (v === undefined ? undefined : substituteEnv(v, `${file}: sources.${name}.${key}`));
    const p = env(s.path, 'path');
    const where = `${file}: sources.${name}`;
    if ((s.kind === 'sqlite' || s.kind === 'duckdb') && p === undefined) throw new CatalogError(`${where}: a ${s.kind} source needs path`);
    if ((s.kind === 'postgres' || s.kind === 'mysql') && p !== undefined) throw new CatalogError(`${where}.path: only sqlite and duckdb sources have a path`);
    if ((s.kind === 'sqlite' || s.kind === 'duckdb') && (s.url !== undefined || s.host !== undefined)) {
      throw new CatalogError(`${where}: a ${s.kind} source is a file: give path, not url or host`);
    }
    if (s.kind === 'duckdb' && s.read_only === false) throw new CatalogError(`${where}.read_only: duckdb files are attached read-only`);
    return {
      name,
      kind: s.kind,
      url: env(s.url, 'url'),
      host: env(s.host, 'host'),
      port: s.port,
      user: env(s.user, 'user'),
      password: env(s.password, 'password'),
      database: env(s.database, 'database'),
      path: p === undefined ? undefined : path.resolve(dir, p),
      defaultSchema: s.schema,
      readOnly: s.read_only ?? true,
      poolSize: s.pool_size ?? 4,
      connectTimeoutMs: s.connect_timeout_ms ?? 5000,
      queryTimeoutMs: s.query_timeout_ms ?? 0,
      batchRows: s.batch_rows ?? 10_000,
      dynamicFilterMaxKeys: s.dynamic_filter_max_keys ?? (s.kind === 'postgres' ? 50_000 : 5_000),
      retryIntervalMs: Math.round((s.retry_interval_s ?? 10) * 1000),
    };
  });
}
