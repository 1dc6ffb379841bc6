import pg from 'pg';

/** Every value as the server's text, so lakegate and PostgreSQL are compared byte for byte. */
const RAW = { getTypeParser: () => (v: string) => v };

export interface TextResult {
  fields: string[];
  rows: (string | null)[][];
}

/** Runs a query and returns column names and rows as PostgreSQL text. */
export async function textQuery(client: pg.Client, sql: string, params: unknown[] = []): Promise<TextResult> {
  const r = await client.query({ text: sql, values: params, rowMode: 'array', types: RAW });
  return { fields: r.fields.map((f) => f.name), rows: r.rows as (string | null)[][] };
}

export async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client(url);
  // a test that fails before end() must not crash the run when the server goes away
  c.on('error', () => undefined);
  await c.connect();
  return c;
}
