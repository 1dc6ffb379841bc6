import duckdb, { type DataChunk } from '@duckdb/node-bindings';
import type { ColumnMeta } from '../engine/connection.js';
import { PgError, SqlState } from '../errors.js';
import type { StreamingResult } from '../engine/result.js';
import type { FieldDescription } from '../protocol/backend/results.js';
import type { Token } from '../sql/scanner.js';
import { pgTypeFor } from '../types/type-map.js';
import { expandFormats, RowEncoder } from '../types/encode/row-encoder.js';
import type { EncodeContext } from '../types/encode/text.js';
import { BufferWriter } from '../protocol/buffer-writer.js';

/** RowDescription fields for result columns in the given formats. */
export function describeColumns(columns: readonly ColumnMeta[], formats: readonly number[]): FieldDescription[] {
  return columns.map((c, i) => {
    const pg = pgTypeFor(c.type);
    return {
      name: c.name,
      tableOid: 0,
      columnAttr: 0,
      typeOid: pg.oid,
      typeLen: pg.typlen,
      typeMod: pg.typmod,
      format: formats[i] ?? 0,
    };
  });
}

/** Where a portal's rows go, and how it learns that it must stop. */
export interface RowSink {
  readonly writer: BufferWriter;
  /** Sends buffered output once enough has accumulated, honouring backpressure. */
  flushIfFull(): Promise<void>;
  /** Throws (57014 and friends) when the running statement was cancelled. */
  checkInterrupted(): void;
  /** Rows one statement may return (0 = no limit): more fail with 54000. */
  readonly maxResultRows?: number;
}

/** A sink that drops rows (MOVE) but still honours interrupts. */
export class DiscardSink implements RowSink {
  readonly writer = new BufferWriter(64 * 1024);
  constructor(private readonly inner: RowSink) {}
  get maxResultRows(): number {
    return this.inner.maxResultRows ?? 0;
  }
  async flushIfFull(): Promise<void> {
    this.writer.pos = 0;
  }
  checkInterrupted(): void {
    this.inner.checkInterrupted();
  }
}

/**
 * An executing query whose rows are sent in pieces: the DuckDB stream, the
 * chunk being sent, and how far into it we are. A row-limited Execute stops
 * mid-chunk and the next Execute continues from the same row.
 */
export class RowStream {
  private chunk: DataChunk | null = null;
  private chunkRows = 0;
  private offset = 0;
  private readonly encoder: RowEncoder;
  rowsSent = 0;
  finished = false;

  constructor(
    readonly result: StreamingResult,
    readonly formats: number[],
    ctx: EncodeContext,
  ) {
    this.encoder = new RowEncoder(
      result.columns.map((c) => c.type),
      formats,
      ctx,
    );
  }

  static create(result: StreamingResult, formatCodes: readonly number[], ctx: EncodeContext): RowStream {
    return new RowStream(result, expandFormats(formatCodes, result.columns.length), ctx);
  }

  /** Sends up to `maxRows` rows (0 = all). Returns true when the result is exhausted. */
  async send(sink: RowSink, maxRows: number): Promise<boolean> {
    const w = sink.writer;
    let sent = 0;
    while (maxRows === 0 || sent < maxRows) {
      if (this.chunk === null || this.offset >= this.chunkRows) {
        const next = await this.result.next();
        sink.checkInterrupted();
        if (!next) {
          this.chunk = null;
          this.finished = true;
          return true;
        }
        this.chunk = next;
        this.chunkRows = duckdb.data_chunk_get_size(next);
        this.offset = 0;
        this.encoder.load(next, this.chunkRows);
      }
      let take = maxRows === 0 ? this.chunkRows - this.offset : Math.min(this.chunkRows - this.offset, maxRows - sent);
      const limit = sink.maxResultRows ?? 0;
      const overLimit = limit > 0 && this.rowsSent + take > limit;
      if (overLimit) take = limit - this.rowsSent;
      this.encoder.encode(w, this.offset, this.offset + take);
      if (overLimit) throw resultTooLarge(limit);
      this.offset += take;
      sent += take;
      this.rowsSent += take;
      await sink.flushIfFull();
    }
    // the limit was reached: finished only if nothing is left
    if (this.offset < this.chunkRows) return false;
    return false;
  }

  /** Reads and discards the rest (used for statements whose rows the client does not get). */
  async drain(sink: RowSink): Promise<number> {
    let n = 0;
    for (let c = await this.result.next(); c; c = await this.result.next()) {
      sink.checkInterrupted();
      n += duckdb.data_chunk_get_size(c);
    }
    sink.checkInterrupted();
    this.finished = true;
    return n;
  }

  close(): void {
    this.chunk = null;
    this.finished = true;
    this.result.close();
  }
}

export function resultTooLarge(limit: number): PgError {
  return new PgError(SqlState.ProgramLimitExceeded, `result exceeds max_result_rows (${limit} rows)`, {
    hint: 'Add a LIMIT or a more selective filter.',
  });
}

/** A statement ready to run in DuckDB, as Parse left it. */
export interface QueryPlan {
  /** The statement as the client sent it. */
  text: string;
  tokens: Token[];
  /** What DuckDB runs after the compatibility rewrites. */
  sql: string;
}
