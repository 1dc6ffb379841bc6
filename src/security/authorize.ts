import { INTERNAL_SCHEMA } from '../catalog/install.js';
import { PgError } from '../errors.js';
import { nodeType, type AstNode } from '../sql/ast.js';
import { denied, undefinedTable } from './errors.js';
import { isTempSchema, RelationResolver, type AuthorizeContext } from './resolve.js';
import {
  ALLOWED_TABLE_FUNCTIONS,
  currentSettingAllowed,
  DENIED_SCALAR_FUNCTIONS,
  FUNCTION_SCHEMAS,
  functionEmulated,
  RESERVED_PREFIX,
} from './sandbox.js';

export type { AuthorizeContext };

export interface AuthorizeOutcome {
  /** Relations the statement reads or writes, qualified (`lake.trips`, `pg_temp.t`, `pg_catalog.pg_class`). */
  objects: string[];
  /** Whether the AST was changed (names qualified, secure views, CTE renames). */
  changed: boolean;
  /** Whether the outcome depended on the session's temporary tables (then it must not be cached). */
  usedTemp: boolean;
}

/** Syntax nodes allowed inside a statement; anything else is refused (fail closed). */
const EXPRESSION_NODES = new Set([
  'A_ArrayExpr', 'A_Const', 'A_Expr', 'A_Indices', 'A_Indirection', 'A_Star', 'BoolExpr', 'BooleanTest', 'CaseExpr',
  'CaseWhen', 'CoalesceExpr', 'CollateClause', 'ColumnRef', 'CommonTableExpr', 'FuncCall', 'GroupingFunc', 'GroupingSet',
  'JoinExpr', 'List', 'MinMaxExpr', 'MultiAssignRef', 'NamedArgExpr', 'NullTest', 'ParamRef', 'RangeFunction',
  'RangeSubselect', 'RangeTableSample', 'RangeVar', 'ResTarget', 'RowExpr', 'SQLValueFunction', 'SelectStmt', 'SortBy',
  'String', 'Integer', 'Float', 'Boolean', 'BitString', 'SubLink', 'TypeCast', 'TypeName', 'WindowDef', 'DefElem',
  'SetToDefault', 'ColumnDef', 'Constraint',
]);

class Scope {
  constructor(
    private readonly ctes: Map<string, string>,
    private readonly parent: Scope | null,
  ) {}
  static root(): Scope {
    return new Scope(new Map(), null);
  }
  push(ctes: Map<string, string>): Scope {
    return new Scope(ctes, this);
  }
  cte(name: string): string | undefined {
    return this.ctes.get(name) ?? this.parent?.cte(name);
  }
}

const lower = (s: string): string => s.toLowerCase();

function names(list: AstNode[] | undefined): string[] {
  return (list ?? []).map((n) => (n.String?.sval as string | undefined) ?? '');
}

function constantString(node: AstNode | undefined): string | null {
  const c = node?.A_Const;
  return c && typeof c.sval?.sval === 'string' ? (c.sval.sval as string) : null;
}

/**
 * Checks one parsed statement (PostgreSQL AST) against the user's grants and
 * the sandbox, and rewrites it so that DuckDB cannot resolve anything
 * differently: every relation is qualified, relations with column grants,
 * row filters or masks are replaced by the user's secure view, and CTEs get
 * unique names (so an unqualified name is never looked up by DuckDB itself).
 */
export class PgAuthorizer {
  private readonly resolver: RelationResolver;
  private changed = false;
  private cteCounter = 0;

  constructor(private readonly ctx: AuthorizeContext) {
    this.resolver = new RelationResolver(ctx);
  }

  authorize(stmt: AstNode): AuthorizeOutcome {
    const type = nodeType(stmt);
    const body = type ? stmt[type] : null;
    switch (type) {
      case 'SelectStmt':
        this.select(body, Scope.root());
        break;
      case 'ExplainStmt':
        this.explain(body);
        break;
      case 'CreateTableAsStmt':
        this.createTableAs(body);
        break;
      case 'CreateStmt':
        this.createTable(body);
        break;
      case 'InsertStmt':
        this.insert(body);
        break;
      case 'UpdateStmt':
      case 'DeleteStmt':
        this.updateOrDelete(body, type);
        break;
      case 'DropStmt':
        this.drop(body);
        break;
      case 'TruncateStmt':
        for (const r of body.relations ?? []) this.tempTarget(r.RangeVar, 'TRUNCATE');
        break;
      default:
        throw denied(`permission denied: ${describeStatement(type)} is not allowed`, 'lakegate runs queries over its catalog; only SELECT and temporary tables are allowed.');
    }
    return { objects: [...this.resolver.objects], changed: this.changed, usedTemp: this.resolver.usedTemp };
  }

