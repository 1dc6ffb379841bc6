import duckdb from '@duckdb/node-bindings';
import type { StreamingResult } from '../engine/result.js';
import { BufferWriter } from '../protocol/buffer-writer.js';
import { RowEncoder } from '../types/encode/row-encoder.js';
import { UTC } from '../types/timezone.js';

/**
 * Reads a DuckDB result chunk by chunk as rows of PostgreSQL text values
 * (timestamps in UTC), handing each chunk's rows to `onRows` before the next
 * chunk is read. For rows lakegate itself sends on (writes to a source).
 */
export async function forEachTextRows(result: StreamingResult, onRows: (rows: (string | null)[][]) => Promise<void> | void): Promise<number> {
  const n = result.columns.length;
  const enc = new RowEncoder(
    result.columns.map((c) => c.type),
    [],
    { timeZone: UTC },
  );
  const w = new BufferWriter(64 * 1024);
  let total = 0;
  for (let chunk = await result.next(); chunk; chunk = await result.next()) {
    const size = duckdb.data_chunk_get_size(chunk);
    enc.load(chunk, size);
    w.pos = 0;
    enc.encode(w, 0, size);
    const rows: (string | null)[][] = new Array(size);
    let p = 0;
    for (let r = 0; r < size; r++) {
      p += 7; // message type, length, column count
      const row: (string | null)[] = new Array(n);
      for (let c = 0; c < n; c++) {
        const len = w.buf.readInt32BE(p);
        p += 4;
        if (len < 0) row[c] = null;
        else {
          row[c] = w.buf.toString('utf8', p, p + len);
          p += len;
        }
      }
      rows[r] = row;
    }
    total += size;
    await onRows(rows);
  }
  return total;
}
