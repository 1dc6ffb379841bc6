import type { BufferWriter } from '../buffer-writer.js';
import { BackendCode } from './codes.js';

/** The fields of an ErrorResponse or NoticeResponse (PostgreSQL field codes in comments). */
export interface NoticeFields {
  severity: 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';
  code: string; // C
  message: string; // M
  detail?: string; // D
  hint?: string; // H
  position?: number; // P
  internalPosition?: number; // p
  internalQuery?: string; // q
  where?: string; // W
  schema?: string; // s
  table?: string; // t
  column?: string; // c
  dataType?: string; // d
  constraint?: string; // n
}

function fields(w: BufferWriter, f: NoticeFields): void {
  w.byte(0x53).cstring(f.severity); // S
  w.byte(0x56).cstring(f.severity); // V
  w.byte(0x43).cstring(f.code);
  w.byte(0x4d).cstring(f.message);
  if (f.detail) w.byte(0x44).cstring(f.detail);
  if (f.hint) w.byte(0x48).cstring(f.hint);
  if (f.position) w.byte(0x50).cstring(String(f.position));
  if (f.internalPosition) w.byte(0x70).cstring(String(f.internalPosition));
  if (f.internalQuery) w.byte(0x71).cstring(f.internalQuery);
  if (f.where) w.byte(0x57).cstring(f.where);
  if (f.schema) w.byte(0x73).cstring(f.schema);
  if (f.table) w.byte(0x74).cstring(f.table);
  if (f.column) w.byte(0x63).cstring(f.column);
  if (f.dataType) w.byte(0x64).cstring(f.dataType);
  if (f.constraint) w.byte(0x6e).cstring(f.constraint);
  w.byte(0);
}

export function errorResponse(w: BufferWriter, f: NoticeFields): void {
  const s = w.begin(BackendCode.ErrorResponse);
  fields(w, f);
  w.end(s);
}

export function noticeResponse(w: BufferWriter, f: NoticeFields): void {
  const s = w.begin(BackendCode.NoticeResponse);
  fields(w, f);
  w.end(s);
}