  // --- statements ----------------------------------------------------------------

  private explain(body: AstNode): void {
    for (const o of body.options ?? []) {
      const d = o.DefElem;
      if (d?.defname === 'analyze' && !this.ctx.access.admin) {
        const v = d.arg ? (d.arg.Boolean?.boolval ?? d.arg.String?.sval ?? d.arg.A_Const?.boolval?.boolval ?? true) : true;
        if (v !== false && v !== 'false' && v !== 'off') throw denied('permission denied: EXPLAIN ANALYZE is reserved to administrators', 'Its output names the lake files a query read.');
      }
    }
    const qType = nodeType(body.query);
    if (qType !== 'SelectStmt') throw denied(`permission denied: EXPLAIN of ${describeStatement(qType)} is not allowed`);
    this.select(body.query.SelectStmt, Scope.root());
  }

  private createTableAs(body: AstNode): void {
    const rel = body.into?.rel;
    if (body.objtype !== 'OBJECT_TABLE' || rel?.relpersistence !== 't') {
      throw denied('permission denied: only temporary tables can be created', 'Use CREATE TEMPORARY TABLE ... AS.');
    }
    this.newTempName(rel);
    if (nodeType(body.query) !== 'SelectStmt') throw denied('permission denied: CREATE TABLE AS needs a query');
    this.select(body.query.SelectStmt, Scope.root());
    this.resolver.objects.add(`pg_temp.${rel.relname}`);
  }

  private createTable(body: AstNode): void {
    const rel = body.relation;
    if (rel?.relpersistence !== 't') throw denied('permission denied: only temporary tables can be created', 'Use CREATE TEMPORARY TABLE.');
    if (body.inhRelations?.length || body.partspec || body.partbound || body.ofTypename) throw denied('permission denied: inheritance, partitions and typed tables are not allowed');
    this.newTempName(rel);
    for (const e of body.tableElts ?? []) {
      const t = nodeType(e);
      if (t === 'Constraint' && e.Constraint.contype === 'CONSTR_FOREIGN') throw denied('permission denied: foreign keys are not allowed');
      if (t === 'ColumnDef') {
        for (const c of e.ColumnDef.constraints ?? []) if (c.Constraint?.contype === 'CONSTR_FOREIGN') throw denied('permission denied: foreign keys are not allowed');
      }
      if (t !== 'ColumnDef' && t !== 'Constraint') throw denied(`permission denied: ${t} in CREATE TABLE is not allowed`);
    }
    this.visitFields(body, Scope.root(), ['relation']);
    this.resolver.objects.add(`pg_temp.${rel.relname}`);
  }

  private insert(body: AstNode): void {
    this.withClause(body, Scope.root(), (scope) => {
      this.writeTarget(body.relation, 'insert');
      this.visitFields(body, scope, ['relation', 'withClause']);
    });
  }

  private updateOrDelete(body: AstNode, type: string): void {
    this.withClause(body, Scope.root(), (scope) => {
      this.writeTarget(body.relation, type === 'UpdateStmt' ? 'update' : 'delete');
      this.visitFields(body, scope, ['relation', 'withClause']);
    });
  }

  /** The table a DML statement writes: the session's temporary table of that name, else a catalog table the user may write. */
  private writeTarget(rel: AstNode | undefined, verb: 'insert' | 'update' | 'delete'): void {
    if (!rel) throw denied(`permission denied: ${verb.toUpperCase()} without a table`);
    const name = lower(rel.relname);
    const tempish = rel.schemaname ? isTempSchema(rel.schemaname) : !rel.catalogname && this.resolver.temp().has(name);
    if (tempish || (rel.catalogname && lower(rel.catalogname) === 'temp')) return this.tempTarget(rel, verb.toUpperCase());
    const target = this.resolver.writeTarget({ catalog: rel.catalogname, schema: rel.schemaname, name: rel.relname }, verb);
    delete rel.catalogname;
    rel.schemaname = target.schema;
    this.changed = true;
  }

