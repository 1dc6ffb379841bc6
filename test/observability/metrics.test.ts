import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatementRecord } from '../../src/observability/events.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { backendKey, ENDLESS_QUERY, eventually, parseMetrics, scrape, sendCancel, someoneRunning } from './support.js';

describe('Prometheus metrics over HTTP', () => {
  let gw: TestGateway;
  let client: pg.Client;
  let paymentTypes = 0;
  let before: Map<string, number>;
  let after: Map<string, number>;

  beforeAll(async () => {
    gw = await startGateway({ http: { host: '127.0.0.1', port: 0 } });
    before = await scrape(gw.gateway);

    // the known workload
    client = new pg.Client(gw.url());
    await client.connect();
    await client.query('SELECT 1 AS one'); // ok, 1 row
    paymentTypes = (await client.query('SELECT * FROM lake.payment_types')).rowCount!; // ok
    await client.query({ text: 'SELECT $1::int + 1 AS x', values: [41] }); // ok (extended protocol), 1 row
    await expect(client.query('SELEC 1')).rejects.toMatchObject({ code: '42601' }); // error, class 42
    await expect(client.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' }); // error, class 22
    const endless = client.query(ENDLESS_QUERY);
    const canceled = expect(endless).rejects.toMatchObject({ code: '57014' });
    await eventually('the endless query to run', () => someoneRunning(gw.gateway));
    const key = backendKey(client);
    await sendCancel(gw.port, key.pid, key.secret); // canceled, class 57
    await canceled;
    const wrong = new pg.Client(gw.url().replace('lakegate:lakegate@', 'lakegate:wrong@'));
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' }); // rejected: auth_failed

    after = await scrape(gw.gateway);
  });

  afterAll(async () => {
    await client?.end();
    await gw?.close();
  });

  const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);

  it('counts statements by outcome and SQLSTATE class', () => {
    expect(delta('lakegate_queries_total{outcome="ok",sqlstate_class="00"}')).toBe(3);
    expect(delta('lakegate_queries_total{outcome="error",sqlstate_class="42"}')).toBe(1);
    expect(delta('lakegate_queries_total{outcome="error",sqlstate_class="22"}')).toBe(1);
    expect(delta('lakegate_queries_total{outcome="canceled",sqlstate_class="57"}')).toBe(1);
    expect(after.get('lakegate_queries_running')).toBe(0);
  });

  it('has a duration histogram per outcome whose counts match the statements', () => {
    expect(delta('lakegate_query_duration_seconds_count{outcome="ok"}')).toBe(3);
    expect(delta('lakegate_query_duration_seconds_count{outcome="error"}')).toBe(2);
    expect(delta('lakegate_query_duration_seconds_count{outcome="canceled"}')).toBe(1);
    expect(delta('lakegate_query_duration_seconds_bucket{le="+Inf",outcome="ok"}')).toBe(3);
    expect(delta('lakegate_query_duration_seconds_sum{outcome="canceled"}')).toBeGreaterThan(0);
  });

  it('counts rows and bytes streamed, consistent with the query history', async () => {
    expect(paymentTypes).toBeGreaterThan(0);
    expect(delta('lakegate_rows_sent_total')).toBe(1 + paymentTypes + 1);
    const h = await client.query('SELECT sum(bytes_sent)::bigint AS b, sum(rows)::bigint AS r, count(*)::int AS n FROM lakegate.query_history');
    expect(h.rows[0].n).toBe(6);
    expect(Number(h.rows[0].r)).toBe(delta('lakegate_rows_sent_total'));
    expect(Number(h.rows[0].b)).toBe(delta('lakegate_bytes_sent_total'));
    expect(delta('lakegate_bytes_sent_total')).toBeGreaterThan(0);
  });

  it('counts connections: current, total and rejected by reason', () => {
    expect(delta('lakegate_connections_total')).toBe(1);
    expect(after.get('lakegate_connections')).toBe(1);
    expect(delta('lakegate_connections_rejected_total{reason="auth_failed"}')).toBe(1);
  });

  it('reports DuckDB memory, event-loop lag and the build', () => {
    expect(after.get('lakegate_duckdb_memory_bytes')).toBeGreaterThan(0);
    expect(after.get('lakegate_duckdb_temp_storage_bytes')).toBe(0);
    expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect([...after.keys()].some((k) => k.startsWith('lakegate_build_info{') && k.includes('replica_id="0"'))).toBe(true);
  });

  it('counts remote queries per source and catalog reloads through the events other modules call', async () => {
    const events = gw.gateway.events;
    const rec = new StatementRecord({ pid: 1, user: 'u', database: 'd', applicationName: '', client: 'c', connectedAt: Date.now() }, '', 'SELECT 1', Date.now(), 0);
    events.remoteQuery({ source: 'crm', rows: 120, ms: 15, sql: 'SELECT id FROM customers', statement: rec });
    events.remoteQuery({ source: 'crm', rows: 0, ms: 3, sql: 'SELECT broken', error: new Error('relation does not exist'), statement: rec });
    events.remoteQuery({ source: 'shop', rows: 7, ms: 1 });
    events.catalogReloaded({ ok: true, file: 'catalog.yaml', durationMs: 12, objects: 4 });
    events.catalogReloaded({ ok: false, file: 'catalog.yaml', durationMs: 3, error: 'catalog.yaml:4: bad' });
    const m = await scrape(gw.gateway);
    expect(m.get('lakegate_remote_queries_total{source="crm"}')).toBe(2);
    expect(m.get('lakegate_remote_queries_total{source="shop"}')).toBe(1);
    expect(m.get('lakegate_remote_rows_total{source="crm"}')).toBe(120);
    expect(m.get('lakegate_remote_errors_total{source="crm"}')).toBe(1);
    expect(m.get('lakegate_remote_errors_total{source="shop"}') ?? 0).toBe(0);
    expect(m.get('lakegate_remote_query_duration_seconds_count{source="crm"}')).toBe(2);
    expect(m.get('lakegate_remote_query_duration_seconds_sum{source="crm"}')).toBeCloseTo(0.018, 6);
    expect(m.get('lakegate_catalog_reloads_total{outcome="ok"}')).toBe(1);
    expect(m.get('lakegate_catalog_reloads_total{outcome="failed"}')).toBe(1);
    expect(m.get('lakegate_catalog_reload_failures_total')).toBe(1);
    // the statement keeps its per-source numbers (what lakegate.query_history shows)
    expect(rec.sources?.get('crm')).toEqual({ queries: 2, rows: 120, errors: 1, ms: 18, sql: ['SELECT id FROM customers', 'SELECT broken'] });
  });

  it('serves the Prometheus text format with its content type', async () => {
    const a = gw.gateway.observability.httpAddress!;
    const res = await fetch(`http://127.0.0.1:${a.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE lakegate_query_duration_seconds histogram');
    expect(parseMetrics(text).size).toBeGreaterThan(20);
  });
});
