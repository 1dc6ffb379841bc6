import crypto from 'node:crypto';

const md5hex = (s: string | Buffer): string => crypto.createHash('md5').update(s).digest('hex');

/** PostgreSQL's stored md5 form: "md5" + md5(password || username). */
export function md5Stored(user: string, password: string): string {
  return `md5${md5hex(password + user)}`;
}

export function isMd5Stored(s: string): boolean {
  return /^md5[0-9a-f]{32}$/.test(s);
}

/** Checks the client's response "md5" + md5(md5hex(password||user) || salt). */
export function verifyMd5Response(stored: string, salt: Buffer, response: string): boolean {
  const inner = stored.slice(3);
  const expected = `md5${md5hex(Buffer.concat([Buffer.from(inner), salt]))}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(response);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
