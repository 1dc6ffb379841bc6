import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';

/** A fresh directory under the test run's temporary directory (removed by the global teardown). */
export function testTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.LAKEGATE_TEST_TMP ?? os.tmpdir(), prefix));
}

function q(p: string): string {
  return `'${p.replace(/'/g, "''")}'`;
}

/**
 * A small lake in every format the catalog supports, written by DuckDB into
 * `<dir>/lake`:
 * - one.parquet: id INTEGER 1..10, name VARCHAR, amount DECIMAL(10,2)
 * - parts/a.parquet + parts/sub/b.parquet: id 1..3 and 4..6 (a directory, and `**` recursion)
 * - hive/year=2023|2024/month=1|2/data.parquet: 4 files of 5 rows (id, v)
 * - people.csv: `;`-delimited with a header and a quoted field holding `;`
 * - noheader.csv: comma-delimited without a header
 * - events.ndjson: 3 newline-delimited JSON records
 * - empty/: a directory without data files
 * - broken.parquet: not a Parquet file
 */
export async function makeFixtureLake(dir = testTempDir('lake-')): Promise<string> {
  const lake = path.join(dir, 'lake');
  fs.mkdirSync(path.join(lake, 'parts', 'sub'), { recursive: true });
  fs.mkdirSync(path.join(lake, 'empty'), { recursive: true });
  const engine = await Engine.open({ threads: 1 });
  const conn = await engine.connect();
  try {
    await conn.run(`COPY (SELECT i::INTEGER AS id, 'name ' || i AS name, (i * 1.25)::DECIMAL(10,2) AS amount FROM range(1, 11) t(i)) TO ${q(path.join(lake, 'one.parquet'))} (FORMAT parquet)`);
    await conn.run(`COPY (SELECT i::INTEGER AS id FROM range(1, 4) t(i)) TO ${q(path.join(lake, 'parts', 'a.parquet'))} (FORMAT parquet)`);
    await conn.run(`COPY (SELECT i::INTEGER AS id FROM range(4, 7) t(i)) TO ${q(path.join(lake, 'parts', 'sub', 'b.parquet'))} (FORMAT parquet)`);
    await conn.run(
      `COPY (SELECT i::INTEGER AS id, i * 10 AS v, y AS year, m AS month FROM range(0, 5) t(i), (VALUES (2023), (2024)) ys(y), (VALUES (1), (2)) ms(m))
       TO ${q(path.join(lake, 'hive'))} (FORMAT parquet, PARTITION_BY (year, month))`,
    );
  } finally {
    conn.close();
    engine.close();
  }
  fs.writeFileSync(path.join(lake, 'people.csv'), 'id;name;score\n1;"Smith; John";2.5\n2;Ann;\n3;Bo;7\n');
  fs.writeFileSync(path.join(lake, 'noheader.csv'), '1,x\n2,y\n');
  fs.writeFileSync(path.join(lake, 'events.ndjson'), '{"id":1,"kind":"open","at":"2024-01-01T10:00:00"}\n{"id":2,"kind":"click","at":"2024-01-01T10:00:05"}\n{"id":3,"kind":"close","at":"2024-01-01T10:01:00"}\n');
  fs.writeFileSync(path.join(lake, 'broken.parquet'), 'this is not parquet '.repeat(20));
  return dir;
}

/** A fresh catalog directory whose `lake` is a copy of the fixture lake, with `catalog.yaml` holding `yaml`. */
export function catalogDirWith(fixture: string, yaml: string): string {
  const dir = testTempDir('cat-');
  fs.cpSync(path.join(fixture, 'lake'), path.join(dir, 'lake'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'catalog.yaml'), yaml);
  return dir;
}
