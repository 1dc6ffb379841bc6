/** Quoting for the SQL text lakegate itself generates (identifiers and string literals). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A DuckDB struct literal of string values: `{'a': 'INTEGER', ...}`. */
export function structLiteral(entries: [string, string][]): string {
  return `{${entries.map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`).join(', ')}}`;
}
