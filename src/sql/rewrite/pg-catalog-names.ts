import { PgError, SqlState } from '../../errors.js';
import { INFORMATION_SCHEMA_RELATIONS, PG_CATALOG_RELATIONS } from '../../pgcatalog/catalog-data.js';
import { EMULATED_FUNCTIONS } from '../../pgcatalog/macros.js';
import { IS, S } from '../../pgcatalog/names.js';
import { paramTypeAnnotations, resultTypeAnnotations } from '../../pgcatalog/result-types.js';
import { funcCall, names, str, walk, type AstNode } from '../ast.js';
import type { Token } from '../scanner.js';
import type { RewritePass } from './pass.js';

/** SQL-standard value functions that read the session (current_user, current_schema, ...). */
const VALUE_FUNCTIONS: Record<string, string> = {
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_USER: 'user',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

/** PostgreSQL functions DuckDB has under another name. */
const RENAMED_FUNCTIONS: Record<string, string> = {
  btrim: 'trim',
  json_build_object: 'json_object',
  jsonb_build_object: 'json_object',
  json_build_array: 'json_array',
  jsonb_build_array: 'json_array',
  string_to_array: 'string_split',
  regexp_split_to_array: 'regexp_split_to_array',
};

/** DuckDB schemas of the gateway's own objects, and the per-session tables of the visibility hook. */
const INTERNAL_SCHEMAS = new Set([S, IS, 'lakegate_internal']);
const SESSION_TABLES = new Set(['lakegate_session', 'lakegate_visible']);

/** Scalar functions PostgreSQL lets stand in FROM as a one-row table. */
const SCALAR_IN_FROM = new Set(['string_to_array', 'string_split', 'current_schemas', 'regexp_split_to_array', 'array_agg']);

const TRIGGER_WORDS = new Set<string>([
  'pg_catalog',
  'information_schema',
  ...PG_CATALOG_RELATIONS.keys(),
  ...EMULATED_FUNCTIONS,
  'current_user',
  'session_user',
  'user',
  'current_role',
  'current_catalog',
  'current_schema',
  'generate_series',
  'unnest',
  'tableoid',
  S,
  IS,
  'lakegate_internal',
  'lakegate_session',
  'lakegate_visible',
  ...Object.keys(RENAMED_FUNCTIONS),
]);

/** Set-returning functions of one column whose FROM alias also names the column. */
const SCALAR_SET_FUNCTIONS = new Set(['generate_series', 'unnest', 'generate_subscripts']);

function refuseInternal(schema: string | undefined, rel: string | undefined): void {
  if (!rel) return;
  if ((schema && INTERNAL_SCHEMAS.has(schema)) || SESSION_TABLES.has(rel)) {
    throw new PgError(SqlState.UndefinedTable, `relation "${schema ? `${schema}.` : ''}${rel}" does not exist`);
  }
}

/** Statement targets the parse tree holds as bare RangeVars (INSERT INTO x, DROP TABLE x, ...): internal ones do not exist for clients. */
function guardTargets(stmt: AstNode): void {
  const b = stmt.InsertStmt ?? stmt.UpdateStmt ?? stmt.DeleteStmt ?? stmt.CreateStmt ?? stmt.AlterTableStmt;
  if (b?.relation) refuseInternal(b.relation.schemaname, b.relation.relname);
  if (stmt.ViewStmt?.view) refuseInternal(stmt.ViewStmt.view.schemaname, stmt.ViewStmt.view.relname);
  const into = stmt.CreateTableAsStmt?.into?.rel;
  if (into) refuseInternal(into.schemaname, into.relname);
  for (const o of (stmt.DropStmt?.objects ?? []) as AstNode[]) {
    const parts = names(o.List?.items);
    refuseInternal(parts.length > 1 ? parts[parts.length - 2] : undefined, parts.at(-1));
  }
}

function cteNames(stmt: AstNode): Set<string> {
  const out = new Set<string>();
  walk(stmt, (type, body) => {
    if (type === 'CommonTableExpr') out.add(body.ctename);
  });
  return out;
}

/**
 * Points PostgreSQL catalog names at the emulation: `pg_catalog.X` and
 * unqualified `pg_*` relations to the lakegate_pg schema, `information_schema.X`
 * to lakegate_is, pg_catalog functions (format_type, current_setting, ...) to
 * their macros, and current_user & co. to the session's values. It also
 * works out the PostgreSQL types of the result columns (oid, name, ...).
 */
export const pgCatalogNamesPass: RewritePass = {
  name: 'pg-catalog-names',
  usesSessionState: true,
  wants(tokens: readonly Token[]) {
    for (const t of tokens) if ((t.kind === 'ident' || t.kind === 'keyword') && TRIGGER_WORDS.has(t.value)) return true;
    return false;
  },
  apply(stmt) {
    guardTargets(stmt);
    const ctes = cteNames(stmt);
    const catalogAliases = new Map<string, number>();
    walk(stmt, (type, body) => {
      if (type !== 'RangeVar' || !body.alias?.aliasname) return;
      const rel = PG_CATALOG_RELATIONS.get(body.relname);
      if (rel && (body.schemaname === 'pg_catalog' || !body.schemaname)) catalogAliases.set(body.alias.aliasname, rel.oid);
    });
    let changed = false;
    walk(stmt, (type, body, replace) => {
      switch (type) {
        case 'RangeVar': {
          const schema: string | undefined = body.schemaname;
          const rel: string = body.relname;
          // the emulation's own objects and the per-session tables are not for clients (reading or writing them)
          if ((schema && INTERNAL_SCHEMAS.has(schema)) || (!ctes.has(rel) && SESSION_TABLES.has(rel))) {
            throw new PgError(SqlState.UndefinedTable, `relation "${schema ? `${schema}.` : ''}${rel}" does not exist`);
          }
          if (schema === 'pg_catalog' || (!schema && !ctes.has(rel) && PG_CATALOG_RELATIONS.has(rel))) {
            if (!PG_CATALOG_RELATIONS.has(rel)) throw new PgError(SqlState.UndefinedTable, `relation "pg_catalog.${rel}" does not exist`);
            body.schemaname = S;
            delete body.catalogname;
            changed = true;
          } else if (schema === 'information_schema') {
            if (!INFORMATION_SCHEMA_RELATIONS.has(rel)) throw new PgError(SqlState.UndefinedTable, `relation "information_schema.${rel}" does not exist`);
            body.schemaname = IS;
            delete body.catalogname;
            changed = true;
          }
          return;
        }
        case 'FuncCall': {
          const fn = names(body.funcname);
          const last = fn.at(-1)!;
          if (fn.length === 2 && fn[0] === 'information_schema' && last === '_pg_expandarray') {
            body.funcname = [str(IS), str(last)];
            changed = true;
          } else if ((fn.length === 1 || fn[0] === 'pg_catalog') && EMULATED_FUNCTIONS.has(last)) {
            body.funcname = [str(S), str(last)];
            changed = true;
          } else if ((fn.length === 1 || fn[0] === 'pg_catalog') && RENAMED_FUNCTIONS[last]) {
            body.funcname = [str(RENAMED_FUNCTIONS[last]!)];
            changed = true;
          } else if (fn.length === 2 && fn[0] === 'pg_catalog') {
            body.funcname = [str(last)];
            changed = true;
          }
          return;
        }
        case 'RangeFunction': {
          const alias = body.alias;
          const fn = body.functions?.[0]?.List?.items?.[0]?.FuncCall;
          if (fn && alias && SCALAR_IN_FROM.has(names(fn.funcname).at(-1)!)) {
            const col = names(alias.colnames)[0] ?? alias.aliasname;
            replace({
              RangeSubselect: {
                lateral: true,
                subquery: { SelectStmt: { targetList: [{ ResTarget: { name: col, val: { FuncCall: fn } } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } },
                alias: { aliasname: alias.aliasname, colnames: [str(col)] },
              },
            });
            changed = true;
            return;
          }
          if (!fn || !SCALAR_SET_FUNCTIONS.has(names(fn.funcname).at(-1)!)) return;
          // `FROM generate_series(1, 3) s` lets PostgreSQL use s as the value; DuckDB needs s(s)
          if (alias && !alias.colnames) {
            alias.colnames = [str(alias.aliasname)];
            changed = true;
          }
          // DuckDB's table functions take no subqueries (the catalog macros hold some): unnest a list instead
          if ((fn.args ?? []).some((a: AstNode) => !a.A_Const) && alias) {
            const name = names(fn.funcname).at(-1)!;
            const list = name === 'unnest' ? fn.args[0] : funcCall([name === 'generate_subscripts' ? `${S}.generate_subscripts` : 'generate_series'], fn.args);
            const value = name === 'generate_subscripts' ? fn : funcCall(['unnest'], [list]);
            if (name === 'generate_subscripts') fn.funcname = [str(S), str('generate_subscripts')];
            replace({
              RangeSubselect: {
                lateral: true,
                subquery: { SelectStmt: { targetList: [{ ResTarget: { name: names(alias.colnames)[0], val: value } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } },
                alias,
              },
            });
            changed = true;
          }
          return;
        }
        case 'ColumnRef': {
          // the system column tableoid of an emulated catalog: the catalog's own OID
          const f = names(body.fields);
          if (f.length === 2 && f[1] === 'tableoid' && catalogAliases.has(f[0]!)) {
            replace({ TypeCast: { arg: { A_Const: { ival: { ival: catalogAliases.get(f[0]!)! } } }, typeName: { names: [str('bigint')], typemod: -1 } } });
            changed = true;
          }
          return;
        }
        case 'SQLValueFunction': {
          const fn = VALUE_FUNCTIONS[body.op];
          if (fn) {
            replace(funcCall([S, fn], []));
            changed = true;
          }
          return;
        }
        default:
          return;
      }
    });
    return changed;
  },
  resultTypes: (stmt) => resultTypeAnnotations(stmt),
  paramTypes: (stmt) => paramTypeAnnotations(stmt),
};
