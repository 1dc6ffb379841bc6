import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { names, RawClient, serialize } from '../support/raw-client.js';

/** Opens a raw socket, writes bytes, and collects whatever comes back until the server closes or a pause. */
function exchange(port: number, bytes: Buffer[], waitMs = 1500): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => {
      closed = true;
      resolve({ data: Buffer.concat(chunks), closed });
    });
    s.on('error', () => undefined);
    s.on('connect', () => {
      for (const b of bytes) s.write(b);
    });
    setTimeout(() => {
      s.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    }, waitMs);
  });
}

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** The SQLSTATE of the first ErrorResponse in raw backend bytes. */
function errorCode(data: Buffer): string | null {
  let p = 0;
  while (p + 5 <= data.length) {
    const type = String.fromCharCode(data[p]!);
    const len = data.readInt32BE(p + 1);
    if (type === 'E') {
      const body = data.subarray(p + 5, p + 1 + len);
      let q = 0;
      while (q < body.length && body[q] !== 0) {
        const code = String.fromCharCode(body[q]!);
        const end = body.indexOf(0, q + 1);
        if (code === 'C') return body.toString('utf8', q + 1, end);
        q = end + 1;
      }
    }
    p += 1 + len;
  }
  return null;
}

describe('malformed input', () => {
  let gw: TestGateway;
  let healthy: pg.Client;
  beforeAll(async () => {
    gw = await startGateway();
    healthy = new pg.Client(gw.url());
    await healthy.connect();
  });
  afterAll(async () => {
    await healthy.end();
    await gw.close();
  });

  async function stillServing(): Promise<void> {
    expect((await healthy.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    const fresh = new pg.Client(gw.url());
    await fresh.connect();
    expect((await fresh.query('SELECT 2 AS ok')).rows).toEqual([{ ok: 2 }]);
    await fresh.end();
  }

  const startup = serialize.startup({ user: 'trust_user', database: 'lakegate' });

  it('a startup packet claiming over 1 GB is refused and closed', async () => {
    const b = Buffer.alloc(8);
    b.writeInt32BE(0x7fffffff, 0);
    b.writeInt32BE(196608, 4);
    const r = await exchange(gw.port, [b]);
    expect(r.closed).toBe(true);
    await stillServing();
  });

  it('a message claiming over 1 GB is refused with an error and a close', async () => {
    const m = Buffer.alloc(5);
    m.write('Q', 0);
    m.writeInt32BE(0x40000001, 1);
    const r = await exchange(gw.port, [startup, m]);
    expect(r.closed).toBe(true);
    expect(['54000', '08P01']).toContain(errorCode(r.data));
    await stillServing();
  });

  it('a message length below 4 is a protocol violation', async () => {
    const m = Buffer.from([0x51, 0, 0, 0, 2]);
    const r = await exchange(gw.port, [startup, m]);
    expect(r.closed).toBe(true);
    expect(errorCode(r.data)).toBe('08P01');
    await stillServing();
  });

  it('a zero-length startup packet is refused', async () => {
    const r = await exchange(gw.port, [Buffer.alloc(4)]);
    expect(r.closed).toBe(true);
    await stillServing();
  });

  it('an unknown message type closes the connection with 08P01', async () => {
    const r = await exchange(gw.port, [startup, frame('z', Buffer.alloc(0))]);
    expect(r.closed).toBe(true);
    expect(errorCode(r.data)).toBe('08P01');
    await stillServing();
  });

  it('a truncated message followed by a disconnect leaves nothing behind', async () => {
    const m = Buffer.alloc(5 + 10);
    m.write('Q', 0);
    m.writeInt32BE(100, 1);
    await exchange(gw.port, [startup, m], 300);
    await new Promise((r) => setTimeout(r, 100));
    expect(gw.gateway.server.sessions.size).toBe(1);
    await stillServing();
  });

  it('a Bind whose counts overrun its body gets 08P01 and the session continues after Sync', async () => {
    const c = await RawClient.connect(gw.port);
    const bad = Buffer.alloc(4);
    bad.writeInt16BE(0, 0);
    bad.writeInt16BE(5, 2); // claims 5 parameters, sends none
    c.send(serialize.parse({ text: 'SELECT 1' }), frame('B', Buffer.concat([Buffer.from('\0\0'), bad])), serialize.sync());
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['parseComplete', 'error', 'readyForQuery']);
    expect((m[1] as unknown as { code: string }).code).toBe('08P01');
    c.send(serialize.query('SELECT 5'));
    expect(names(await c.until('readyForQuery'))).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    c.end();
  });

  it('invalid UTF-8 in a query gets 22021 and the session continues', async () => {
    const c = await RawClient.connect(gw.port);
    c.send(frame('Q', Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from("'\0")])));
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['error', 'readyForQuery']);
    expect((m[0] as unknown as { code: string }).code).toBe('22021');
    c.send(serialize.query("SELECT 'ünïcode' AS v"));
    const ok = await c.until('readyForQuery');
    expect((ok[1] as unknown as { fields: string[] }).fields).toEqual(['ünïcode']);
    c.end();
  });

  it('a query string without its terminator is rejected, not crashed on', async () => {
    const c = await RawClient.connect(gw.port);
    c.send(frame('Q', Buffer.from('SELECT 1')));
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['error', 'readyForQuery']);
    expect((m[0] as unknown as { code: string }).code).toBe('08P01');
    c.end();
  });

  it('a Parse with a negative parameter count is rejected', async () => {
    const c = await RawClient.connect(gw.port);
    const body = Buffer.concat([Buffer.from('\0SELECT 1\0'), Buffer.from([0xff, 0xff])]);
    c.send(frame('P', body), serialize.sync());
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['error', 'readyForQuery']);
    c.end();
  });

  it('garbage instead of a startup packet is refused', async () => {
    const r = await exchange(gw.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expect(r.closed).toBe(true);
    await stillServing();
  });

  it('data sent right after SSLRequest is answered N and then parsed as the startup packet', async () => {
    const ssl = Buffer.alloc(8);
    ssl.writeInt32BE(8, 0);
    ssl.writeInt32BE(80877103, 4);
    const r = await exchange(gw.port, [ssl, startup, serialize.query('SELECT 1')], 800);
    expect(String.fromCharCode(r.data[0]!)).toBe('N');
    expect(r.data.includes(Buffer.from('SELECT 1\0'))).toBe(true);
    await stillServing();
  });

  it('a CancelRequest with a wrong key cancels nothing', async () => {
    const c = new pg.Client(gw.url());
    await c.connect();
    const pid = (c as unknown as { processID: number }).processID;
    const running = c.query('SELECT count(*) AS n FROM range(30000000) t(i) WHERE i % 3 = 0');
    const cancel = Buffer.alloc(16);
    cancel.writeInt32BE(16, 0);
    cancel.writeInt32BE(80877102, 4);
    cancel.writeInt32BE(pid, 8);
    cancel.writeInt32BE(12345, 12);
    await exchange(gw.port, [cancel], 200);
    expect((await running).rows).toEqual([{ n: '10000000' }]);
    await c.end();
  });

  it('a client that sends Terminate is closed cleanly', async () => {
    const c = await RawClient.connect(gw.port);
    c.send(serialize.end());
    await c.waitClosed();
    expect(c.closed).toBe(true);
    await stillServing();
  });
});
