import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, startGateway, type TestGateway } from '../support/gateway.js';

/**
 * The replay corpus: statements real clients sent to PostgreSQL 15 (captured
 * by test/corpus/capture/capture.sh, plus Npgsql's start-up queries written
 * down from its source). Each must run on lakegate and return columns of the
 * same names and types as on PostgreSQL, which gets the same schema
 * (capture/mirror-schema.sql) in a fresh database.
 */
interface Entry {
  sql: string;
  params?: (string | null)[];
  note?: string;
}

const CORPUS_DIR = path.resolve('test/corpus');
const files = fs.readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.json')).sort();

interface Shape {
  error?: string;
  results: { name: string; type: number }[][];
}

async function shapeOf(client: pg.Client, e: Entry): Promise<Shape> {
  try {
    const res = (e.params ? await client.query({ text: e.sql, values: e.params }) : await client.query(e.sql)) as pg.QueryResult | pg.QueryResult[];
    const list = Array.isArray(res) ? res : [res];
    return { results: list.map((r) => (r.fields ?? []).map((f) => ({ name: f.name, type: f.dataTypeID }))) };
  } catch (err) {
    return { error: (err as Error).message, results: [] };
  }
}

describe('replay corpus of real client catalog traffic', () => {
  let gw: TestGateway;
  let oracle: pg.Client;
  let lake: pg.Client;
  const dbName = `lakegate_corpus_${process.pid}_${Math.floor(Math.random() * 1e6)}`;

  beforeAll(async () => {
    gw = await startGateway();
    const admin = new pg.Client(POSTGRES_URL);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${dbName}`;
    oracle = new pg.Client(url.toString());
    await oracle.connect();
    await oracle.query(fs.readFileSync(path.join(CORPUS_DIR, 'capture/mirror-schema.sql'), 'utf8'));
    lake = new pg.Client(gw.url());
    await lake.connect();
  });

  afterAll(async () => {
    await lake?.end();
    await oracle?.end();
    const admin = new pg.Client(POSTGRES_URL);
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.end();
    await gw?.close();
  });

  for (const file of files) {
    const entries = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, file), 'utf8')) as Entry[];
    it(`${file}: ${entries.length} statements run with PostgreSQL's result shape`, async () => {
      const mismatches: string[] = [];
      for (const e of entries) {
        const want = await shapeOf(oracle, e);
        const got = await shapeOf(lake, e);
        // a ROLLBACK clears any aborted transaction a failed statement left behind
        if (got.error) await lake.query('ROLLBACK').catch(() => undefined);
        if (want.error) await oracle.query('ROLLBACK').catch(() => undefined);
        const head = e.sql.replace(/\s+/g, ' ').slice(0, 140);
        if (got.error && !want.error) {
          mismatches.push(`${head}\n    lakegate error: ${got.error}`);
          continue;
        }
        if (JSON.stringify(got.results) !== JSON.stringify(want.results)) {
          mismatches.push(`${head}\n    postgres: ${JSON.stringify(want.results)}\n    lakegate: ${JSON.stringify(got.results)}`);
        }
      }
      expect(mismatches, mismatches.join('\n')).toEqual([]);
    });
  }
});
