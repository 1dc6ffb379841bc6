import { quoteIdent } from '../sql/quote.js';
import duckdb from '@duckdb/node-bindings';
import { PgError, SqlState } from '../errors.js';
import { BufferWriter } from '../protocol/buffer-writer.js';
import { copyDone, } from '../protocol/backend/results.js';
import { copyOutResponse } from '../protocol/backend/copy.js';
import { BackendCode } from '../protocol/backend/codes.js';
import type { Statement, CopyOptions } from '../sql/statement.js';
import { scan } from '../sql/scanner.js';
import { RowEncoder } from '../types/encode/row-encoder.js';
import type { Session } from './session.js';
import { prepareEntry } from './prepare.js';
import { resultTooLarge } from './portal.js';
import { executeEntry } from '../federation/session-hooks.js';

/** \b \t \n \v \f \r as COPY text writes them (index = byte value). */
const TEXT_ESCAPES = [0, 0, 0, 0, 0, 0, 0, 0, 98, 116, 110, 118, 102, 114];

const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Rewrites DataRow fields (text form) into COPY text or CSV lines. */
class LineFormatter {
  private readonly delim: number;
  private readonly quote: number;
  private readonly escape: number;
  private readonly nullBytes: Buffer;
  private readonly forceQuote: Set<number>;

  constructor(
    private readonly o: CopyOptions,
    columns: string[],
  ) {
    const csv = o.format === 'csv';
    const d = o.delimiter ?? (csv ? ',' : '\t');
    if (Buffer.byteLength(d) !== 1) throw new PgError(SqlState.FeatureNotSupported, 'COPY delimiter must be a single one-byte character');
    this.delim = d.charCodeAt(0);
    this.quote = (o.quote ?? '"').charCodeAt(0);
    this.escape = (o.escape ?? o.quote ?? '"').charCodeAt(0);
    this.nullBytes = Buffer.from(o.null ?? (csv ? '' : '\\N'), 'utf8');
    const fq = o.forceQuote;
    this.forceQuote = new Set(fq === '*' ? columns.map((_, i) => i) : (fq ?? []).map((n) => columns.indexOf(n)).filter((i) => i >= 0));
  }

  /** Appends one line for the DataRow at `p` in `src`; returns the offset after it. */
  line(out: BufferWriter, src: Buffer, p: number): number {
    const n = src.readInt16BE(p + 5);
    p += 7;
    for (let c = 0; c < n; c++) {
      if (c > 0) out.byte(this.delim);
      const len = src.readInt32BE(p);
      p += 4;
      if (len < 0) {
        out.bytes(this.nullBytes);
        continue;
      }
      if (this.o.format === 'csv') this.csvField(out, src, p, p + len, c);
      else this.textField(out, src, p, p + len);
      p += len;
    }
    out.byte(10);
    return p;
  }

  private textField(out: BufferWriter, src: Buffer, start: number, end: number): void {
    out.ensure((end - start) * 2);
    const buf = out.buf;
    let q = out.pos;
    for (let i = start; i < end; i++) {
      const ch = src[i]!;
      // as CopyAttributeOutText: control characters as C escapes, then backslash and the delimiter
      const esc = ch < 14 ? TEXT_ESCAPES[ch]! : 0;
      if (esc !== 0) {
        buf[q++] = 92;
        buf[q++] = esc;
      } else if (ch === 92 || ch === this.delim) {
        buf[q++] = 92;
        buf[q++] = ch;
      } else buf[q++] = ch;
    }
    out.pos = q;
  }

