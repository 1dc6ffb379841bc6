import type { BufferWriter } from '../buffer-writer.js';
import { BackendCode } from './codes.js';

export interface FieldDescription {
  name: string;
  tableOid: number;
  columnAttr: number;
  typeOid: number;
  typeLen: number;
  typeMod: number;
  format: number;
}

export function rowDescription(w: BufferWriter, fields: readonly FieldDescription[]): void {
  const s = w.begin(BackendCode.RowDescription);
  w.int16(fields.length);
  for (const f of fields) {
    w.cstring(f.name);
    w.int32(f.tableOid);
    w.int16(f.columnAttr);
    w.int32(f.typeOid);
    w.int16(f.typeLen);
    w.int32(f.typeMod);
    w.int16(f.format);
  }
  w.end(s);
}

export function commandComplete(w: BufferWriter, tag: string): void {
  const s = w.begin(BackendCode.CommandComplete);
  w.cstring(tag);
  w.end(s);
}

function empty(w: BufferWriter, code: number): void {
  const s = w.begin(code);
  w.end(s);
}

export const emptyQueryResponse = (w: BufferWriter): void => empty(w, BackendCode.EmptyQueryResponse);
export const noData = (w: BufferWriter): void => empty(w, BackendCode.NoData);
export const portalSuspended = (w: BufferWriter): void => empty(w, BackendCode.PortalSuspended);
export const parseComplete = (w: BufferWriter): void => empty(w, BackendCode.ParseComplete);
export const bindComplete = (w: BufferWriter): void => empty(w, BackendCode.BindComplete);
export const closeComplete = (w: BufferWriter): void => empty(w, BackendCode.CloseComplete);
export const copyDone = (w: BufferWriter): void => empty(w, BackendCode.CopyDone);

export function parameterDescription(w: BufferWriter, typeOids: readonly number[]): void {
  const s = w.begin(BackendCode.ParameterDescription);
  w.int16(typeOids.length);
  for (const oid of typeOids) w.uint32(oid);
  w.end(s);
}
