import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { EngineConnection } from '../../src/engine/connection.js';
import { Duck } from '../../src/federation/column-type.js';
import { TempTableLoader } from '../../src/federation/load/temp-table.js';
import type { DuckType } from '../../src/types/duck-type.js';

/** Loads values through the chunk writers and reads them back as PostgreSQL text. */
describe('temporary-table loader (raw data chunks through the appender)', () => {
  let engine: Engine;
  let conn: EngineConnection;
  beforeAll(async () => {
    engine = await Engine.open({ threads: 1 });
    conn = await engine.connect();
  });
  afterAll(() => {
    conn.close();
    engine.close();
  });

  async function roundTrip(type: DuckType, values: unknown[], pgText = true): Promise<(string | null)[]> {
    const loader = await TempTableLoader.create(conn, 'rt', [{ name: 'v', type }], pgText);
    loader.append(values.map((v) => [v]));
    loader.finish();
    const rows = await conn.rows('SELECT v FROM temp.main.rt');
    return rows.map((r) => r.v as string | null);
  }

  it('loads PostgreSQL text forms of scalar types exactly', async () => {
    expect(await roundTrip(Duck.boolean(), ['t', 'f', null])).toEqual(['t', 'f', null]);
    expect(await roundTrip(Duck.smallint(), ['-32768', '32767', null])).toEqual(['-32768', '32767', null]);
    expect(await roundTrip(Duck.integer(), ['-2147483648', '2147483647', '0'])).toEqual(['-2147483648', '2147483647', '0']);
    expect(await roundTrip(Duck.bigint(), ['-9223372036854775808', '9223372036854775807', '123456789012', '-5'])).toEqual([
      '-9223372036854775808',
      '9223372036854775807',
      '123456789012',
      '-5',
    ]);
    expect(await roundTrip(Duck.double(), ['1.5', '-0.1', 'NaN', 'Infinity', '-Infinity', '1e+300'])).toEqual(['1.5', '-0.1', 'NaN', 'Infinity', '-Infinity', '1e+300']);
    expect(await roundTrip(Duck.float(), ['1.5', '3.1415927'])).toEqual(['1.5', '3.1415927']);
    expect(await roundTrip(Duck.decimal(12, 2), ['1.50', '-1234567890.12', '0.00', null])).toEqual(['1.50', '-1234567890.12', '0.00', null]);
    expect(await roundTrip(Duck.decimal(4, 1), ['-999.9', '12.3'])).toEqual(['-999.9', '12.3']);
    expect(await roundTrip(Duck.decimal(18, 4), ['99999999999999.9999', '-1.0001'])).toEqual(['99999999999999.9999', '-1.0001']);
    expect(await roundTrip(Duck.decimal(38, 10), ['1234567890123456789012345678.0123456789', '-0.0000000001'])).toEqual([
      '1234567890123456789012345678.0123456789',
      '-0.0000000001',
    ]);
    expect(await roundTrip(Duck.varchar(), ['', 'short', 'a string longer than twelve bytes', 'ünïcödé ☃', null])).toEqual([
      '',
      'short',
      'a string longer than twelve bytes',
      'ünïcödé ☃',
      null,
    ]);
    expect(await roundTrip(Duck.blob(), ['\\x', '\\x00ff10', '\\x' + 'ab'.repeat(40)])).toEqual(['\\x', '\\x00ff10', '\\x' + 'ab'.repeat(40)]);
    expect(await roundTrip(Duck.uuid(), ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'])).toEqual([
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
    ]);
    expect(await roundTrip(Duck.json(), ['{"a": [1, 2]}', '[]'])).toEqual(['{"a": [1, 2]}', '[]']);
  });

  it('loads dates, times, timestamps and intervals', async () => {
    expect(await roundTrip(Duck.date(), ['2024-02-29', '1970-01-01', '1900-03-01', '0044-03-15 BC', 'infinity', '-infinity'])).toEqual([
      '2024-02-29',
      '1970-01-01',
      '1900-03-01',
      '0044-03-15 BC',
      'infinity',
      '-infinity',
    ]);
    expect(await roundTrip(Duck.timestamp(), ['2024-01-02 03:04:05', '2024-01-02 03:04:05.123456', '1969-12-31 23:59:59.5', '2024-01-02T03:04:05'])).toEqual([
      '2024-01-02 03:04:05',
      '2024-01-02 03:04:05.123456',
      '1969-12-31 23:59:59.5',
      '2024-01-02 03:04:05',
    ]);
    expect(await roundTrip(Duck.timestamptz(), ['2024-01-02 03:04:05+00', '2024-01-02 03:04:05.25+05:30', '2024-01-02 03:04:05-08'])).toEqual([
      '2024-01-02 03:04:05+00',
      '2024-01-01 21:34:05.25+00',
      '2024-01-02 11:04:05+00',
    ]);
    expect(await roundTrip(Duck.time(), ['00:00:00', '23:59:59.999999', '12:30'])).toEqual(['00:00:00', '23:59:59.999999', '12:30:00']);
    expect(await roundTrip(Duck.interval(), ['1 year 2 mons 3 days 04:05:06.5', '-1 days +02:00:00', '00:00:00', '-00:00:01'])).toEqual([
      '1 year 2 mons 3 days 04:05:06.5',
      '-1 days +02:00:00',
      '00:00:00',
      '-00:00:01',
    ]);
  });

  it('loads arrays, enums and typed (non-text) driver values', async () => {
    expect(await roundTrip(Duck.list(Duck.integer()), ['{1,2,3}', '{}', null, '{NULL,5}'])).toEqual(['{1,2,3}', '{}', null, '{NULL,5}']);
    expect(await roundTrip(Duck.list(Duck.varchar()), ['{a,"b c","d,e",NULL}'])).toEqual(['{a,"b c","d,e",NULL}']);
    expect(await roundTrip(Duck.enum(['small', 'large']), ['large', 'small', null], false)).toEqual(['large', 'small', null]);
    expect(await roundTrip(Duck.integer(), [1, -7, null], false)).toEqual(['1', '-7', null]);
    expect(await roundTrip(Duck.bigint(), [2n ** 62n, 12, '9007199254740993'], false)).toEqual(['4611686018427387904', '12', '9007199254740993']);
    expect(await roundTrip(Duck.blob(), [Buffer.from([1, 2, 255])], false)).toEqual(['\\x0102ff']);
    expect(await roundTrip(Duck.decimal(10, 3), [1.5, 2, '3.14159'], false)).toEqual(['1.500', '2.000', '3.142']);
    expect(await roundTrip(Duck.varchar(), [12, 1.5, Buffer.from('hi')], false)).toEqual(['12', '1.5', 'hi']);
  });

  it('fills many chunks with nulls scattered across them', async () => {
    const n = 10_000;
    const values = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : String(i)));
    const loader = await TempTableLoader.create(conn, 'many', [{ name: 'v', type: Duck.bigint() }], true);
    loader.append(values.map((v) => [v]));
    loader.finish();
    const rows = await conn.rows('SELECT count(*) AS n, count(v) AS nn, sum(v) AS s FROM temp.main.many');
    const expectedSum = values.reduce((a, v) => a + (v === null ? 0 : Number(v)), 0);
    expect(rows[0]).toEqual({ n: String(n), nn: String(values.filter((v) => v !== null).length), s: String(expectedSum) });
  });

  it('rejects a value the column type cannot hold with a clear message', async () => {
    await expect(roundTrip(Duck.integer(), ['12', 'abc'])).rejects.toThrow(/cannot convert source value "abc" to integer/);
  });
});
