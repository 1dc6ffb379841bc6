import net from 'node:net';
import { serialize } from 'pg-protocol';

export interface ReadResult {
  rows: number;
  bytes: number;
  ms: number;
}

/**
 * A minimal protocol client that counts DataRows without decoding them: it
 * measures what the server can deliver, not what a client library can parse.
 * Authenticates with trust only.
 */
export async function readAll(opts: { port: number; host?: string; user: string; database: string; sql: string; binary: boolean }): Promise<ReadResult> {
  const socket = net.connect(opts.port, opts.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let pending: Buffer = Buffer.alloc(0);
  let rows = 0;
  let bytes = 0;
  let ready = 0;
  let started = 0;
  let error: string | null = null;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let p = 0;
      while (p + 5 <= pending.length) {
        const type = pending[p]!;
        const len = pending.readInt32BE(p + 1);
        if (p + 1 + len > pending.length) break;
        if (type === 0x44) rows++;
        else if (type === 0x45) error = pending.toString('utf8', p + 5, p + 1 + len).replace(/\0/g, ' ');
        else if (type === 0x5a) {
          ready++;
          if (ready === 1) {
            started = performance.now();
            bytes = 0;
            socket.write(
              Buffer.concat([
                serialize.parse({ text: opts.sql }),
                serialize.bind({ binary: opts.binary }),
                serialize.execute({}),
                serialize.sync(),
              ]),
            );
          } else {
            socket.end(serialize.end());
            resolve();
          }
        } else if (type === 0x52 && pending.readInt32BE(p + 5) !== 0) {
          reject(new Error('raw reader supports trust authentication only'));
        }
        p += 1 + len;
      }
      pending = pending.subarray(p);
    });
    socket.on('error', reject);
  });
  socket.write(serialize.startup({ user: opts.user, database: opts.database }));
  await done;
  if (error) throw new Error(error);
  return { rows, bytes, ms: performance.now() - started };
}
