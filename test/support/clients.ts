import pg from 'pg';

/** A node-postgres client that returns every value as the raw text (or bytes) the server sent. */
export async function rawClient(url: string, binary = false): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    binary,
    types: { getTypeParser: () => (v: string | Buffer) => v } as never,
  });
  await client.connect();
  return client;
}

export interface RawResult {
  fields: { name: string; dataTypeID: number; dataTypeModifier: number }[];
  rows: unknown[][];
}

export async function rawQuery(client: pg.Client, sql: string): Promise<RawResult> {
  const r = await client.query({ text: sql, rowMode: 'array' });
  return {
    fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID, dataTypeModifier: f.dataTypeModifier })),
    rows: r.rows as unknown[][],
  };
}
