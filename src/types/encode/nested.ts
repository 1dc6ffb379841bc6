import { putInt32 } from '../../protocol/bytes.js';
import duckdb, { type Vector } from '@duckdb/node-bindings';
import { BufferWriter } from '../../protocol/buffer-writer.js';
import type { DuckType } from '../duck-type.js';
import { isValid, writeNull, type FieldWriter } from './vector.js';

const T = duckdb.Type;

type MakeWriter = (d: DuckType) => FieldWriter;

/** Locates the elements of a LIST or ARRAY vector for each row. */
class ListLayout {
  private entries: Buffer = Buffer.alloc(0);
  validity: Uint8Array | null = null;
  childVector!: Vector;
  childRows = 0;

  constructor(private readonly d: DuckType) {}

  load(vector: Vector, rows: number): void {
    this.validity = duckdb.vector_get_validity(vector, ((rows + 63) >> 6) * 8);
    if (this.d.id === T.ARRAY) {
      this.childVector = duckdb.array_vector_get_child(vector);
      this.childRows = rows * this.d.arraySize!;
    } else {
      this.entries = duckdb.vector_get_data(vector, rows * 16) as Buffer;
      this.childVector = duckdb.list_vector_get_child(vector);
      this.childRows = duckdb.list_vector_get_size(vector);
    }
  }

  offset(row: number): number {
    return this.d.id === T.ARRAY ? row * this.d.arraySize! : this.entries.readUInt32LE(row * 16);
  }

  length(row: number): number {
    return this.d.id === T.ARRAY ? this.d.arraySize! : this.entries.readUInt32LE(row * 16 + 8);
  }
}

function needsArrayQuote(bytes: Buffer, start: number, end: number): boolean {
  if (end === start) return true;
  if (end - start === 4) {
    const s = bytes.toString('latin1', start, end).toUpperCase();
    if (s === 'NULL') return true;
  }
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x7b || c === 0x7d || c === 0x2c || c === 0x22 || c === 0x5c || c === 0x20 || (c >= 9 && c <= 13)) return true;
  }
  return false;
}

/** PostgreSQL array text output: `{1,2,NULL}`, `{"a b","c"}`, `{{1,2},{3,4}}`. */
export class ListTextField implements FieldWriter {
  private readonly layout: ListLayout;
  private readonly child: FieldWriter;
  private readonly childIsList: boolean;
  private readonly scratch = new BufferWriter(256);

  constructor(d: DuckType, make: MakeWriter) {
    this.layout = new ListLayout(d);
    this.child = make(d.child!);
    this.childIsList = d.child!.id === T.LIST || d.child!.id === T.ARRAY;
  }

  load(vector: Vector, rows: number): void {
    this.layout.load(vector, rows);
    this.child.load(this.layout.childVector, this.layout.childRows);
  }

  readonly nullMask = null;

  writeValue(w: BufferWriter, row: number): void {
    this.write(w, row);
  }

  write(w: BufferWriter, row: number): void {
    if (!isValid(this.layout.validity, row)) return writeNull(w);
    const off = this.layout.offset(row);
    const n = this.layout.length(row);
    w.ensure(6);
    const start = w.pos;
    w.pos += 4;
    w.byte(0x7b);
    for (let j = 0; j < n; j++) {
      if (j > 0) w.byte(0x2c);
      this.writeElement(w, off + j);
    }
    w.byte(0x7d);
    putInt32(w.buf, start, w.pos - start - 4);
  }

  /** Writes one element's text (without length word) into `w`. */
  writeElement(w: BufferWriter, index: number): void {
    const s = this.scratch;
    s.pos = 0;
    this.child.write(s, index);
    const len = s.buf.readInt32BE(0);
    if (len < 0) {
      w.string('NULL');
      return;
    }
    if (this.childIsList || !needsArrayQuote(s.buf, 4, 4 + len)) {
      w.bytes(s.buf, 4, 4 + len);
      return;
    }
    w.ensure(len * 2 + 2);
    const buf = w.buf;
    let p = w.pos;
    buf[p++] = 0x22;
    for (let i = 4; i < 4 + len; i++) {
      const c = s.buf[i]!;
      if (c === 0x22 || c === 0x5c) buf[p++] = 0x5c;
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    w.pos = p;
  }
}

/** Writes a value as JSON text (no length word). */
interface JsonValueWriter {
  load(vector: Vector, rows: number): void;
  json(w: BufferWriter, row: number): void;
}

function jsonString(w: BufferWriter, bytes: Buffer, start: number, end: number): void {
  w.ensure((end - start) * 6 + 2);
  const buf = w.buf;
  let p = w.pos;
  buf[p++] = 0x22;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x22 || c === 0x5c) {
      buf[p++] = 0x5c;
      buf[p++] = c;
    } else if (c < 0x20) {
      const esc = c === 10 ? 'n' : c === 13 ? 'r' : c === 9 ? 't' : c === 8 ? 'b' : c === 12 ? 'f' : null;
      buf[p++] = 0x5c;
      if (esc) buf[p++] = esc.charCodeAt(0);
      else p += buf.write(`u${c.toString(16).padStart(4, '0')}`, p, 'latin1');
    } else {
      buf[p++] = c;
    }
  }
  buf[p++] = 0x22;
  w.pos = p;
}

