import type { FieldDescription } from '../protocol/backend/results.js';
import { writeNull } from '../types/encode/vector.js';
import { writeStringField } from '../types/format/numbers.js';
import { PgTypes } from '../types/pg-types.js';
import type { RowSink, RowStream } from './portal.js';
import { describeColumns } from './portal.js';

/** Rows a portal hands out in pieces: a DuckDB stream or a small in-memory table. */
export interface RowSource {
  fields(): FieldDescription[];
  /** Sends up to maxRows (0 = all); true when no rows remain. */
  send(sink: RowSink, maxRows: number): Promise<boolean>;
  readonly rowsSent: number;
  close(): void;
}

export class StreamRowSource implements RowSource {
  constructor(readonly stream: RowStream) {}
  fields(): FieldDescription[] {
    return describeColumns(this.stream.result.columns, this.stream.formats);
  }
  send(sink: RowSink, maxRows: number): Promise<boolean> {
    return this.stream.send(sink, maxRows);
  }
  get rowsSent(): number {
    return this.stream.rowsSent;
  }
  close(): void {
    this.stream.close();
  }
}

/** Text rows produced by the gateway itself (SHOW, SHOW ALL). Text and binary forms of text are the same bytes. */
export class StaticRows implements RowSource {
  private next = 0;
  rowsSent = 0;

  constructor(
    readonly columns: string[],
    readonly rows: (string | null)[][],
    private readonly formats: number[] = [],
    /** Column type OIDs whose text and binary forms are the text itself (text, json); default text. */
    private readonly typeOids: number[] = [],
  ) {}

  fields(): FieldDescription[] {
    return this.columns.map((name, i) => ({
      name,
      tableOid: 0,
      columnAttr: 0,
      typeOid: this.typeOids[i] ?? PgTypes.text.oid,
      typeLen: -1,
      typeMod: -1,
      format: this.formats.length === 1 ? this.formats[0]! : (this.formats[i] ?? 0),
    }));
  }

  async send(sink: RowSink, maxRows: number): Promise<boolean> {
    const w = sink.writer;
    const end = maxRows === 0 ? this.rows.length : Math.min(this.rows.length, this.next + maxRows);
    for (; this.next < end; this.next++) {
      const row = this.rows[this.next]!;
      const start = w.begin(0x44);
      w.int16(row.length);
      for (const v of row) {
        if (v === null) writeNull(w);
        else writeStringField(w, v);
      }
      w.end(start);
      this.rowsSent++;
    }
    await sink.flushIfFull();
    return this.next >= this.rows.length;
  }

  close(): void {
    this.next = this.rows.length;
  }
}

export { describeColumns };
