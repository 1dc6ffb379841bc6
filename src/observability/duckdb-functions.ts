import duckdb, { type Connection, type DataChunk, type Vector } from '@duckdb/node-bindings';

/**
 * Small DuckDB functions implemented in JavaScript, for the gateway's own
 * system views. DuckDB calls them on the Node main thread (one call at a time,
 * synchronously), so they must only read in-memory state: never await, never
 * touch a DuckDB connection.
 */

export type ColumnType = 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'TIMESTAMPTZ' | 'BOOLEAN';

export interface ColumnDef {
  name: string;
  type: ColumnType;
}

/** TIMESTAMPTZ cells are epoch milliseconds. */
export type Cell = string | number | boolean | null;

/** Thrown by a function body to fail the query with this SQLSTATE. */
export class FunctionError extends Error {
  constructor(
    readonly sqlstate: string,
    message: string,
  ) {
    super(message);
  }
}

/** The message form `translateDuckDbError` turns back into the SQLSTATE. */
function errorMessage(e: unknown): string {
  if (e instanceof FunctionError) return `lakegate:${e.sqlstate}: ${e.message}`;
  return `lakegate:XX000: ${e instanceof Error ? e.message : String(e)}`;
}

const DUCK_TYPE: Record<ColumnType, duckdb.Type> = {
  INTEGER: duckdb.Type.INTEGER,
  BIGINT: duckdb.Type.BIGINT,
  DOUBLE: duckdb.Type.DOUBLE,
  VARCHAR: duckdb.Type.VARCHAR,
  TIMESTAMPTZ: duckdb.Type.TIMESTAMP_TZ,
  BOOLEAN: duckdb.Type.BOOLEAN,
};

const WIDTH: Record<ColumnType, number> = { INTEGER: 4, BIGINT: 8, DOUBLE: 8, VARCHAR: 16, TIMESTAMPTZ: 8, BOOLEAN: 1 };

/**
 * Vector memory handed to JS is a copy: values are written into a local
 * buffer and copied into the vector (the way @duckdb/node-api's writers do).
 */
function nullMask(n: number): Buffer {
  return Buffer.alloc(Math.ceil(n / 64) * 8, 0xff);
}

function setNull(mask: Buffer, i: number): void {
  mask[i >> 3]! &= ~(1 << (i & 7));
}

function flushValidity(v: Vector, mask: Buffer | null): void {
  if (!mask) return;
  duckdb.vector_ensure_validity_writable(v);
  duckdb.copy_data_to_vector_validity(v, 0, mask.buffer as ArrayBuffer, mask.byteOffset, mask.byteLength);
}