  private drop(body: AstNode): void {
    if (body.removeType !== 'OBJECT_TABLE') throw denied(`permission denied: DROP ${String(body.removeType).replace('OBJECT_', '')} is not allowed`);
    for (const o of body.objects ?? []) {
      const parts = names(o.List?.items);
      const rel = parts.at(-1)!;
      if (parts.length > 2 || (parts.length === 2 && !isTempSchema(parts[0]!))) throw denied(`permission denied for table ${parts.join('.')}`);
      if (lower(rel).startsWith(RESERVED_PREFIX)) {
        if (body.missing_ok) {
          o.List.items = [{ String: { sval: 'temp' } }, { String: { sval: 'main' } }, { String: { sval: `${rel}_not_yours` } }];
          continue;
        }
        throw undefinedTable(parts.join('.'));
      }
      const temp = this.resolver.temp();
      const mine = temp.has(lower(rel));
      if (!mine && !(body.missing_ok && !lower(rel).startsWith(RESERVED_PREFIX))) {
        throw denied(`permission denied for table ${parts.join('.')}`, 'Only temporary tables can be dropped.');
      }
      // always the temporary schema: IF EXISTS on any other name must drop nothing, whatever DuckDB's search path finds
      o.List.items = [{ String: { sval: 'temp' } }, { String: { sval: 'main' } }, { String: { sval: rel } }];
      this.changed = true;
      if (mine) this.resolver.objects.add(`pg_temp.${rel}`);
    }
  }

  /** A temporary table that a statement writes: it must be the session's own. */
  private tempTarget(rel: AstNode | undefined, what: string): void {
    if (!rel) throw denied(`permission denied: ${what} without a table`);
    const written = [rel.schemaname, rel.relname].filter(Boolean).join('.');
    if (rel.catalogname || (rel.schemaname && !isTempSchema(rel.schemaname))) {
      throw denied(`permission denied for table ${written}`, 'lakegate tables are read-only; only temporary tables can be written.');
    }
    const name = lower(rel.relname);
    if (name.startsWith(RESERVED_PREFIX)) throw undefinedTable(written);
    if (!this.resolver.temp().has(name)) {
      throw denied(`permission denied for table ${written}`, 'lakegate tables are read-only; only temporary tables can be written.');
    }
    rel.catalogname = 'temp';
    rel.schemaname = 'main';
    this.changed = true;
    this.resolver.objects.add(`pg_temp.${rel.relname}`);
  }

  private newTempName(rel: AstNode): void {
    if (rel.catalogname || (rel.schemaname && !isTempSchema(rel.schemaname))) {
      throw new PgError('42P16', 'cannot create temporary relation in non-temporary schema');
    }
    if (lower(rel.relname).startsWith(RESERVED_PREFIX)) throw denied(`permission denied: table names starting with "${RESERVED_PREFIX}" are reserved`);
    if (rel.schemaname) {
      delete rel.schemaname;
      this.changed = true;
    }
  }

  // --- queries -------------------------------------------------------------------

  /** Gives a statement's WITH clause its own scope (CTEs renamed) and runs `rest` inside it. */
  private withClause(body: AstNode, outer: Scope, rest: (scope: Scope) => void): void {
    const w = body.withClause;
    if (!w) return rest(outer);
    const map = new Map<string, string>();
    const ctes: AstNode[] = (w.ctes ?? []).map((c: AstNode) => {
      if (!c.CommonTableExpr) throw denied('permission denied: unexpected WITH item');
      return c.CommonTableExpr;
    });
    const planned = ctes.map((c) => ({ cte: c, original: c.ctename as string, fresh: `lg_cte_${++this.cteCounter}_${c.ctename}` }));
    if (w.recursive) {
      for (const p of planned) map.set(p.original, p.fresh);
      const scope = outer.push(map);
      for (const p of planned) this.cteBody(p.cte, scope);
    } else {
      for (const p of planned) {
        this.cteBody(p.cte, outer.push(new Map(map)));
        map.set(p.original, p.fresh);
      }
    }
    for (const p of planned) p.cte.ctename = p.fresh;
    if (planned.length > 0) this.changed = true;
    rest(outer.push(map));
  }

  private cteBody(cte: AstNode, scope: Scope): void {
    const t = nodeType(cte.ctequery);
    if (t !== 'SelectStmt') throw denied(`permission denied: ${describeStatement(t)} in WITH is not allowed`);
    this.select(cte.ctequery.SelectStmt, scope);
  }

  private select(body: AstNode, outer: Scope): void {
    if (body.intoClause) throw denied('permission denied: SELECT INTO is not allowed', 'Use CREATE TEMPORARY TABLE ... AS.');
    if (body.lockingClause?.length) throw denied('permission denied: SELECT ... FOR UPDATE/SHARE is not allowed');
    this.withClause(body, outer, (scope) => this.visitFields(body, scope, ['withClause']));
  }

  private visitFields(body: AstNode, scope: Scope, skip: string[]): void {
    for (const [k, v] of Object.entries(body)) if (!skip.includes(k)) this.visit(v, scope);
  }

