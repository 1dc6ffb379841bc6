import duckdb, { type DataChunk, type Result } from '@duckdb/node-bindings';
import { BufferWriter } from '../protocol/buffer-writer.js';
import { describeLogicalType } from '../types/duck-type.js';
import { RowEncoder } from '../types/encode/row-encoder.js';
import { UTC } from '../types/timezone.js';
import type { ColumnMeta } from './connection.js';
import { chunkFetched } from './chunk-reclaimer.js';
import { translateDuckDbError } from './duckdb-errors.js';

/**
 * A streaming DuckDB result. `next()` returns chunks in order and starts
 * fetching the following chunk before handing one out, so DuckDB works on
 * chunk n+1 while the caller encodes chunk n. At most two chunks are alive.
 */
export class StreamingResult {
  readonly columns: ColumnMeta[];
  private pending: Promise<DataChunk | null> | null = null;
  private finished = false;
  /** Chunks read ahead when the result had to be detached from its connection. */
  private buffered: DataChunk[] | null = null;
  /** Called once the result has been read to the end or closed. */
  onDone: (() => void) | null = null;

  constructor(
    private readonly res: Result,
    readonly statementType: duckdb.StatementType,
  ) {
    const n = duckdb.column_count(res);
    this.columns = [];
    for (let i = 0; i < n; i++) {
      this.columns.push({ name: duckdb.column_name(res, i), type: describeLogicalType(duckdb.column_logical_type(res, i)) });
    }
  }

  get returnType(): duckdb.ResultType {
    return duckdb.result_return_type(this.res);
  }

  get isDone(): boolean {
    return this.finished && !this.buffered?.length;
  }

  private fetch(): Promise<DataChunk | null> {
    return duckdb.fetch_chunk(this.res).catch((e: unknown) => {
      throw translateDuckDbError(e);
    });
  }

  /** The next non-empty chunk, or null at the end. */
  async next(): Promise<DataChunk | null> {
    if (this.buffered) {
      const c = this.buffered.shift() ?? null;
      if (!c) this.markDone();
      return c;
    }
    if (this.finished) return null;
    for (;;) {
      const p = this.pending ?? this.fetch();
      this.pending = null;
      let chunk: DataChunk | null;
      try {
        chunk = await p;
      } catch (e) {
        this.markDone();
        throw e;
      }
      if (!chunk || duckdb.data_chunk_get_size(chunk) === 0) {
        this.markDone();
        return null;
      }
      chunkFetched();
      this.pending = this.fetch();
      // avoid an unhandled rejection if the caller stops before awaiting it
      this.pending.catch(() => undefined);
      return chunk;
    }
  }

  private markDone(): void {
    this.finished = true;
    this.pending = null;
    const cb = this.onDone;
    this.onDone = null;
    cb?.();
  }

  /**
   * Reads the rest of the result into memory so the connection can run other
   * statements (DuckDB ends a streaming result when the next statement starts).
   * Used when a suspended portal or open cursor must outlive the next statement.
   */
  async materialize(): Promise<void> {
    if (this.buffered || this.finished) return;
    const chunks: DataChunk[] = [];
    const onDone = this.onDone;
    this.onDone = null;
    for (let c = await this.next(); c; c = await this.next()) chunks.push(c);
    this.buffered = chunks;
    this.finished = false;
    onDone?.();
  }

  /** Stops reading; any prefetched chunk is dropped. */
  close(): void {
    this.buffered = null;
    this.markDone();
  }

  /** Reads every row as PostgreSQL text values (for small internal results). */
  async collectRows(): Promise<Record<string, string | null>[]> {
    const enc = new RowEncoder(
      this.columns.map((c) => c.type),
      [],
      { timeZone: UTC },
    );
    const rows: Record<string, string | null>[] = [];
    const w = new BufferWriter(4096);
    for (let chunk = await this.next(); chunk; chunk = await this.next()) {
      const n = duckdb.data_chunk_get_size(chunk);
      enc.load(chunk, n);
      w.pos = 0;
      enc.encode(w, 0, n);
      let p = 0;
      for (let r = 0; r < n; r++) {
        p += 7; // type, length, column count
        const row: Record<string, string | null> = {};
        for (const col of this.columns) {
          const len = w.buf.readInt32BE(p);
          p += 4;
          if (len < 0) row[col.name] = null;
          else {
            row[col.name] = w.buf.toString('utf8', p, p + len);
            p += len;
          }
        }
        rows.push(row);
      }
    }
    return rows;
  }
}
