import { putInt32 } from '../../protocol/bytes.js';
import duckdb, { type Vector } from '@duckdb/node-bindings';
import type { BufferWriter } from '../../protocol/buffer-writer.js';

/** Writes one column of a DataRow: `int32 length` + bytes, or -1 for NULL. */
export interface FieldWriter {
  /** Points the writer at the vector of the current chunk. */
  load(vector: Vector, rows: number): void;
  /** Writes the field, NULL included. */
  write(w: BufferWriter, row: number): void;
  /**
   * Writes a field known not to be NULL according to `nullMask`. The DataRow
   * loop checks the mask itself, so that no shared base method (whose inline
   * caches would see every writer class) sits on the per-cell path.
   */
  writeValue(w: BufferWriter, row: number): void;
  /** The chunk's validity bits to check before writeValue; null when every row is valid or the writer handles NULLs itself. */
  readonly nullMask: Uint8Array | null;
}

/** Shared plumbing: the vector's raw data, its validity mask, and NULL output. */
export abstract class FlatField implements FieldWriter {
  protected data: Buffer = Buffer.alloc(0);
  protected validity: Uint8Array | null = null;
  protected i32: Int32Array = new Int32Array(0);
  protected u32: Uint32Array = new Uint32Array(0);
  protected f64: Float64Array = new Float64Array(0);

  constructor(protected readonly width: number) {}

  load(vector: Vector, rows: number): void {
    this.data = duckdb.vector_get_data(vector, rows * this.width) as Buffer;
    this.validity = duckdb.vector_get_validity(vector, ((rows + 63) >> 6) * 8);
    if (this.width >= 4) {
      this.i32 = new Int32Array(this.data.buffer, this.data.byteOffset, (rows * this.width) >> 2);
      this.u32 = new Uint32Array(this.data.buffer, this.data.byteOffset, (rows * this.width) >> 2);
      if (this.width === 8 && (this.data.byteOffset & 7) === 0) this.f64 = new Float64Array(this.data.buffer, this.data.byteOffset, rows);
    }
  }

  get nullMask(): Uint8Array | null {
    return this.validity;
  }

  write(w: BufferWriter, row: number): void {
    const v = this.validity;
    if (v !== null && ((v[row >> 3]! >> (row & 7)) & 1) === 0) return writeNull(w);
    this.writeValue(w, row);
  }

  abstract writeValue(w: BufferWriter, row: number): void;
}

/** The int64 at 32-bit word `word` (little-endian pair) as a number when it is a safe integer, else NaN. */
export function int64At(i32: Int32Array, u32: Uint32Array, word: number): number {
  const hi = i32[word + 1]!;
  if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + u32[word]!;
  return NaN;
}

export function writeNull(w: BufferWriter): void {
  w.ensure(4);
  putInt32(w.buf, w.pos, -1);
  w.pos += 4;
}

export function isValid(validity: Uint8Array | null, row: number): boolean {
  return validity === null || ((validity[row >> 3]! >> (row & 7)) & 1) === 1;
}

/** Reads a DuckDB string_t (16 bytes): inline when length <= 12, else through its pointer. */
export function readStringBytes(data: Buffer, offset: number): Uint8Array {
  const len = data.readUInt32LE(offset);
  if (len <= 12) return data.subarray(offset + 4, offset + 4 + len);
  return duckdb.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + offset + 8, len);
}

/** Reads a 128-bit integer (lower uint64, upper int64), little-endian. */
export function readInt128(data: Buffer, offset: number, unsigned = false): bigint {
  const lo = data.readBigUInt64LE(offset);
  const hi = unsigned ? data.readBigUInt64LE(offset + 8) : data.readBigInt64LE(offset + 8);
  return (hi << 64n) | lo;
}