  private visit(value: unknown, scope: Scope): void {
    if (Array.isArray(value)) {
      for (const v of value) this.visit(v, scope);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as AstNode;
    const type = nodeType(node);
    if (!type) {
      // a relation outside the places handled explicitly (e.g. FOREIGN KEY targets) is never passed through
      if ('relname' in node) throw denied('permission denied: relation reference in an unsupported place');
      for (const v of Object.values(node)) this.visit(v, scope);
      return;
    }
    if (!EXPRESSION_NODES.has(type)) throw denied(`permission denied: ${describeNode(type)} is not allowed`);
    const body = node[type];
    switch (type) {
      case 'SelectStmt':
        return this.select(body, scope);
      case 'RangeVar': {
        const inline = this.relation(body, scope);
        if (inline) {
          delete node.RangeVar;
          node.RangeSubselect = inline;
        }
        return;
      }
      case 'RangeFunction':
        return this.rangeFunction(body, scope);
      case 'FuncCall':
        this.function(body, 'scalar');
        return this.visitFields(body, scope, ['funcname']);
      case 'CommonTableExpr':
        throw denied('permission denied: unexpected WITH item');
      default:
        return this.visitFields(body, scope, []);
    }
  }

  private rangeFunction(body: AstNode, scope: Scope): void {
    for (const item of body.functions ?? []) {
      const [call, coldefs] = item.List?.items ?? [];
      if (!call?.FuncCall) throw denied('permission denied: only function calls are allowed in ROWS FROM');
      this.function(call.FuncCall, 'table');
      this.visitFields(call.FuncCall, scope, ['funcname']);
      if (coldefs && Object.keys(coldefs).length > 0) this.visit(coldefs, scope);
    }
    this.visitFields(body, scope, ['functions']);
  }

  private function(call: AstNode, position: 'scalar' | 'table'): void {
    checkFunction(this.ctx, names(call.funcname), position, constantString(call.args?.[0]));
  }

  /**
   * Resolves a relation reference and rewrites it to what DuckDB must read;
   * returns a RangeSubselect to put in its place when the user reads the table
   * through column grants, row filters or masks (the secure view's query,
   * inlined so that later passes and federation planning still see the table).
   */
  private relation(rv: AstNode, scope: Scope): AstNode | null {
    const r = this.resolver.resolve({ catalog: rv.catalogname, schema: rv.schemaname, name: rv.relname }, (n) => scope.cte(n));
    const written: string = rv.relname;
    switch (r.kind) {
      case 'cte':
        rv.alias ??= { aliasname: written };
        rv.relname = r.name;
        break;
      case 'catalog':
        this.changed = true;
        if (r.secureView) {
          const query = this.ctx.secureViewQuery(r.secureView);
          if (!query) throw denied(`permission denied for table ${written}`);
          return { subquery: query, alias: rv.alias ?? { aliasname: written } };
        }
        rv.schemaname = r.schema;
        delete rv.catalogname;
        break;
      case 'temp':
        rv.catalogname = 'temp';
        rv.schemaname = 'main';
        break;
      case 'system':
        return null;
    }
    this.changed = true;
    return null;
  }
}

/**
 * The function policy, for both authorizers: qualified only with pg_catalog,
 * information_schema or main; DuckDB's built-in table functions refused
 * except a few; current_setting only for constant PostgreSQL setting names.
 */
export function checkFunction(ctx: AuthorizeContext, nameParts: string[], position: 'scalar' | 'table', firstConstant: string | null): void {
  const parts = nameParts.map(lower);
  const name = parts.at(-1) ?? '';
  const qualified = parts.join('.');
  if (parts.length > 2 || (parts.length === 2 && !FUNCTION_SCHEMAS.has(parts[0]!))) throw denied(`permission denied for function ${qualified}`);
  if (ctx.emulation && functionEmulated(name)) return;
  if (name === 'current_setting') {
    if (!currentSettingAllowed(firstConstant)) {
      throw denied('permission denied for function current_setting', 'Only PostgreSQL settings named by a constant can be read.');
    }
    return;
  }
  if (DENIED_SCALAR_FUNCTIONS.has(name)) throw denied(`permission denied for function ${qualified}`);
  if (ctx.builtinTableFunctions.has(name) && !ALLOWED_TABLE_FUNCTIONS.has(name)) {
    throw denied(`permission denied for function ${qualified}`, position === 'table' ? "Read data through the catalog's tables." : undefined);
  }
}

function describeStatement(type: string | null): string {
  if (!type) return 'this statement';
  return type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function describeNode(type: string): string {
  const names: Record<string, string> = {
    LockingClause: 'FOR UPDATE/SHARE',
    RangeTableFunc: 'XMLTABLE',
    JsonTable: 'JSON_TABLE',
    XmlExpr: 'XML functions',
    XmlSerialize: 'XMLSERIALIZE',
    CurrentOfExpr: 'WHERE CURRENT OF',
  };
  return names[type] ?? `syntax ${type}`;
}
