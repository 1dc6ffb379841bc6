import type { BufferWriter } from '../buffer-writer.js';
import { BackendCode } from './codes.js';

export function authenticationOk(w: BufferWriter): void {
  const s = w.begin(BackendCode.Authentication);
  w.int32(0);
  w.end(s);
}

export function authenticationCleartextPassword(w: BufferWriter): void {
  const s = w.begin(BackendCode.Authentication);
  w.int32(3);
  w.end(s);
}

export function authenticationMd5Password(w: BufferWriter, salt: Buffer): void {
  const s = w.begin(BackendCode.Authentication);
  w.int32(5);
  w.bytes(salt);
  w.end(s);
}

export function authenticationSasl(w: BufferWriter, mechanisms: string[]): void {
  const s = w.begin(BackendCode.Authentication);
  w.int32(10);
  for (const m of mechanisms) w.cstring(m);
  w.byte(0);
  w.end(s);
}

export function authenticationSaslContinue(w: BufferWriter, data: string): void {
  const s = w.begin(BackendCode.Authentication);
  w.int32(11);
  w.string(data);
  w.end(s);
}

export function authenticationSaslFinal(w: BufferWriter, data: string): void {
  const s = w.begin(BackendCode.Authentication);
  w.int32(12);
  w.string(data);
  w.end(s);
}
