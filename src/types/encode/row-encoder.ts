import duckdb, { type DataChunk } from '@duckdb/node-bindings';
import type { BufferWriter } from '../../protocol/buffer-writer.js';
import type { DuckType } from '../duck-type.js';
import { binaryFieldWriter } from './binary.js';
import { textFieldWriter, type EncodeContext } from './text.js';
import { writeNull, type FieldWriter } from './vector.js';

type RowLoop = (w: BufferWriter, from: number, to: number, fields: FieldWriter[], writeNull: (w: BufferWriter) => void) => void;

const loops = new Map<number, RowLoop>();

/**
 * Builds the DataRow loop for `n` columns once, with one call site per column,
 * so that each site stays monomorphic (no per-cell switch on the type). NULLs
 * are found here from each column's validity bits; writers only see values.
 */
function rowLoop(n: number): RowLoop {
  let loop = loops.get(n);
  if (loop) return loop;
  const head = Array.from({ length: n }, (_, i) => `const f${i} = fields[${i}]; const m${i} = f${i}.nullMask;`).join('\n');
  const calls = Array.from(
    { length: n },
    (_, i) => `if (m${i} !== null && ((m${i}[r >> 3] >> (r & 7)) & 1) === 0) writeNull(w); else f${i}.writeValue(w, r);`,
  ).join('\n  ');
  const body = `${head}
for (let r = from; r < to; r++) {
  w.ensure(7);
  const start = w.pos;
  const buf = w.buf;
  buf[start] = 0x44;
  buf[start + 5] = ${(n >> 8) & 0xff};
  buf[start + 6] = ${n & 0xff};
  w.pos = start + 7;
  ${calls}
  const len = w.pos - start - 1;
  const b = w.buf;
  b[start + 1] = len >>> 24;
  b[start + 2] = len >>> 16;
  b[start + 3] = len >>> 8;
  b[start + 4] = len;
}`;
  loop = new Function('w', 'from', 'to', 'fields', 'writeNull', body) as RowLoop;
  loops.set(n, loop);
  return loop;
}

/** Encodes the rows of DuckDB chunks as DataRow messages, each column in its requested format. */
export class RowEncoder {
  private readonly fields: FieldWriter[];
  private readonly loop: RowLoop;

  constructor(types: readonly DuckType[], formats: readonly number[], ctx: EncodeContext) {
    this.fields = types.map((t, i) => (formats[i] === 1 ? binaryFieldWriter(t, ctx) : textFieldWriter(t, ctx)));
    this.loop = rowLoop(types.length);
  }

  /** Prepares the column writers for a chunk; call before `encode`. */
  load(chunk: DataChunk, rows: number): void {
    for (let c = 0; c < this.fields.length; c++) {
      this.fields[c]!.load(duckdb.data_chunk_get_vector(chunk, c), rows);
    }
  }

  /** Appends DataRows for rows [from, to) of the loaded chunk. */
  encode(w: BufferWriter, from: number, to: number): void {
    this.loop(w, from, to, this.fields, writeNull);
  }

  /** The column writers, for COPY formats that reuse the field encoding. */
  get fieldWriters(): readonly FieldWriter[] {
    return this.fields;
  }
}

/** Expands Bind's result-format codes (0, 1 or n entries) to one per column. */
export function expandFormats(codes: readonly number[], columns: number): number[] {
  if (codes.length === 0) return new Array<number>(columns).fill(0);
  if (codes.length === 1) return new Array<number>(columns).fill(codes[0]!);
  return [...codes];
}