  private csvField(out: BufferWriter, src: Buffer, start: number, end: number, col: number): void {
    let needs = this.forceQuote.has(col) || end === start;
    if (!needs && end - start === this.nullBytes.length && src.subarray(start, end).equals(this.nullBytes)) needs = true;
    if (!needs && end - start === 2 && src[start] === 92 && src[start + 1] === 46) needs = true; // \.
    for (let i = start; !needs && i < end; i++) {
      const ch = src[i]!;
      if (ch === this.delim || ch === this.quote || ch === 10 || ch === 13) needs = true;
    }
    if (!needs) {
      out.bytes(src, start, end);
      return;
    }
    out.ensure((end - start) * 2 + 2);
    const buf = out.buf;
    let q = out.pos;
    buf[q++] = this.quote;
    for (let i = start; i < end; i++) {
      const ch = src[i]!;
      if (ch === this.quote || ch === this.escape) buf[q++] = this.escape;
      buf[q++] = ch;
    }
    buf[q++] = this.quote;
    out.pos = q;
  }
}

function quoteIdentList(cols: string[]): string {
  return cols.map(quoteIdent).join(', ');
}

/** COPY ... TO STDOUT: CopyOutResponse, the data as CopyData, CopyDone; returns the tag. */
export async function runCopyOut(session: Session, st: Extract<Statement, { kind: 'copy_out' }>): Promise<string> {
  const text = st.table !== null ? `SELECT ${st.columns ? quoteIdentList(st.columns) : '*'} FROM ${st.table}` : st.query;
  const tokens = st.queryTokens ?? scan(text);
  const entry = await prepareEntry(session, '', text, { kind: 'query', text, tokens }, []);
  const o = st.options;
  const binary = o.format === 'binary';
  try {
    const result = await executeEntry(session, entry, null);
    session.checkInterrupted();
    const columns = result.columns;
    const encoder = new RowEncoder(
      columns.map((c) => c.type),
      columns.map(() => (binary ? 1 : 0)),
      session.encodeContext(),
    );
    const formatter = binary ? null : new LineFormatter(o, columns.map((c) => c.name));
    const w = session.conn.writer;
    copyOutResponse(w, binary, columns.length);
    const scratch = new BufferWriter(256 * 1024);
    const emit = (data: Buffer, start: number, end: number): void => {
      const s = w.begin(BackendCode.CopyData);
      w.bytes(data, start, end);
      w.end(s);
    };
    if (binary) {
      const h = new BufferWriter(32);
      h.bytes(BINARY_SIGNATURE).int32(0).int32(0);
      emit(h.buf, 0, h.pos);
    } else if (o.header && o.format === 'csv') {
      const h = new BufferWriter(256);
      const hw = new BufferWriter(256);
      const start = hw.begin(0x44);
      hw.int16(columns.length);
      for (const c of columns) {
        const b = Buffer.from(c.name, 'utf8');
        hw.int32(b.length).bytes(b);
      }
      hw.end(start);
      formatter!.line(h, hw.buf, 0);
      emit(h.buf, 0, h.pos);
    }
    let rows = 0;
    for (let chunk = await result.next(); chunk; chunk = await result.next()) {
      session.checkInterrupted();
      const n = duckdb.data_chunk_get_size(chunk);
      if (session.maxResultRows > 0 && rows + n > session.maxResultRows) throw resultTooLarge(session.maxResultRows);
      encoder.load(chunk, n);
      scratch.pos = 0;
      encoder.encode(scratch, 0, n);
      if (binary) {
        // a binary COPY tuple is a DataRow body: int16 count + fields
        const s = w.begin(BackendCode.CopyData);
        let p = 0;
        for (let r = 0; r < n; r++) {
          const len = scratch.buf.readInt32BE(p + 1);
          w.bytes(scratch.buf, p + 5, p + 1 + len);
          p += 1 + len;
        }
        w.end(s);
      } else {
        const s = w.begin(BackendCode.CopyData);
        let p = 0;
        for (let r = 0; r < n; r++) p = formatter!.line(w, scratch.buf, p);
        w.end(s);
      }
      rows += n;
      await session.conn.flushIfFull();
    }
    session.checkInterrupted();
    if (binary) {
      const t = Buffer.alloc(2);
      t.writeInt16BE(-1);
      emit(t, 0, 2);
    }
    copyDone(w);
    session.recordRows(rows);
    return `COPY ${rows}`;
  } finally {
    entry.query!.destroy();
  }
}
