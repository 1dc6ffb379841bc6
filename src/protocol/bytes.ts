/**
 * Big-endian integer stores without Buffer#writeInt32BE's argument
 * validation, which costs more than the store itself on the per-field path.
 */
export function putInt32(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = v >>> 24;
  buf[pos + 1] = v >>> 16;
  buf[pos + 2] = v >>> 8;
  buf[pos + 3] = v;
}

export function putInt16(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = v >>> 8;
  buf[pos + 1] = v;
}
