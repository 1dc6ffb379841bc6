import type { BufferWriter } from '../buffer-writer.js';
import { BackendCode } from './codes.js';

export type TransactionStatus = 'I' | 'T' | 'E';

export function parameterStatus(w: BufferWriter, name: string, value: string): void {
  const s = w.begin(BackendCode.ParameterStatus);
  w.cstring(name);
  w.cstring(value);
  w.end(s);
}

export function backendKeyData(w: BufferWriter, processId: number, secretKey: number): void {
  const s = w.begin(BackendCode.BackendKeyData);
  w.int32(processId);
  w.uint32(secretKey);
  w.end(s);
}

export function readyForQuery(w: BufferWriter, status: TransactionStatus): void {
  const s = w.begin(BackendCode.ReadyForQuery);
  w.byte(status.charCodeAt(0));
  w.end(s);
}
