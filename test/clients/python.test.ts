import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { DEBIAN_PYTHON, requireFile, runJsonClient } from './spawn.js';

/**
 * Python clients from Debian's packages (python3-psycopg2, python3-sqlalchemy,
 * python3-pandas, python3-asyncpg; installed by .ci/run), spawned against
 * lakegate. Debian 12 ships SQLAlchemy 1.4, whose inspector queries are the
 * ones Superset and pandas send through it.
 */
describe('Python clients against lakegate', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    requireFile(DEBIAN_PYTHON, 'Debian python3 is needed');
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('psycopg2 + SQLAlchemy inspect() + pandas.read_sql', async () => {
    const out = await runJsonClient(DEBIAN_PYTHON, [path.resolve('test/clients/python/sqlalchemy_probe.py'), gw.url()]);
    const failed = Object.entries(out).filter(([, v]) => v && typeof v === 'object' && 'error' in v);
    expect(failed).toEqual([]);
    expect(out.psycopg2).toEqual({ row: [2, 'Zone 002'], typed: ['x', 5], server_version: 150000 });
    expect(out.schemas).toEqual(['information_schema', 'lake']);
    expect([...out.tables].sort()).toEqual(['payment_types', 'trips', 'zones']);
    expect(out.views).toEqual(['daily_trips']);
    expect(out.columns.slice(0, 3)).toEqual([
      { name: 'trip_id', type: 'BIGINT', nullable: true },
      { name: 'pickup_at', type: 'TIMESTAMP', nullable: true },
      { name: 'dropoff_at', type: 'TIMESTAMP', nullable: true },
    ]);
    expect(out.columns).toContainEqual({ name: 'fare', type: 'NUMERIC(10, 2)', nullable: true });
    expect(out.view_columns).toEqual(['day', 'trips']);
    expect(out.pk).toEqual({ constrained_columns: [], name: null });
    expect(out.fks).toEqual([]);
    expect(out.indexes).toEqual([]);
    expect(out.table_comment).toEqual({ text: 'One row per taxi trip' });
    expect(out.has_table).toEqual([true, false]);
    expect(out.view_definition).toBe(true);
    expect(out.pandas).toEqual({ zone_id: [1, 2], borough: ['Brooklyn', 'Queens'] });
    expect(out.pandas_table).toEqual(['payment_type', 'description']);
  });

  it('asyncpg: binary results, type introspection, prepared statements', async () => {
    const out = await runJsonClient(DEBIAN_PYTHON, [path.resolve('test/clients/python/asyncpg_probe.py'), gw.url()]);
    const failed = Object.entries(out).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v) && 'error' in v);
    expect(failed).toEqual([]);
    expect(out.zones).toEqual([
      [1, 'Brooklyn', false],
      [2, 'Queens', false],
    ]);
    expect(out.trip).toEqual([[1, '2024-01-01 00:00:00', '3.38', 0.5, null]]);
    // int4[] needs asyncpg's type introspection query (WITH RECURSIVE over pg_type)
    expect(out.arrays).toEqual([1, 2, 3]);
    expect(out.json_codec).toEqual({ a: 1 });
    expect(out.prepared).toEqual(['Zone 001', 'Zone 002', ['zone_name']]);
    expect(out.tables).toEqual([['daily_trips'], ['payment_types'], ['trips'], ['zones']]);
  });
});