/** A scalar rendered through its PostgreSQL text form, then as a JSON number, boolean or string. */
class ScalarJson implements JsonValueWriter {
  private readonly scratch = new BufferWriter(128);
  private readonly numeric: boolean;
  private readonly bool: boolean;
  constructor(
    d: DuckType,
    private readonly text: FieldWriter,
  ) {
    const numericIds = [T.TINYINT, T.SMALLINT, T.INTEGER, T.BIGINT, T.UTINYINT, T.USMALLINT, T.UINTEGER, T.UBIGINT, T.HUGEINT, T.UHUGEINT, T.FLOAT, T.DOUBLE, T.DECIMAL];
    this.numeric = numericIds.includes(d.id);
    this.bool = d.id === T.BOOLEAN;
  }
  load(vector: Vector, rows: number): void {
    this.text.load(vector, rows);
  }
  json(w: BufferWriter, row: number): void {
    const s = this.scratch;
    s.pos = 0;
    this.text.write(s, row);
    const len = s.buf.readInt32BE(0);
    if (len < 0) return void w.string('null');
    if (this.bool) return void w.string(s.buf[4] === 116 ? 'true' : 'false');
    if (this.numeric) {
      const c = s.buf[4]!;
      const isNumber = (c >= 48 && c <= 57) || (c === 45 && s.buf[5]! >= 48 && s.buf[5]! <= 57);
      if (isNumber) return void w.bytes(s.buf, 4, 4 + len);
    }
    jsonString(w, s.buf, 4, 4 + len);
  }
}

class ListJson implements JsonValueWriter {
  private readonly layout: ListLayout;
  private readonly child: JsonValueWriter;
  constructor(d: DuckType, make: MakeWriter) {
    this.layout = new ListLayout(d);
    this.child = jsonWriter(d.child!, make);
  }
  load(vector: Vector, rows: number): void {
    this.layout.load(vector, rows);
    this.child.load(this.layout.childVector, this.layout.childRows);
  }
  json(w: BufferWriter, row: number): void {
    if (!isValid(this.layout.validity, row)) return void w.string('null');
    const off = this.layout.offset(row);
    const n = this.layout.length(row);
    w.byte(0x5b);
    for (let j = 0; j < n; j++) {
      if (j > 0) w.byte(0x2c);
      this.child.json(w, off + j);
    }
    w.byte(0x5d);
  }
}

class StructJson implements JsonValueWriter {
  private validity: Uint8Array | null = null;
  private readonly children: JsonValueWriter[];
  private readonly keys: Buffer[];
  constructor(d: DuckType, make: MakeWriter) {
    this.children = d.fields!.map((f) => jsonWriter(f.type, make));
    this.keys = d.fields!.map((f) => {
      const k = new BufferWriter(64);
      const name = Buffer.from(f.name, 'utf8');
      jsonString(k, name, 0, name.length);
      k.byte(0x3a);
      return k.flush();
    });
  }
  load(vector: Vector, rows: number): void {
    this.validity = duckdb.vector_get_validity(vector, ((rows + 63) >> 6) * 8);
    this.children.forEach((c, i) => c.load(duckdb.struct_vector_get_child(vector, i), rows));
  }
  json(w: BufferWriter, row: number): void {
    if (!isValid(this.validity, row)) return void w.string('null');
    w.byte(0x7b);
    for (let i = 0; i < this.children.length; i++) {
      if (i > 0) w.byte(0x2c);
      w.bytes(this.keys[i]!);
      this.children[i]!.json(w, row);
    }
    w.byte(0x7d);
  }
}

