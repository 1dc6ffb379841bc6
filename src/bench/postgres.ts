import pg from 'pg';

export const BENCH_PG_DATABASE = 'lakegate_bench';
export const PG_ADMIN_URL = process.env.LAKEGATE_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function benchPgUrl(): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${BENCH_PG_DATABASE}`;
  return u.toString();
}

/** Creates the scratch benchmark database if needed and returns a client to it. */
export async function benchDatabase(): Promise<pg.Client> {
  const admin = new pg.Client(PG_ADMIN_URL);
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_PG_DATABASE]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${BENCH_PG_DATABASE}`);
  await admin.end();
  const c = new pg.Client(benchPgUrl());
  await c.connect();
  return c;
}

/** Whether a table exists with the expected row count (so data is loaded once per machine). */
export async function hasTable(c: pg.Client, table: string, rows: number): Promise<boolean> {
  const r = await c.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [table]);
  if (!r.rows[0].ok) return false;
  const n = await c.query(`SELECT count(*)::bigint AS n FROM ${table}`);
  return Number(n.rows[0].n) === rows;
}
