import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { requireFile, runJsonClient } from './spawn.js';

const JAR = '/usr/share/java/postgresql.jar';

/** pgjdbc (Debian's libpostgresql-jdbc-java), the driver inside DBeaver, Metabase and DataGrip, run by java 17. */
describe('pgjdbc against lakegate', () => {
  let gw: TestGateway;
  let out: Record<string, any>;

  beforeAll(async () => {
    requireFile(JAR, 'apt-get install libpostgresql-jdbc-java (done by .ci/run)');
    gw = await startGateway();
    out = await runJsonClient('java', ['-cp', JAR, path.resolve('test/clients/jdbc/JdbcProbe.java'), `jdbc:postgresql://127.0.0.1:${gw.port}/lakegate`, 'lakegate', 'lakegate']);
  }, 180_000);
  afterAll(async () => {
    await gw?.close();
  });

  it('runs every DatabaseMetaData call without an error', () => {
    const failed = Object.entries(out).filter(([, v]) => v && typeof v === 'object' && 'error' in v);
    expect(failed).toEqual([]);
  });

  it('getCatalogs and getSchemas list the database, the catalog schema and the two system schemas only', () => {
    expect(out.catalogs.rows).toEqual([['lakegate']]);
    expect(out.schemas.rows.map((r: string[]) => r[0])).toEqual(['information_schema', 'lake', 'pg_catalog']);
  });

  it('getTables lists lake tables as TABLE and the catalog view as VIEW, with comments as REMARKS', () => {
    const rows = out.tables.rows.map((r: string[]) => [r[2], r[3], r[4]]);
    expect(rows).toEqual([
      ['payment_types', 'TABLE', null],
      ['trips', 'TABLE', 'One row per taxi trip'],
      ['zones', 'TABLE', 'Taxi zones'],
      ['daily_trips', 'VIEW', null],
    ]);
  });

  it('getColumns describes lake.trips with JDBC types', () => {
    const cols = out.columns.rows.map((r: any[]) => [r[3], r[4], r[5]]);
    expect(cols.slice(0, 4)).toEqual([
      ['trip_id', -5, 'int8'],
      ['pickup_at', 93, 'timestamp'],
      ['dropoff_at', 93, 'timestamp'],
      ['pickup_zone_id', 4, 'int4'],
    ]);
    expect(cols).toContainEqual(['fare', 2, 'numeric']);
    expect(cols).toHaveLength(12);
  });

  it('getPrimaryKeys, getImportedKeys, getIndexInfo answer (lake files have no keys)', () => {
    expect(out.primaryKeys.rows).toEqual([]);
    expect(out.importedKeys.rows).toEqual([]);
    expect(out.indexInfo.rows).toEqual([]);
    expect(out.primaryKeys.columns).toEqual(['table_cat', 'table_schem', 'table_name', 'column_name', 'key_seq', 'pk_name']);
  });

  it('getTypeInfo lists PostgreSQL types', () => {
    const names = out.typeInfo.rows.map((r: string[]) => r[0]);
    for (const t of ['int4', 'int8', 'text', 'varchar', 'numeric', 'timestamp', 'timestamptz', 'bool', 'bytea', 'uuid']) expect(names).toContain(t);
  });

  it('ResultSetMetaData names the PostgreSQL types', () => {
    expect(out.resultMeta).toEqual([
      ['zone_id', 'int4', 4, 2],
      ['borough', 'text', 12, 2],
      ['airport_adjacent', 'bool', -7, 2],
    ]);
  });

  it('prepared statements past prepareThreshold switch to a named server statement with binary results', () => {
    expect(out.prepared.serverPrepared).toBe(true);
    expect(out.prepared.rows).toHaveLength(8);
    expect(out.prepared.rows[4]).toEqual([5, 'Zone 005', true]);
    expect(out.preparedTypes).toEqual([1, '2024-01-01T00:00', '3.38', 0.5, 0]);
    expect(out.transaction).toBe(4);
  });
});
