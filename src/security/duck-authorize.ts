import { checkFunction, type AuthorizeOutcome } from './authorize.js';
import { denied } from './errors.js';
import { RelationResolver, type AuthorizeContext } from './resolve.js';

/** A node of DuckDB's serialized AST (`json_serialize_sql`). */
type Json = Record<string, any>;

const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE']);

/** Expression classes allowed; anything else is refused (fail closed). */
const EXPRESSION_CLASSES = new Set([
  'BETWEEN', 'CASE', 'CAST', 'COLLATE', 'COLUMN_REF', 'COMPARISON', 'CONJUNCTION', 'CONSTANT', 'DEFAULT', 'FUNCTION',
  'LAMBDA', 'LAMBDA_REF', 'OPERATOR', 'PARAMETER', 'POSITIONAL_REFERENCE', 'STAR', 'SUBQUERY', 'WINDOW',
]);

class Scope {
  constructor(
    private readonly ctes: Map<string, string>,
    private readonly parent: Scope | null,
  ) {}
  push(ctes: Map<string, string>): Scope {
    return new Scope(ctes, this);
  }
  cte(name: string): string | undefined {
    return this.ctes.get(name.toLowerCase()) ?? this.parent?.cte(name);
  }
}

function constantString(e: Json | undefined): string | null {
  return e?.class === 'CONSTANT' && e.value?.type?.id === 'VARCHAR' && !e.value.is_null ? String(e.value.value) : null;
}

/**
 * The authorizer for DuckDB's own SELECT syntax (what PostgreSQL's grammar
 * rejects: `FROM t SELECT ...`, `SELECT * EXCLUDE`, `DESCRIBE`, list
 * comprehensions...), working on DuckDB's AST. It applies the same policy as
 * the PostgreSQL-AST authorizer: table references resolved and qualified or
 * replaced by secure views, CTEs renamed, functions checked, unknown node
 * kinds refused.
 */
export class DuckAuthorizer {
  private readonly resolver: RelationResolver;
  private cteCounter = 0;

  constructor(private readonly ctx: AuthorizeContext) {
    this.resolver = new RelationResolver(ctx);
  }

  /** Checks and rewrites the statement's root query node in place. */
  authorize(root: Json): AuthorizeOutcome {
    this.query(root, new Scope(new Map(), null));
    return { objects: [...this.resolver.objects], changed: true, usedTemp: this.resolver.usedTemp };
  }

  private query(node: Json, outer: Scope): void {
    if (!node || !QUERY_NODES.has(node.type)) throw denied(`permission denied: query node ${String(node?.type)} is not allowed`);
    const map = new Map<string, string>();
    for (const entry of node.cte_map?.map ?? []) {
      const original = String(entry.key);
      const fresh = `lg_cte_${++this.cteCounter}_${original}`;
      const body = entry.value?.query?.node;
      // a CTE sees the ones before it; a recursive one sees itself too
      const inner = new Map(map);
      if (body?.type === 'RECURSIVE_CTE_NODE') {
        inner.set(original.toLowerCase(), fresh);
        body.cte_name = fresh;
      }
      this.query(body, outer.push(inner));
      entry.key = fresh;
      map.set(original.toLowerCase(), fresh);
    }
    const scope = outer.push(map);
    for (const [k, v] of Object.entries(node)) {
      if (k === 'cte_map' || k === 'type' || k === 'cte_name') continue;
      if (k === 'from_table') this.tableRef(v, scope);
      else if ((k === 'left' || k === 'right') && node.type !== 'SELECT_NODE') this.query(v, scope);
      else this.visit(v, scope);
    }
  }

  private tableRef(ref: Json, scope: Scope): void {
    switch (ref?.type) {
      case 'EMPTY':
      case 'EMPTY_FROM':
        return;
      case 'BASE_TABLE':
        return this.baseTable(ref, scope);
      case 'JOIN':
        this.tableRef(ref.left, scope);
        this.tableRef(ref.right, scope);
        this.visit(ref.condition, scope);
        return;
      case 'SUBQUERY':
        this.query(ref.subquery?.node, scope);
        return;
      case 'TABLE_FUNCTION': {
        const f = ref.function;
        if (f?.class !== 'FUNCTION') throw denied('permission denied: unsupported table function call');
        checkFunction(this.ctx, [f.schema, f.function_name].filter(Boolean), 'table', constantString(f.children?.[0]));
        if (f.catalog) throw denied(`permission denied for function ${f.catalog}.${f.function_name}`);
        this.visit(f.children, scope);
        return;
      }
      case 'EXPRESSION_LIST':
        this.visit(ref.values, scope);
        return;
      case 'SHOW_REF':
        // DESCRIBE / SUMMARIZE of a query; SHOW TABLES and friends list the whole database
        if (!ref.query || (ref.show_type !== 'DESCRIBE' && ref.show_type !== 'SUMMARY')) throw denied('permission denied: SHOW is not allowed here');
        this.query(ref.query, scope);
        return;
      default:
        throw denied(`permission denied: ${String(ref?.type ?? 'this').replace(/_/g, ' ')} is not allowed in FROM`);
    }
  }

