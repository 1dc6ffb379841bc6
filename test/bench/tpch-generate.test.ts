import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTpchParquet, type TpchFiles } from '../../src/bench/tpch/generate.js';

const SF = 0.01;
let dir: string;
let files: TpchFiles;
let instance: DuckDBInstance;
let con: DuckDBConnection;

async function one(sql: string): Promise<unknown[]> {
  const r = await con.runAndReadAll(sql);
  return r.getRowsJS()[0]!;
}

const t = (name: string): string => `read_parquet('${files.files[name]}')`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-tpch-test-'));
  files = await ensureTpchParquet(dir, SF, 2, () => undefined);
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
}, 120_000);

afterAll(() => {
  con?.closeSync();
  instance?.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('TPC-H-like generator', () => {
  it('produces the specification row counts at the scale', () => {
    expect(files.rowCounts).toMatchObject({ region: 5, nation: 25, supplier: 100, part: 2000, partsupp: 8000, customer: 1500, orders: 15000 });
    // 1..7 lines per order, 4 on average
    expect(files.rowCounts.lineitem! / files.rowCounts.orders!).toBeGreaterThan(3.8);
    expect(files.rowCounts.lineitem! / files.rowCounts.orders!).toBeLessThan(4.2);
  });

  it('uses the sparse order keys and customers not divisible by three', async () => {
    const [maxKey, badKeys, custDiv3] = await one(`SELECT max(o_orderkey), count(*) FILTER ((o_orderkey - 1) % 32 >= 8), count(*) FILTER (o_custkey % 3 = 0) FROM ${t('orders')}`);
    expect(Number(maxKey)).toBe(((15000 - 1) >> 3) * 32 + ((15000 - 1) % 8) + 1);
    expect(Number(badKeys)).toBe(0);
    expect(Number(custDiv3)).toBe(0);
  });

  it('gives every part four distinct suppliers, and lineitems only existing part/supplier pairs', async () => {
    const [pairs, distinctPairs, perPart] = await one(`SELECT count(*), count(DISTINCT (ps_partkey, ps_suppkey)), count(DISTINCT ps_partkey) FROM ${t('partsupp')}`);
    expect(Number(pairs)).toBe(8000);
    expect(Number(distinctPairs)).toBe(8000);
    expect(Number(perPart)).toBe(2000);
    const [orphans] = await one(`SELECT count(*) FROM ${t('lineitem')} l ANTI JOIN ${t('partsupp')} ps ON l.l_partkey = ps.ps_partkey AND l.l_suppkey = ps.ps_suppkey`);
    expect(Number(orphans)).toBe(0);
  });

  it('derives prices, dates, flags and order status by the specification rules', async () => {
    const [badPrice, badDates, badFlag] = await one(`SELECT
      count(*) FILTER (l_extendedprice <> l_quantity * p_retailprice),
      count(*) FILTER (l_shipdate <= o_orderdate OR l_shipdate > o_orderdate + 121 OR l_receiptdate <= l_shipdate OR l_receiptdate > l_shipdate + 30
                       OR l_commitdate < o_orderdate + 30 OR l_commitdate > o_orderdate + 90),
      count(*) FILTER ((l_receiptdate <= DATE '1995-06-17') <> (l_returnflag IN ('R', 'A')) OR (l_shipdate > DATE '1995-06-17') <> (l_linestatus = 'O'))
      FROM ${t('lineitem')} JOIN ${t('part')} ON l_partkey = p_partkey JOIN ${t('orders')} ON l_orderkey = o_orderkey`);
    expect(Number(badPrice)).toBe(0);
    expect(Number(badDates)).toBe(0);
    expect(Number(badFlag)).toBe(0);
    const [statusWrong, totalWrong] = await one(`SELECT
      count(*) FILTER (o_orderstatus <> CASE WHEN bool_and_f THEN 'F' WHEN bool_and_o THEN 'O' ELSE 'P' END),
      count(*) FILTER (abs(o_totalprice - total) > 0.01)
      FROM ${t('orders')} JOIN (SELECT l_orderkey, bool_and(l_linestatus = 'F') AS bool_and_f, bool_and(l_linestatus = 'O') AS bool_and_o,
        sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS total FROM ${t('lineitem')} GROUP BY l_orderkey) ON l_orderkey = o_orderkey`);
    expect(Number(statusWrong)).toBe(0);
    expect(Number(totalWrong)).toBe(0);
  });

  it('keeps the value domains the queries filter on', async () => {
    const [types, brands, containers, sizes, segments, modes] = await one(`SELECT
      (SELECT count(DISTINCT p_type) FROM ${t('part')}), (SELECT count(DISTINCT p_brand) FROM ${t('part')}),
      (SELECT count(DISTINCT p_container) FROM ${t('part')}), (SELECT count(DISTINCT p_size) FROM ${t('part')}),
      (SELECT count(DISTINCT c_mktsegment) FROM ${t('customer')}), (SELECT count(DISTINCT l_shipmode) FROM ${t('lineitem')})`);
    expect([types, brands, containers, sizes, segments, modes].map(Number)).toEqual([150, 25, 40, 50, 5, 7]);
    // five distinct colours per part name
    const [badNames] = await one(`SELECT count(*) FILTER (len(list_distinct(string_split(p_name, ' '))) <> 5) FROM ${t('part')}`);
    expect(Number(badNames)).toBe(0);
    const [phoneOk] = await one(`SELECT bool_and(substring(c_phone, 1, 2)::INTEGER = c_nationkey + 10) FROM ${t('customer')}`);
    expect(phoneOk).toBe(true);
  });

  it('is deterministic: a second generation gives identical tables', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-tpch-test-'));
    try {
      const again = await ensureTpchParquet(other, SF, 1, () => undefined);
      for (const name of ['lineitem', 'orders', 'supplier']) {
        const [diff] = await one(`SELECT count(*) FROM (SELECT * FROM read_parquet('${files.files[name]}') EXCEPT ALL SELECT * FROM read_parquet('${again.files[name]}'))`);
        expect(Number(diff)).toBe(0);
      }
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  }, 120_000);
});
