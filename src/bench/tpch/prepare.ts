import type { BenchContext } from '../context.js';
import { BENCH_USER } from '../server-process.js';
import { ensureTpchParquet, type TpchFiles } from './generate.js';
import { ensureTpchPostgres } from './load-postgres.js';
import { TPCH_TABLES } from './schema.js';

export interface TpchData {
  files: TpchFiles;
  /** The PostgreSQL database holding schema tpch. */
  pgDatabase: string;
  /** Seconds spent generating and loading in this run (0 when cached). */
  prepareSeconds: number;
}

const prepared = new Map<number, Promise<TpchData>>();

/** Generates and loads the data of a scale once per run (analytics and concurrency share it). */
export function prepareTpch(ctx: BenchContext): Promise<TpchData> {
  const sf = ctx.opts.scale;
  let p = prepared.get(sf);
  if (!p) {
    p = (async () => {
      const started = performance.now();
      const files = await ensureTpchParquet(ctx.dataDir, sf, ctx.opts.threads, ctx.log);
      const { database } = await ensureTpchPostgres(files, ctx.log);
      return { files, pgDatabase: database, prepareSeconds: (performance.now() - started) / 1000 };
    })();
    prepared.set(sf, p);
  }
  return p;
}

/** A lakegate catalog with the TPC-H tables in schema tpch and the trust user of the suite. */
export function tpchCatalog(files: TpchFiles): Record<string, unknown> {
  return {
    database: 'lakegate',
    users: [{ name: BENCH_USER, method: 'trust' }],
    schemas: { tpch: Object.fromEntries(TPCH_TABLES.map((t) => [t.name, { parquet: files.files[t.name] }])) },
  };
}