  private baseTable(ref: Json, scope: Scope): void {
    if (ref.at_clause) throw denied('permission denied: AT (time travel) is not allowed');
    if (ref.sample) this.visit(ref.sample, scope);
    const written = String(ref.table_name);
    const r = this.resolver.resolve({ catalog: ref.catalog_name || undefined, schema: ref.schema_name || undefined, name: written }, (n) => scope.cte(n));
    switch (r.kind) {
      case 'cte':
        ref.alias ||= written;
        ref.table_name = r.name;
        return;
      case 'catalog': {
        ref.catalog_name = '';
        if (!r.secureView) {
          ref.schema_name = r.schema;
          return;
        }
        // the secure view's query in place of the table, as in PostgreSQL statements
        const query = this.ctx.secureViewDuckQuery(r.secureView);
        if (!query) throw denied(`permission denied for table ${written}`);
        const alias = ref.alias || written;
        const columnAliases = ref.column_name_alias ?? [];
        const sample = ref.sample ?? null;
        for (const k of Object.keys(ref)) delete ref[k];
        Object.assign(ref, { type: 'SUBQUERY', alias, sample, subquery: { node: query }, column_name_alias: columnAliases });
        return;
      }
      case 'temp':
        ref.catalog_name = 'temp';
        ref.schema_name = 'main';
        return;
      case 'system':
        return;
    }
  }

  /** Expressions and the other fields of a node: every nested query, table and function is checked. */
  private visit(value: unknown, scope: Scope): void {
    if (Array.isArray(value)) {
      for (const v of value) this.visit(v, scope);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as Json;
    if ('table_name' in node || 'from_table' in node) throw denied('permission denied: table reference in an unsupported place');
    if (typeof node.class === 'string') {
      if (!EXPRESSION_CLASSES.has(node.class)) throw denied(`permission denied: expression ${node.class} is not allowed`);
      if (node.class === 'FUNCTION') {
        if (node.catalog) throw denied(`permission denied for function ${node.catalog}.${node.function_name}`);
        if (!node.is_operator) checkFunction(this.ctx, [node.schema, node.function_name].filter(Boolean), 'scalar', constantString(node.children?.[0]));
      }
      if (node.class === 'SUBQUERY') {
        this.query(node.subquery?.node, scope);
        this.visit(node.child, scope);
        return;
      }
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'value' && node.class === 'CONSTANT') continue;
      this.visit(v, scope);
    }
  }
}

/** Drops DuckDB's source positions (some are UINT64_MAX, which JSON numbers cannot carry back). */
export function stripLocations(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) stripLocations(v);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const node = value as Json;
  delete node.query_location;
  for (const v of Object.values(node)) stripLocations(v);
}

/**
 * What a DuckDB AST touches: tables, table functions, functions and CTE
 * names. Used to check that DuckDB reads back the SQL printed from a
 * rewritten AST as the same references (printing must not change meaning).
 */
export function referenceSignature(root: unknown): string {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const n = value as Json;
    if (n.type === 'BASE_TABLE') out.push(`T:${n.catalog_name ?? ''}.${n.schema_name ?? ''}.${n.table_name}`.toLowerCase());
    if (n.class === 'FUNCTION') out.push(`f:${n.catalog ?? ''}.${n.schema === 'main' ? '' : (n.schema ?? '')}.${n.function_name}`.toLowerCase());
    if (Array.isArray(n.cte_map?.map)) for (const e of n.cte_map.map) out.push(`C:${e.key}`.toLowerCase());
    for (const v of Object.values(n)) walk(v);
  };
  walk(root);
  return out.sort().join('\n');
}

const NUMBER_KEY = '$lakegate_number';

/**
 * JSON.parse that keeps numbers as their source text (`{"$lakegate_number": "100.0"}`):
 * DuckDB's deserializer distinguishes 100 (integer) from 100.0 (double) and
 * needs UINT64 values that JavaScript numbers cannot hold.
 */
export function parseKeepingNumbers(text: string): any {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64))!;
      out += `{"${NUMBER_KEY}":"${m[0]}"}`;
      i += m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out);
}

export function stringifyKeepingNumbers(value: unknown): string {
  return JSON.stringify(value).replace(/\{"\$lakegate_number":"(-?[0-9.eE+-]+)"\}/g, '$1');
}
