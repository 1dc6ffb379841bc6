import { ProtocolViolation } from '../errors.js';
import { MessageCursor } from './cursor.js';

/** Frontend message type bytes (PostgreSQL protocol 3.0). */
export const FrontendCode = {
  Bind: 0x42, // B
  Close: 0x43, // C
  Describe: 0x44, // D
  Execute: 0x45, // E
  FunctionCall: 0x46, // F
  Flush: 0x48, // H
  Parse: 0x50, // P
  Query: 0x51, // Q
  Sync: 0x53, // S
  Terminate: 0x58, // X
  CopyFail: 0x66, // f
  CopyDone: 0x63, // c
  CopyData: 0x64, // d
  Password: 0x70, // p (PasswordMessage, SASLInitialResponse, SASLResponse)
} as const;

export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

export type StartupPacket =
  | { kind: 'startup'; protocol: number; params: Map<string, string> }
  | { kind: 'ssl' }
  | { kind: 'gssenc' }
  | { kind: 'cancel'; processId: number; secretKey: number };

export function decodeStartup(body: Buffer): StartupPacket {
  const c = new MessageCursor(body);
  const code = c.int32();
  if (code === SSL_REQUEST_CODE) return { kind: 'ssl' };
  if (code === GSSENC_REQUEST_CODE) return { kind: 'gssenc' };
  if (code === CANCEL_REQUEST_CODE) return { kind: 'cancel', processId: c.int32(), secretKey: c.uint32() };
  const major = code >>> 16;
  if (major !== 3) {
    throw new ProtocolViolation(
      `unsupported frontend protocol ${major}.${code & 0xffff}: server supports 3.0 to 3.0`,
      '0A000',
    );
  }
  const params = new Map<string, string>();
  while (c.remaining > 1) {
    const key = c.cstring();
    if (key === '') break;
    params.set(key, c.cstring());
  }
  return { kind: 'startup', protocol: code, params };
}

export interface ParseMessage {
  statement: string;
  query: string;
  paramTypes: number[];
}

export function decodeParse(body: Buffer): ParseMessage {
  const c = new MessageCursor(body);
  const statement = c.cstring();
  const query = c.cstring();
  const n = c.int16();
  if (n < 0) throw new ProtocolViolation('invalid number of parameter types');
  const paramTypes = new Array<number>(n);
  for (let i = 0; i < n; i++) paramTypes[i] = c.uint32();
  c.end();
  return { statement, query, paramTypes };
}

export interface BindMessage {
  portal: string;
  statement: string;
  /** One entry per parameter (already expanded from the 0/1/n format-code rule). */
  paramFormats: number[];
  /** Raw parameter bytes; null for SQL NULL. */
  params: (Buffer | null)[];
  /** Result format codes as sent: length 0 (all text), 1 (all the same) or one per column. */
  resultFormats: number[];
}

export function decodeBind(body: Buffer): BindMessage {
  const c = new MessageCursor(body);
  const portal = c.cstring();
  const statement = c.cstring();
  const nfmt = c.int16();
  if (nfmt < 0) throw new ProtocolViolation('invalid number of parameter formats');
  const fmts = new Array<number>(nfmt);
  for (let i = 0; i < nfmt; i++) fmts[i] = checkFormat(c.int16());
  const nparams = c.int16();
  if (nparams < 0) throw new ProtocolViolation('invalid number of parameters');
  if (nfmt > 1 && nfmt !== nparams) {
    throw new ProtocolViolation(`bind message has ${nfmt} parameter formats but ${nparams} parameters`);
  }
  const params = new Array<Buffer | null>(nparams);
  const paramFormats = new Array<number>(nparams);
  for (let i = 0; i < nparams; i++) {
    const len = c.int32();
    params[i] = len === -1 ? null : c.bytes(len);
    paramFormats[i] = nfmt === 0 ? 0 : nfmt === 1 ? fmts[0]! : fmts[i]!;
  }
  const nres = c.int16();
  if (nres < 0) throw new ProtocolViolation('invalid number of result formats');
  const resultFormats = new Array<number>(nres);
  for (let i = 0; i < nres; i++) resultFormats[i] = checkFormat(c.int16());
  c.end();
  return { portal, statement, paramFormats, params, resultFormats };
}

function checkFormat(code: number): number {
  if (code !== 0 && code !== 1) throw new ProtocolViolation(`unsupported format code: ${code}`, '22023');
  return code;
}

export interface DescribeMessage {
  target: 'S' | 'P';
  name: string;
}

export function decodeDescribeOrClose(body: Buffer): DescribeMessage {
  const c = new MessageCursor(body);
  const t = c.byte();
  if (t !== 0x53 && t !== 0x50) {
    throw new ProtocolViolation(`invalid DESCRIBE/CLOSE message subtype ${t}`);
  }
  const name = c.cstring();
  c.end();
  return { target: t === 0x53 ? 'S' : 'P', name };
}

export interface ExecuteMessage {
  portal: string;
  maxRows: number;
}

export function decodeExecute(body: Buffer): ExecuteMessage {
  const c = new MessageCursor(body);
  const portal = c.cstring();
  const maxRows = c.int32();
  c.end();
  return { portal, maxRows: maxRows <= 0 ? 0 : maxRows };
}

export function decodeQuery(body: Buffer): string {
  const c = new MessageCursor(body);
  const q = c.cstring();
  c.end();
  return q;
}

export interface SaslInitialResponse {
  mechanism: string;
  data: Buffer;
}

export function decodeSaslInitial(body: Buffer): SaslInitialResponse {
  const c = new MessageCursor(body);
  const mechanism = c.cstring();
  const len = c.int32();
  const data = len === -1 ? Buffer.alloc(0) : c.bytes(len);
  c.end();
  return { mechanism, data };
}

export function decodePassword(body: Buffer): string {
  return decodeQuery(body);
}

export function decodeCopyFail(body: Buffer): string {
  return decodeQuery(body);
}
