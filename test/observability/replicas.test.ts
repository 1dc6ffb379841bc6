import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { backendKey, ENDLESS_QUERY, eventually, sendCancel, startReplicaProxy, type ReplicaProxy } from './support.js';

describe('two replicas behind a TCP proxy: CancelRequest reaches the replica that owns the session', () => {
  let replicas: TestGateway[];
  let proxy: ReplicaProxy;

  beforeAll(async () => {
    replicas = [await startGateway({ replicaId: 1 }), await startGateway({ replicaId: 2 })];
    proxy = await startReplicaProxy([
      { replicaId: 1, port: replicas[0]!.port },
      { replicaId: 2, port: replicas[1]!.port },
    ]);
  });

  afterAll(async () => {
    await proxy?.close();
    for (const r of replicas ?? []) await r.close();
  });

  const url = (proxyPort: number): string => `postgresql://lakegate:lakegate@127.0.0.1:${proxyPort}/lakegate`;

  it('encodes the replica id in the top bits of the BackendKeyData process id', async () => {
    for (const [i, port] of proxy.ports.entries()) {
      const c = new pg.Client(url(port));
      await c.connect();
      expect(backendKey(c).pid >>> 24).toBe(i + 1);
      await c.end();
    }
  });

  for (const [sessionVia, cancelVia] of [
    [0, 1],
    [1, 0],
    [0, 0],
    [1, 1],
  ] as const) {
    it(`cancels a statement of a session on replica ${sessionVia + 1} with a CancelRequest sent through the port of replica ${cancelVia + 1}`, async () => {
      const owner = replicas[sessionVia]!;
      const c = new pg.Client(url(proxy.ports[sessionVia]!));
      await c.connect();
      const key = backendKey(c);
      const result = c.query(ENDLESS_QUERY).catch((e: unknown) => e);
      await eventually('the endless query to run on its replica', () => [...owner.gateway.server.sessions].some((s) => s.identity.processId === key.pid && s.isRunning));
      const seen = proxy.cancels.length;
      await sendCancel(proxy.ports[cancelVia]!, key.pid, key.secret);
      expect(await result).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect(proxy.cancels.slice(seen)).toEqual([{ pid: key.pid, replica: sessionVia + 1 }]);
      // the session keeps working
      expect((await c.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
      await c.end();
    });
  }

  it('cancels a statement whose CancelRequest arrives before DuckDB has begun running it', async () => {
    const gw = replicas[0]!.gateway;
    const c = new pg.Client(url(proxy.ports[0]!));
    await c.connect();
    const key = backendKey(c);
    // at statement start, before the statement is even prepared in DuckDB
    let accepted: boolean | null = null;
    const unsubscribe = gw.events.subscribe({
      statementStarted: (s) => {
        if (s.pid === key.pid && s.query === ENDLESS_QUERY) accepted = gw.server.cancels.cancel(key.pid, key.secret >>> 0);
      },
    });
    try {
      expect(await c.query(ENDLESS_QUERY).catch((e: unknown) => e)).toMatchObject({ code: '57014' });
    } finally {
      unsubscribe();
    }
    expect(accepted).toBe(true);
    await c.end();
  });

  it('ignores a cancel with the wrong secret, on either replica', async () => {
    const c = new pg.Client(url(proxy.ports[0]!));
    await c.connect();
    const key = backendKey(c);
    const result = c.query('SELECT sum(hash(range)) AS h FROM range(20000000)');
    await eventually('the query to run', () => [...replicas[0]!.gateway.server.sessions].some((s) => s.isRunning));
    await sendCancel(proxy.ports[1]!, key.pid, (key.secret + 1) >>> 0);
    const r = await result;
    expect(r.rows).toHaveLength(1);
    await c.end();
  });
});
