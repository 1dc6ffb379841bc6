import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

describe('a gateway over the example lake', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('answers a query from node-postgres', async () => {
    const client = new pg.Client(gw.url());
    await client.connect();
    const res = await client.query('SELECT count(*) AS n FROM lake.trips WHERE month = 1');
    expect(res.rows[0].n).toBe('86400');
    await client.end();
  });
});
