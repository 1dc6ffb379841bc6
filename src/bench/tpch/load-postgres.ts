import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runPsql } from '../psql.js';
import { benchDatabase, BENCH_PG_DATABASE, forgetFingerprint, loadedFingerprint, pgTarget, recordFingerprint, withLoadLock } from '../postgres.js';
import { GENERATOR_VERSION, type TpchFiles } from './generate.js';
import { TPCH_TABLES } from './schema.js';

export function tpchDatabaseName(sf: number): string {
  return `${BENCH_PG_DATABASE}_sf${String(sf).replace('.', '_')}`;
}

function ddl(): string[] {
  const out = ['DROP SCHEMA IF EXISTS tpch CASCADE', 'CREATE SCHEMA tpch'];
  for (const t of TPCH_TABLES) {
    // Unlogged: scratch data that is never recovered; reading it costs the same as a logged table.
    out.push(`CREATE UNLOGGED TABLE tpch.${t.name} (${t.columns.map(([n, ty]) => `${n} ${ty} NOT NULL`).join(', ')})`);
  }
  return out;
}

function constraints(): string[] {
  const out: string[] = [];
  for (const t of TPCH_TABLES) out.push(`ALTER TABLE tpch.${t.name} ADD PRIMARY KEY (${t.primaryKey.join(', ')})`);
  for (const t of TPCH_TABLES) {
    for (const cols of t.indexes) out.push(`CREATE INDEX ${t.name}_${cols.join('_')}_idx ON tpch.${t.name} (${cols.join(', ')})`);
  }
  // Foreign keys also feed PostgreSQL's join-size estimates.
  for (const t of TPCH_TABLES) {
    t.foreignKeys.forEach((fk, i) => {
      out.push(`ALTER TABLE tpch.${t.name} ADD CONSTRAINT ${t.name}_fk${i} FOREIGN KEY (${fk.columns.join(', ')}) REFERENCES tpch.${fk.references} (${fk.refColumns.join(', ')})`);
    });
  }
  return out;
}

/**
 * Loads the generated tables into the scratch PostgreSQL database of this
 * scale (through CSV files and psql's \copy), adds keys and indexes, and
 * runs VACUUM ANALYZE. Skipped when the same generator version and scale is
 * already loaded.
 */
export async function ensureTpchPostgres(data: TpchFiles, log: (s: string) => void): Promise<{ database: string; loadedNow: boolean }> {
  const database = tpchDatabaseName(data.sf);
  const fingerprint = `${GENERATOR_VERSION} sf=${data.sf} ${JSON.stringify(data.rowCounts)}`;
  const c = await benchDatabase(database);
  try {
    return await withLoadLock(c, `tpch ${database}`, async () => {
      if ((await loadedFingerprint(c, 'tpch')) === fingerprint) return { database, loadedNow: false };
      log(`loading TPC-H-like data (scale ${data.sf}) into PostgreSQL database ${database}`);
      const started = performance.now();
      await forgetFingerprint(c, 'tpch');
      for (const s of ddl()) await c.query(s);
      const csvDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-csv-'));
      const instance = await DuckDBInstance.create(':memory:', { threads: String(os.availableParallelism()) });
      const duck = await instance.connect();
      const target = pgTarget(database);
      try {
        // Largest first; two loads at a time (PostgreSQL's COPY uses one core each).
        const tables = [...TPCH_TABLES].sort((a, b) => (data.rowCounts[b.name] ?? 0) - (data.rowCounts[a.name] ?? 0));
        const queue = [...tables];
        const csvOf = async (name: string): Promise<string> => {
          const file = path.join(csvDir, `${name}.csv`);
          await duck.run(`COPY (SELECT * FROM read_parquet('${data.files[name]}')) TO '${file}' (FORMAT csv, HEADER false)`);
          return file;
        };
        const worker = async (): Promise<void> => {
          for (let t = queue.shift(); t; t = queue.shift()) {
            const file = await csvOf(t.name);
            await runPsql(target, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy tpch.${t.name} FROM '${file}' WITH (FORMAT csv)`]);
            fs.rmSync(file);
            log(`  loaded tpch.${t.name} (${data.rowCounts[t.name]} rows)`);
          }
        };
        await Promise.all([worker(), worker()]);
      } finally {
        duck.closeSync();
        instance.closeSync();
        fs.rmSync(csvDir, { recursive: true, force: true });
      }
      await c.query("SET maintenance_work_mem = '1GB'");
      for (const s of constraints()) await c.query(s);
      await c.query('VACUUM ANALYZE');
      await recordFingerprint(c, 'tpch', fingerprint);
      log(`PostgreSQL load, indexes and VACUUM ANALYZE took ${((performance.now() - started) / 1000).toFixed(0)} s`);
      return { database, loadedNow: true };
    });
  } finally {
    await c.end();
  }
}