/** MAP is LIST<STRUCT<key, value>>: rendered as a JSON object keyed by the key's text. */
class MapJson implements JsonValueWriter {
  private readonly layout: ListLayout;
  private readonly keyText: FieldWriter;
  private readonly value: JsonValueWriter;
  private readonly scratch = new BufferWriter(128);
  constructor(d: DuckType, make: MakeWriter) {
    this.layout = new ListLayout({ id: T.LIST, alias: null, child: { id: T.STRUCT, alias: null, fields: d.fields } });
    this.keyText = make(d.fields![0]!.type);
    this.value = jsonWriter(d.fields![1]!.type, make);
  }
  load(vector: Vector, rows: number): void {
    this.layout.load(vector, rows);
    const entries = this.layout.childVector;
    this.keyText.load(duckdb.struct_vector_get_child(entries, 0), this.layout.childRows);
    this.value.load(duckdb.struct_vector_get_child(entries, 1), this.layout.childRows);
  }
  json(w: BufferWriter, row: number): void {
    if (!isValid(this.layout.validity, row)) return void w.string('null');
    const off = this.layout.offset(row);
    const n = this.layout.length(row);
    w.byte(0x7b);
    for (let j = 0; j < n; j++) {
      if (j > 0) w.byte(0x2c);
      const s = this.scratch;
      s.pos = 0;
      this.keyText.write(s, off + j);
      const len = s.buf.readInt32BE(0);
      if (len < 0) w.string('"null"');
      else jsonString(w, s.buf, 4, 4 + len);
      w.byte(0x3a);
      this.value.json(w, off + j);
    }
    w.byte(0x7d);
  }
}

/** UNION is a STRUCT whose first child is the tag: rendered as the active member's value. */
class UnionJson implements JsonValueWriter {
  private validity: Uint8Array | null = null;
  private tags: Buffer = Buffer.alloc(0);
  private readonly members: JsonValueWriter[];
  constructor(d: DuckType, make: MakeWriter) {
    this.members = d.fields!.map((f) => jsonWriter(f.type, make));
  }
  load(vector: Vector, rows: number): void {
    this.validity = duckdb.vector_get_validity(vector, ((rows + 63) >> 6) * 8);
    this.tags = duckdb.vector_get_data(duckdb.struct_vector_get_child(vector, 0), rows) as Buffer;
    this.members.forEach((m, i) => m.load(duckdb.struct_vector_get_child(vector, i + 1), rows));
  }
  json(w: BufferWriter, row: number): void {
    if (!isValid(this.validity, row)) return void w.string('null');
    this.members[this.tags[row]!]!.json(w, row);
  }
}

function jsonWriter(d: DuckType, make: MakeWriter): JsonValueWriter {
  switch (d.id) {
    case T.LIST:
    case T.ARRAY:
      return new ListJson(d, make);
    case T.STRUCT:
      return new StructJson(d, make);
    case T.MAP:
      return new MapJson(d, make);
    case T.UNION:
      return new UnionJson(d, make);
    default:
      return new ScalarJson(d, make(d));
  }
}

/** STRUCT, MAP and UNION columns as json text (also used as the binary form: json binary is its text). */
export class JsonField implements FieldWriter {
  private readonly value: JsonValueWriter;
  private validity: Uint8Array | null = null;
  constructor(d: DuckType, make: MakeWriter) {
    this.value = jsonWriter(d, make);
  }
  load(vector: Vector, rows: number): void {
    this.validity = duckdb.vector_get_validity(vector, ((rows + 63) >> 6) * 8);
    this.value.load(vector, rows);
  }
  readonly nullMask = null;

  writeValue(w: BufferWriter, row: number): void {
    this.write(w, row);
  }

  write(w: BufferWriter, row: number): void {
    if (!isValid(this.validity, row)) return writeNull(w);
    w.ensure(4);
    const start = w.pos;
    w.pos += 4;
    this.value.json(w, row);
    putInt32(w.buf, start, w.pos - start - 4);
  }
}

/** PostgreSQL binary array: ndim, hasnull, elemtype, (size, lbound) per dim, then the elements. */
export class ListBinaryField implements FieldWriter {
  private readonly layout: ListLayout;
  private readonly child: FieldWriter;
  constructor(
    d: DuckType,
    make: MakeWriter,
    private readonly elemOid: number,
  ) {
    this.layout = new ListLayout(d);
    this.child = make(d.child!);
  }
  load(vector: Vector, rows: number): void {
    this.layout.load(vector, rows);
    this.child.load(this.layout.childVector, this.layout.childRows);
  }
  readonly nullMask = null;

  writeValue(w: BufferWriter, row: number): void {
    this.write(w, row);
  }

  write(w: BufferWriter, row: number): void {
    if (!isValid(this.layout.validity, row)) return writeNull(w);
    const off = this.layout.offset(row);
    const n = this.layout.length(row);
    w.ensure(24);
    const start = w.pos;
    const buf = w.buf;
    const ndim = n === 0 ? 0 : 1;
    putInt32(buf, start + 4, ndim);
    const hasNullAt = start + 8;
    putInt32(buf, start + 12, this.elemOid);
    w.pos = start + 16;
    if (ndim) {
      w.int32(n);
      w.int32(1);
    }
    let hasNull = 0;
    for (let j = 0; j < n; j++) {
      const at = w.pos;
      this.child.write(w, off + j);
      if (w.buf.readInt32BE(at) === -1) hasNull = 1;
    }
    putInt32(w.buf, hasNullAt, hasNull);
    putInt32(w.buf, start, w.pos - start - 4);
  }
}
