import duckdb, { type Appender, type DataChunk, type LogicalType } from '@duckdb/node-bindings';
import { quoteIdent } from '../../catalog/install.js';
import type { EngineConnection } from '../../engine/connection.js';
import type { DuckType } from '../../types/duck-type.js';
import { duckTypeDdl } from '../column-type.js';
import { columnWriter, type ColumnWriter } from './writers.js';

export interface LoadColumn {
  name: string;
  type: DuckType;
}

const CHUNK_ROWS = 2048;

function logicalType(d: DuckType): LogicalType {
  switch (d.id) {
    case duckdb.Type.DECIMAL:
      return duckdb.create_decimal_type(d.width!, d.scale!);
    case duckdb.Type.LIST:
      return duckdb.create_list_type(logicalType(d.child!));
    case duckdb.Type.ENUM:
      return duckdb.create_enum_type(d.enumValues!);
    default: {
      const lt = duckdb.create_logical_type(d.id);
      if (d.alias) duckdb.logical_type_set_alias(lt, d.alias);
      return lt;
    }
  }
}

/**
 * A session temporary table being filled with rows fetched from a source:
 * rows arrive as arrays of driver values, are cut into 2048-row data chunks
 * written column by column from raw buffers, and go in through the appender.
 * Temporary tables belong to the session's own DuckDB connection, so they are
 * invisible to other sessions and live inside the client's transaction.
 */
export class TempTableLoader {
  private readonly appender: Appender;
  private readonly writers: ColumnWriter[];
  private readonly chunk: DataChunk;
  private readonly columnValues: unknown[][];
  rows = 0;
  private closed = false;

  private constructor(
    private readonly conn: EngineConnection,
    readonly table: string,
    readonly columns: LoadColumn[],
    pgText: boolean,
  ) {
    this.appender = duckdb.appender_create_ext(conn.raw, 'temp', 'main', table);
    this.writers = columns.map((c) => columnWriter(c.type, pgText));
    this.chunk = duckdb.create_data_chunk(columns.map((c) => logicalType(c.type)));
    this.columnValues = columns.map(() => new Array<unknown>(CHUNK_ROWS));
  }

  /** Creates (or replaces) the temporary table and an appender for it. */
  static async create(conn: EngineConnection, table: string, columns: LoadColumn[], pgText: boolean): Promise<TempTableLoader> {
    const cols = columns.map((c) => `${quoteIdent(c.name)} ${duckTypeDdl(c.type)}`).join(', ');
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} (${cols})`);
    return new TempTableLoader(conn, table, columns, pgText);
  }

  /** Appends rows (arrays of values in column order). */
  append(rows: readonly (readonly unknown[])[]): void {
    const ncols = this.columns.length;
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows.length - start);
      duckdb.data_chunk_reset(this.chunk);
      for (let c = 0; c < ncols; c++) {
        const vals = this.columnValues[c]!;
        for (let i = 0; i < n; i++) vals[i] = rows[start + i]![c];
        this.writers[c]!.write(duckdb.data_chunk_get_vector(this.chunk, c), vals, n);
      }
      duckdb.data_chunk_set_size(this.chunk, n);
      duckdb.append_data_chunk(this.appender, this.chunk);
      this.rows += n;
    }
  }

  /** Flushes the appender so the rows are visible to the session's next statement. */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    duckdb.appender_close_sync(this.appender);
  }

  /** Drops what was appended (after an error). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      duckdb.appender_clear(this.appender);
      duckdb.appender_close_sync(this.appender);
    } catch {
      /* the table is dropped or replaced anyway */
    }
  }

  get connection(): EngineConnection {
    return this.conn;
  }
}
