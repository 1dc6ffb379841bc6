import path from 'node:path';
import { z } from 'zod';
import type { SourceSpec } from '../model.js';
import { substituteEnv } from './env.js';

export const sourceSchema = z
  .object({
    kind: z.enum(['postgres', 'mysql', 'sqlite', 'duckdb']),
    url: z.string().optional(),
    host: z.string().optional(),
    port: z.number().int().positive().optional(),
    user: z.string().optional(),
    password: z.string().optional(),
    database: z.string().optional(),
    path: z.string().optional(),
    read_only: z.boolean().optional(),
    pool_size: z.number().int().positive().optional(),
    connect_timeout_ms: z.number().int().positive().optional(),
    query_timeout_ms: z.number().int().positive().optional(),
  })
  .strict();

export const sourcesSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), sourceSchema).default({});

export function buildSources(sources: z.infer<typeof sourcesSchema>, dir: string, file: string): SourceSpec[] {
  return Object.entries(sources).map(([name, s]) => {
    const env = (v: string | undefined, key: string): string | undefined => (v === undefined ? undefined : substituteEnv(v, `${file}: sources.${name}.${key}`));
    const p = env(s.path, 'path');
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
      readOnly: s.read_only ?? true,
      poolSize: s.pool_size ?? 4,
      connectTimeoutMs: s.connect_timeout_ms ?? 5000,
      queryTimeoutMs: s.query_timeout_ms ?? 0,
    };
  });
}