/** Writes rows[start..start+n) of one column into a vector. */
function writeColumn(v: Vector, type: ColumnType, rows: Cell[][], col: number, start: number, n: number): void {
  let mask: Buffer | null = null;
  const data = type === 'VARCHAR' ? null : Buffer.alloc(WIDTH[type] * n);
  for (let i = 0; i < n; i++) {
    const cell = rows[start + i]![col];
    if (cell === null || cell === undefined) {
      mask ??= nullMask(n);
      setNull(mask, i);
      continue;
    }
    switch (type) {
      case 'VARCHAR':
        duckdb.vector_assign_string_element(v, i, String(cell));
        break;
      case 'INTEGER':
        data!.writeInt32LE(Number(cell), i * 4);
        break;
      case 'BIGINT':
        data!.writeBigInt64LE(BigInt(Math.trunc(Number(cell))), i * 8);
        break;
      case 'DOUBLE':
        data!.writeDoubleLE(Number(cell), i * 8);
        break;
      case 'TIMESTAMPTZ':
        data!.writeBigInt64LE(BigInt(Math.round(Number(cell) * 1000)), i * 8);
        break;
      case 'BOOLEAN':
        data![i] = cell ? 1 : 0;
        break;
    }
  }
  if (data && n > 0) duckdb.copy_data_to_vector(v, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  flushValidity(v, mask);
}

interface RowsBindData {
  caller: number;
}

interface RowsInitData {
  rows: Cell[][];
  pos: number;
}

/**
 * Registers a table function `name()` returning `columns`. `rows` is called
 * once per execution (not per prepare, so a re-executed prepared statement
 * sees fresh rows) with DuckDB's id of the calling connection; `authorize`
 * runs at bind time so a refused caller gets its error before anything runs.
 */
export function registerRowsFunction(
  conn: Connection,
  name: string,
  columns: readonly ColumnDef[],
  authorize: (callerConnectionId: number) => void,
  rows: (callerConnectionId: number) => Cell[][],
): void {
  const tf = duckdb.create_table_function();
  duckdb.table_function_set_name(tf, name);
  duckdb.table_function_set_bind(tf, (info) => {
    const caller = duckdb.client_context_get_connection_id(duckdb.table_function_get_client_context(info));
    try {
      authorize(caller);
    } catch (e) {
      duckdb.bind_set_error(info, errorMessage(e));
      return;
    }
    for (const c of columns) duckdb.bind_add_result_column(info, c.name, duckdb.create_logical_type(DUCK_TYPE[c.type]));
    duckdb.bind_set_bind_data(info, { caller } satisfies RowsBindData);
  });
  duckdb.table_function_set_init(tf, (info) => {
    const bind = duckdb.init_get_bind_data(info) as RowsBindData;
    try {
      authorize(bind.caller);
      duckdb.init_set_init_data(info, { rows: rows(bind.caller), pos: 0 } satisfies RowsInitData);
    } catch (e) {
      duckdb.init_set_error(info, errorMessage(e));
    }
  });
  duckdb.table_function_set_function(tf, (info, output: DataChunk) => {
    const state = duckdb.function_get_init_data(info) as RowsInitData;
    const n = Math.min(state.rows.length - state.pos, duckdb.vector_size());
    for (let c = 0; c < columns.length; c++) writeColumn(duckdb.data_chunk_get_vector(output, c), columns[c]!.type, state.rows, c, state.pos, n);
    state.pos += n;
    duckdb.data_chunk_set_size(output, n);
  });
  duckdb.register_table_function(conn, tf);
}

/**
 * Registers a volatile scalar function `name(INTEGER) -> BOOLEAN`; `fn` gets
 * the calling connection's id and the argument (NULL in, NULL out).
 */
export function registerIntToBoolFunction(conn: Connection, name: string, fn: (callerConnectionId: number, arg: number) => boolean): void {
  const sf = duckdb.create_scalar_function();
  duckdb.scalar_function_set_name(sf, name);
  duckdb.scalar_function_add_parameter(sf, duckdb.create_logical_type(duckdb.Type.INTEGER));
  duckdb.scalar_function_set_return_type(sf, duckdb.create_logical_type(duckdb.Type.BOOLEAN));
  duckdb.scalar_function_set_volatile(sf);
  duckdb.scalar_function_set_bind(sf, (info) => {
    const caller = duckdb.client_context_get_connection_id(duckdb.scalar_function_get_client_context(info));
    duckdb.scalar_function_set_bind_data(info, { caller });
  });
  duckdb.scalar_function_set_function(sf, (info, input, output) => {
    const { caller } = duckdb.scalar_function_get_bind_data(info) as { caller: number };
    const n = duckdb.data_chunk_get_size(input);
    const inVec = duckdb.data_chunk_get_vector(input, 0);
    const inData = duckdb.vector_get_data(inVec, 4 * n);
    const inView = new DataView(inData.buffer, inData.byteOffset, inData.byteLength);
    const inValidity = duckdb.vector_get_validity(inVec, Math.ceil(n / 64) * 8);
    const out = Buffer.alloc(n);
    let mask: Buffer | null = null;
    try {
      for (let i = 0; i < n; i++) {
        if (!duckdb.validity_row_is_valid(inValidity, i)) {
          mask ??= nullMask(n);
          setNull(mask, i);
          continue;
        }
        out[i] = fn(caller, inView.getInt32(i * 4, true)) ? 1 : 0;
      }
    } catch (e) {
      duckdb.scalar_function_set_error(info, errorMessage(e));
      return;
    }
    if (n > 0) duckdb.copy_data_to_vector(output, 0, out.buffer as ArrayBuffer, out.byteOffset, out.byteLength);
    flushValidity(output, mask);
  });
  duckdb.register_scalar_function(conn, sf);
}
