import duckdb, { type Connection, type PreparedStatement } from '@duckdb/node-bindings';
import { describeLogicalType, type DuckType } from '../types/duck-type.js';
import { annotateDuckType } from '../types/type-map.js';
import { translateDuckDbError } from './duckdb-errors.js';
import { StreamingResult } from './result.js';

export interface ColumnMeta {
  name: string;
  type: DuckType;
}

/** A DuckDB prepared statement with what Describe needs to know before execution. */
export class PreparedQuery {
  readonly paramTypes: (DuckType | null)[];
  /** Result columns, or null when they depend on the parameter values. */
  readonly columns: ColumnMeta[] | null;
  readonly statementType: duckdb.StatementType;
  private destroyed = false;
  /** PostgreSQL types for result columns that DuckDB's types cannot express (see annotate()). */
  private annotations: (string | null)[] | null = null;

  constructor(
    private readonly conn: EngineConnection,
    readonly ps: PreparedStatement,
    readonly sql: string,
  ) {
    const n = duckdb.nparams(ps);
    this.paramTypes = [];
    for (let i = 1; i <= n; i++) {
      const t = duckdb.param_type(ps, i);
      this.paramTypes.push(t === duckdb.Type.INVALID || t === duckdb.Type.ANY ? null : describeLogicalType(duckdb.param_logical_type(ps, i)));
    }
    this.statementType = duckdb.prepared_statement_type(ps);
    const count = duckdb.prepared_statement_column_count(ps);
    let cols: ColumnMeta[] | null = [];
    for (let i = 0; i < count; i++) {
      const t = duckdb.prepared_statement_column_type(ps, i);
      if (t === duckdb.Type.INVALID) {
        cols = null;
        break;
      }
      cols.push({
        name: duckdb.prepared_statement_column_name(ps, i),
        type: describeLogicalType(duckdb.prepared_statement_column_logical_type(ps, i)),
      });
    }
    this.columns = cols;
  }

  /**
   * Presents result columns as the given PostgreSQL types (oid, name, ...):
   * DuckDB drops type aliases from results, so the rewrite that knows them
   * passes them here. Ignored when the column count does not match.
   */
  annotate(types: readonly (string | null)[]): void {
    if (!this.columns || this.columns.length !== types.length) return;
    this.annotations = [...types];
    this.applyAnnotations(this.columns);
  }

  private applyAnnotations(columns: ColumnMeta[]): void {
    const a = this.annotations;
    if (!a || columns.length !== a.length) return;
    for (let i = 0; i < columns.length; i++) {
      const t = a[i];
      if (t && columns[i]!.type.alias !== t) columns[i]!.type = annotateDuckType(columns[i]!.type, t);
    }
  }

  get paramCount(): number {
    return this.paramTypes.length;
  }

  /** Runs the statement with the bound parameters and streams its result. */
  async execute(): Promise<StreamingResult> {
    await this.conn.detachActive();
    return this.conn.track(async () => {
      try {
        const res = await duckdb.execute_prepared_streaming(this.ps);
        const result = new StreamingResult(res, this.statementType);
        this.applyAnnotations(result.columns);
        return this.conn.adopt(result);
      } catch (e) {
        throw translateDuckDbError(e, this.sql);
      }
    });
  }

  /** Set when the statement may be reused: destroy() then hands it back instead. */
  recycle: ((q: PreparedQuery) => void) | null = null;

  /** Done with the statement: back to its session's cache when it has one, else freed. */
  destroy(): void {
    if (this.destroyed) return;
    if (this.recycle) return this.recycle(this);
    this.dispose();
  }

  /** Frees the DuckDB prepared statement. */
  dispose(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.recycle = null;
    duckdb.destroy_prepare_sync(this.ps);
  }
}

/** One DuckDB connection: each client session owns one. */
export class EngineConnection {
  private closed = false;
  private running = 0;
  /** The streaming result DuckDB is still producing on this connection, if any. */
  private active: StreamingResult | null = null;

  /** DuckDB's id for this connection: what JS table and scalar functions see as their caller. */
  readonly id: number;

  constructor(readonly raw: Connection) {
    this.id = duckdb.client_context_get_connection_id(duckdb.connection_get_client_context(raw));
  }

  /** Registers the connection's new streaming result. */
  adopt(result: StreamingResult): StreamingResult {
    this.active = result;
    result.onDone = () => {
      if (this.active === result) this.active = null;
    };
    return result;
  }

  /**
   * DuckDB ends an open streaming result silently when the connection runs
   * anything else, so an unfinished one is read into memory first.
   */
  async detachActive(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = null;
    await a.materialize();
  }

  get busy(): boolean {
    return this.running > 0;
  }

  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
    }
  }

  async prepare(sql: string): Promise<PreparedQuery> {
    await this.detachActive();
    try {
      const ps = await this.track(() => duckdb.prepare(this.raw, sql));
      return new PreparedQuery(this, ps, sql);
    } catch (e) {
      throw translateDuckDbError(e, sql);
    }
  }

  /** Prepares, executes and streams a statement without parameters. */
  async query(sql: string): Promise<StreamingResult> {
    const pq = await this.prepare(sql);
    try {
      return await pq.execute();
    } finally {
      pq.destroy();
    }
  }

  /** Runs a statement to completion, discarding any result. */
  async run(sql: string): Promise<void> {
    await this.detachActive();
    try {
      await this.track(() => duckdb.query(this.raw, sql));
    } catch (e) {
      throw translateDuckDbError(e, sql);
    }
  }

  /** Runs a query and returns all rows as JS values (for small internal queries only). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const res = await this.query(sql);
    return res.collectRows();
  }

  /** Stops the running query; safe to call at any time. */
  interrupt(): void {
    if (!this.closed) duckdb.interrupt(this.raw);
  }

  /** Percentage of the running query done, or -1 when unknown. */
  progress(): number {
    if (this.closed) return -1;
    return duckdb.query_progress(this.raw).percentage;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    duckdb.disconnect_sync(this.raw);
  }
}
