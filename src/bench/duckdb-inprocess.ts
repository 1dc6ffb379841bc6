import duckdb from '@duckdb/node-bindings';
import { DuckDBConnection } from '@duckdb/node-api';
import { Engine } from '../engine/engine.js';
import { quoteIdent, quoteLiteral } from '../catalog/install.js';

export interface Timing {
  ms: number;
  rows: number;
}

/**
 * DuckDB in this process over the same Parquet files: the engine's own
 * limit. It is opened through lakegate's own Engine.open, so threads and the
 * PostgreSQL-compatible settings (integer_division, null order, time zone,
 * Parquet metadata cache) are exactly those of the server, and the lake views
 * are created the way the catalog installs them.
 */
export class InProcessDuckDB {
  private constructor(
    private readonly engine: Engine,
    private readonly raw: duckdb.Connection,
  ) {}

  static async open(threads: number, tables: { schema: string; name: string; parquet: string }[]): Promise<InProcessDuckDB> {
    const engine = await Engine.open({ threads });
    const admin = engine.adminConnection;
    for (const schema of new Set(tables.map((t) => t.schema))) await admin.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    for (const t of tables) {
      await admin.run(`CREATE OR REPLACE VIEW ${quoteIdent(t.schema)}.${quoteIdent(t.name)} AS SELECT * FROM read_parquet(${quoteLiteral(t.parquet)}, hive_partitioning = false)`);
    }
    return new InProcessDuckDB(engine, admin.raw);
  }

  /** One duckdb_query call: the query runs to a materialized result (no values converted). */
  async timeMaterialized(sql: string): Promise<Timing> {
    const started = performance.now();
    const res = await duckdb.query(this.raw, sql);
    const ms = performance.now() - started;
    return { ms, rows: duckdb.row_count(res) };
  }

  /**
   * Prepared and executed as a streaming result whose chunks are fetched to
   * the end: how lakegate runs a query, without the wire encoding.
   */
  async timeStreaming(sql: string): Promise<Timing> {
    const started = performance.now();
    const ps = await duckdb.prepare(this.raw, sql);
    try {
      const res = await duckdb.execute_prepared_streaming(ps);
      let rows = 0;
      for (let chunk = await duckdb.fetch_chunk(res); chunk && duckdb.data_chunk_get_size(chunk) > 0; chunk = await duckdb.fetch_chunk(res)) {
        rows += duckdb.data_chunk_get_size(chunk);
      }
      return { ms: performance.now() - started, rows };
    } finally {
      duckdb.destroy_prepare_sync(ps);
    }
  }

  /**
   * Mean milliseconds of one execution of a prepared statement whose integer
   * parameters come from `params(i)`, each result streamed to the end: the
   * engine's own share of a small query.
   */
  async meanPreparedMs(sql: string, iterations: number, params: (i: number) => number[]): Promise<number> {
    const ps = await duckdb.prepare(this.raw, sql);
    try {
      const started = performance.now();
      for (let i = 0; i < iterations; i++) {
        params(i).forEach((v, j) => duckdb.bind_int32(ps, j + 1, v));
        const res = await duckdb.execute_prepared_streaming(ps);
        for (let chunk = await duckdb.fetch_chunk(res); chunk && duckdb.data_chunk_get_size(chunk) > 0; chunk = await duckdb.fetch_chunk(res));
      }
      return (performance.now() - started) / iterations;
    } finally {
      duckdb.destroy_prepare_sync(ps);
    }
  }

  /** Mean milliseconds of one duckdb_query of SQL text (parse, plan and run), texts from `text(i)`. */
  async meanQueryMs(text: (i: number) => string, iterations: number): Promise<number> {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) await duckdb.query(this.raw, text(i));
    return (performance.now() - started) / iterations;
  }

  /** The result as JSON-style values (numbers and strings), for result checks. */
  async values(sql: string): Promise<{ fields: string[]; values: (string | number | boolean | null)[][] }> {
    const reader = await new DuckDBConnection(this.raw).runAndReadAll(sql);
    return { fields: reader.columnNames(), values: reader.getRowsJson() as (string | number | boolean | null)[][] };
  }

  close(): void {
    this.engine.close();
  }
}
