import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, startGateway, type TestGateway } from '../support/gateway.js';
import { runPsql } from './support.js';

// aggregated over a parquet scan, so DuckDB cannot answer it from file metadata
const QUERY = 'SELECT payment_type, avg(fare) AS avg_fare FROM lake.trips WHERE month = 3 GROUP BY 1';

describe('EXPLAIN', () => {
  let gw: TestGateway;
  let c: pg.Client;
  let oracle: pg.Client;

  beforeAll(async () => {
    gw = await startGateway();
    c = new pg.Client(gw.url());
    await c.connect();
    oracle = new pg.Client(POSTGRES_URL);
    await oracle.connect();
  });

  afterAll(async () => {
    await c?.end();
    await oracle?.end();
    await gw?.close();
  });

  it('returns the plan as PostgreSQL does: one text column "QUERY PLAN", one row per line', async () => {
    const r = await c.query(`EXPLAIN ${QUERY}`);
    const pgr = await oracle.query('EXPLAIN SELECT 1');
    expect(r.fields.map((f) => [f.name, f.dataTypeID, f.format])).toEqual(pgr.fields.map((f) => [f.name, f.dataTypeID, f.format]));
    expect(r.fields.map((f) => f.name)).toEqual(['QUERY PLAN']);
    expect(r.command).toBe(pgr.command);
    expect(r.rowCount).toBe(pgr.rowCount); // the EXPLAIN tag carries no count
    const lines = r.rows.map((row) => row['QUERY PLAN'] as string);
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l).not.toContain('\n');
    const plan = lines.join('\n');
    expect(plan).toContain('HASH_GROUP_BY');
    expect(plan).toMatch(/READ_PARQUET|TABLE_SCAN/);
    expect(plan).toContain('(month = 3)');
    expect(lines[lines.length - 1]!.trim()).not.toBe('');
  });

  it('EXPLAIN ANALYZE runs the statement and reports the profile', async () => {
    const r = await c.query(`EXPLAIN ANALYZE ${QUERY}`);
    const plan = r.rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('Total Time:');
    expect(plan).toContain('HASH_GROUP_BY');
    expect(r.fields.map((f) => f.name)).toEqual(['QUERY PLAN']);
  });

  it('accepts PostgreSQL option lists, and FORMAT JSON gives one json row', async () => {
    const r = await c.query(`EXPLAIN (ANALYZE false, VERBOSE, COSTS off, FORMAT TEXT) ${QUERY}`);
    expect(r.rows.length).toBeGreaterThan(10);
    const j = await c.query(`EXPLAIN (FORMAT JSON) ${QUERY}`);
    const pgj = await oracle.query('EXPLAIN (FORMAT JSON) SELECT 1');
    expect(j.fields.map((f) => [f.name, f.dataTypeID])).toEqual(pgj.fields.map((f) => [f.name, f.dataTypeID]));
    expect(j.rows).toHaveLength(1);
    expect(Array.isArray(j.rows[0]['QUERY PLAN'])).toBe(true);
    expect(JSON.stringify(j.rows[0]['QUERY PLAN'])).toContain('HASH_GROUP_BY');
  });

  it('answers unsupported and unknown options with PostgreSQL errors', async () => {
    await expect(c.query('EXPLAIN (FORMAT YAML) SELECT 1')).rejects.toMatchObject({ code: '0A000' });
    await expect(c.query('EXPLAIN (BOGUS) SELECT 1')).rejects.toMatchObject({ code: '42601', message: 'unrecognized EXPLAIN option "bogus"' });
    await expect(oracle.query('EXPLAIN (BOGUS) SELECT 1')).rejects.toMatchObject({ code: '42601', message: 'unrecognized EXPLAIN option "bogus"' });
    await expect(c.query('EXPLAIN BEGIN')).rejects.toMatchObject({ code: '42601' });
    await expect(c.query('EXPLAIN SELECT * FROM lake.nope')).rejects.toMatchObject({ code: '42P01' });
  });

  it('describes its result in the extended protocol before running', async () => {
    const r = await c.query({ name: 'explain_prepared', text: `EXPLAIN ${QUERY}` });
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['QUERY PLAN', 25]]);
    expect(r.rows.length).toBeGreaterThan(10);
  });

  it('appends what the annotators registered on the gateway add (the extension point for remote SQL)', async () => {
    gw.gateway.explainAnnotators.push((ctx) => (ctx.text.includes('lake.zones') ? [`Remote SQL on crm: SELECT zone_id FROM zones -- for ${ctx.sql}`] : []));
    try {
      const r = await c.query('EXPLAIN SELECT zone_id FROM lake.zones');
      const lines = r.rows.map((row) => row['QUERY PLAN'] as string);
      expect(lines[lines.length - 1]).toBe('Remote SQL on crm: SELECT zone_id FROM zones -- for SELECT zone_id FROM lake.zones');
      const other = await c.query(`EXPLAIN ${QUERY}`);
      expect(other.rows.map((row) => row['QUERY PLAN']).join('\n')).not.toContain('Remote SQL');
    } finally {
      gw.gateway.explainAnnotators.length = 0;
    }
  });

  it('prints in psql as a plan', async () => {
    const out = await runPsql([gw.url(), '-c', `EXPLAIN ${QUERY}`]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^\s+QUERY PLAN\s*\n-+\n/);
    expect(out.stdout).toMatch(/\(\d+ rows\)\n/);
  });
});
