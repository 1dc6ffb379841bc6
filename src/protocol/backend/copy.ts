import type { BufferWriter } from '../buffer-writer.js';
import { BackendCode } from './codes.js';

function copyResponse(w: BufferWriter, code: number, binary: boolean, columns: number): void {
  const s = w.begin(code);
  w.byte(binary ? 1 : 0);
  w.int16(columns);
  for (let i = 0; i < columns; i++) w.int16(binary ? 1 : 0);
  w.end(s);
}

export function copyOutResponse(w: BufferWriter, binary: boolean, columns: number): void {
  copyResponse(w, BackendCode.CopyOutResponse, binary, columns);
}

export function copyInResponse(w: BufferWriter, binary: boolean, columns: number): void {
  copyResponse(w, BackendCode.CopyInResponse, binary, columns);
}

export function copyData(w: BufferWriter, data: Uint8Array): void {
  const s = w.begin(BackendCode.CopyData);
  w.bytes(data);
  w.end(s);
}
