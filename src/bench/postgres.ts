import pg from 'pg';

/** Every database the suite creates starts with this name, so `--clean` can find them. */
export const BENCH_PG_DATABASE = 'lakegate_bench';
export const PG_ADMIN_URL = process.env.LAKEGATE_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

export function pgUrl(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

export function benchPgUrl(): string {
  return pgUrl(BENCH_PG_DATABASE);
}

/** Host, port and user of the benchmark PostgreSQL, for clients that take them apart (psql, pgbench, the raw reader). */
export function pgTarget(database: string): PgTarget {
  const u = new URL(PG_ADMIN_URL);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 5432), user: decodeURIComponent(u.username || 'postgres'), database };
}

/** Creates a scratch database if it does not exist yet (safe when two runs race). */
export async function ensureDatabase(name: string): Promise<void> {
  if (!name.startsWith(BENCH_PG_DATABASE)) throw new Error(`benchmark databases must start with ${BENCH_PG_DATABASE}`);
  const admin = new pg.Client(PG_ADMIN_URL);
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } catch (e) {
        // 42P04 duplicate_database, 23505 when two CREATE DATABASE race on the catalog
        const code = (e as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw e;
      }
    }
  } finally {
    await admin.end();
  }
}

/** Creates the scratch benchmark database if needed and returns a client to it. */
export async function benchDatabase(name = BENCH_PG_DATABASE): Promise<pg.Client> {
  await ensureDatabase(name);
  const c = new pg.Client(pgUrl(name));
  await c.connect();
  return c;
}

/**
 * Runs fn while holding a session advisory lock, so two benchmark runs on one
 * machine never load the same tables at the same time.
 */
export async function withLoadLock<T>(c: pg.Client, key: string, fn: () => Promise<T>): Promise<T> {
  await c.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
  try {
    return await fn();
  } finally {
    await c.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
  }
}

/** What was loaded (generator version, scale) is recorded per item, so data is loaded once per machine. */
export async function loadedFingerprint(c: pg.Client, item: string): Promise<string | null> {
  await c.query('CREATE TABLE IF NOT EXISTS lakegate_bench_meta (item text PRIMARY KEY, fingerprint text NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())');
  const r = await c.query('SELECT fingerprint FROM lakegate_bench_meta WHERE item = $1', [item]);
  return r.rowCount ? (r.rows[0].fingerprint as string) : null;
}

export async function recordFingerprint(c: pg.Client, item: string, fingerprint: string): Promise<void> {
  await c.query(
    'INSERT INTO lakegate_bench_meta (item, fingerprint) VALUES ($1, $2) ON CONFLICT (item) DO UPDATE SET fingerprint = $2, loaded_at = now()',
    [item, fingerprint],
  );
}

export async function forgetFingerprint(c: pg.Client, item: string): Promise<void> {
  await c.query('DELETE FROM lakegate_bench_meta WHERE item = $1', [item]);
}

/** Drops every database this suite created (`--clean`). */
export async function dropBenchDatabases(log: (s: string) => void): Promise<string[]> {
  const admin = new pg.Client(PG_ADMIN_URL);
  await admin.connect();
  try {
    const r = await admin.query("SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2 ORDER BY 1", [
      BENCH_PG_DATABASE,
      `${BENCH_PG_DATABASE}\\_sf%`,
    ]);
    const names = r.rows.map((row) => row.datname as string);
    for (const name of names) {
      log(`dropping database ${name}`);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    return names;
  } finally {
    await admin.end();
  }
}

/** Server settings that shape PostgreSQL's side of the comparison, recorded with the results. */
export async function postgresSettings(): Promise<Record<string, string>> {
  const c = new pg.Client(PG_ADMIN_URL);
  await c.connect();
  try {
    const names = ['server_version', 'shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather', 'max_parallel_workers', 'jit', 'max_connections', 'random_page_cost'];
    const r = await c.query('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [names]);
    return Object.fromEntries(r.rows.map((row) => [row.name, row.unit ? `${row.setting} ${row.unit}` : row.setting]));
  } finally {
    await c.end();
  }
}
