import { nodeType, type AstNode } from '../../sql/ast.js';

/**
 * The relations a statement reads or writes, found on the PostgreSQL AST with
 * SQL's scoping: each SELECT is a scope with its FROM items; names bound by a
 * WITH clause are not tables; subqueries in expressions, FROM and CTE bodies
 * are scopes of their own. Shared by federation planning and anything else
 * that needs "which tables does this statement touch" (grants).
 */

/** A step from a FROM list down a join tree. */
export interface JoinStep {
  join: AstNode;
  side: 'larg' | 'rarg';
}

export type LeafKind = 'relation' | 'cte' | 'subquery' | 'function' | 'other';

/** One item at the bottom of a FROM tree. */
export interface FromLeaf {
  kind: LeafKind;
  /** The wrapped node (`{RangeVar: {...}}`), replaceable in place. */
  node: AstNode;
  /** The unwrapped body (RangeVar, RangeSubselect...). */
  body: AstNode;
  /** The name the statement refers to it by: alias, else the relation name. */
  refName: string | null;
  /** Joins from the FROM list down to this item. */
  path: JoinStep[];
  scope: Scope;
}

/** A target of INSERT/UPDATE/DELETE. */
export interface WriteTarget {
  statement: 'insert' | 'update' | 'delete';
  /** The statement body (InsertStmt...). */
  stmt: AstNode;
  body: AstNode;
  refName: string;
}

export interface Scope {
  /** The SelectStmt (or UpdateStmt/DeleteStmt for their FROM/USING) body. */
  select: AstNode;
  parent: Scope | null;
  leaves: FromLeaf[];
}

export interface StatementRelations {
  scopes: Scope[];
  leaves: FromLeaf[];
  target: WriteTarget | null;
  /** The statement inside EXPLAIN, when it is one. */
  explain: { options: string[]; inner: AstNode } | null;
}

function aliasName(body: AstNode): string | null {
  return (body.alias?.aliasname as string | undefined) ?? null;
}

class Walker {
  readonly scopes: Scope[] = [];
  readonly leaves: FromLeaf[] = [];

  /** Visits a SelectStmt body with the CTE names visible from outside. */
  select(body: AstNode, parent: Scope | null, ctes: ReadonlySet<string>): void {
    const visible = this.withClause(body.withClause, parent, ctes);
    if (body.op && body.op !== 'SETOP_NONE') {
      if (body.larg?.SelectStmt) this.select(body.larg.SelectStmt, parent, visible);
      if (body.rarg?.SelectStmt) this.select(body.rarg.SelectStmt, parent, visible);
      this.expressions([body.sortClause, body.limitCount, body.limitOffset], parent, visible);
      return;
    }
    const scope: Scope = { select: body, parent, leaves: [] };
    this.scopes.push(scope);
    for (const item of (body.fromClause ?? []) as AstNode[]) this.from(item, scope, [], visible);
    this.expressions(
      [body.targetList, body.whereClause, body.havingClause, body.groupClause, body.sortClause, body.limitCount, body.limitOffset, body.valuesLists, body.windowClause, body.distinctClause],
      scope,
      visible,
    );
  }

  /** CTE names of a WITH clause; each body sees the earlier ones (all of them when RECURSIVE). */
  withClause(w: AstNode | undefined, parent: Scope | null, outer: ReadonlySet<string>): ReadonlySet<string> {
    if (!w?.ctes?.length) return outer;
    const names = (w.ctes as AstNode[]).map((c) => String(c.CommonTableExpr.ctename));
    const all = new Set([...outer, ...names]);
    (w.ctes as AstNode[]).forEach((c, i) => {
      const seen = w.recursive ? all : new Set([...outer, ...names.slice(0, i)]);
      this.statement(c.CommonTableExpr.ctequery, parent, seen);
    });
    return all;
  }

  from(item: AstNode, scope: Scope, path: JoinStep[], ctes: ReadonlySet<string>): void {
    const type = nodeType(item);
    if (!type) return;
    const body = item[type];
    switch (type) {
      case 'RangeVar': {
        const isCte = !body.schemaname && !body.catalogname && ctes.has(body.relname);
        const leaf: FromLeaf = { kind: isCte ? 'cte' : 'relation', node: item, body, refName: aliasName(body) ?? body.relname, path, scope };
        scope.leaves.push(leaf);
        this.leaves.push(leaf);
        return;
      }
      case 'JoinExpr':
        this.from(body.larg, scope, [...path, { join: body, side: 'larg' }], ctes);
        this.from(body.rarg, scope, [...path, { join: body, side: 'rarg' }], ctes);
        this.expressions([body.quals], scope, ctes);
        return;
      case 'RangeSubselect': {
        const leaf: FromLeaf = { kind: 'subquery', node: item, body, refName: aliasName(body), path, scope };
        scope.leaves.push(leaf);
        this.leaves.push(leaf);
        this.statement(body.subquery, scope, ctes);
        return;
      }
      case 'RangeFunction': {
        const leaf: FromLeaf = { kind: 'function', node: item, body, refName: aliasName(body), path, scope };
        scope.leaves.push(leaf);
        this.leaves.push(leaf);
        this.expressions([body.functions], scope, ctes);
        return;
      }
      default: {
        const leaf: FromLeaf = { kind: 'other', node: item, body, refName: aliasName(body), path, scope };
        scope.leaves.push(leaf);
        this.leaves.push(leaf);
        this.expressions([body], scope, ctes);
      }
    }
  }

  /** Finds subqueries inside expressions and visits them as scopes. */
  expressions(values: unknown[], scope: Scope | null, ctes: ReadonlySet<string>): void {
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) {
        for (const x of v) visit(x);
        return;
      }
      if (!v || typeof v !== 'object') return;
      const o = v as AstNode;
      if (o.SelectStmt) {
        this.select(o.SelectStmt, scope, ctes);
        return;
      }
      for (const k of Object.keys(o)) visit(o[k]);
    };
    for (const v of values) visit(v);
  }

  /** Any statement node (wrapped). */
  statement(node: AstNode | undefined, parent: Scope | null, ctes: ReadonlySet<string>): WriteTarget | null {
    const type = nodeType(node);
    if (!type || !node) return null;
    const body = node[type];
    switch (type) {
      case 'SelectStmt':
        this.select(body, parent, ctes);
        return null;
      case 'InsertStmt': {
        const visible = this.withClause(body.withClause, parent, ctes);
        if (body.selectStmt) this.statement(body.selectStmt, parent, visible);
        const scope: Scope = { select: body, parent, leaves: [] };
        this.scopes.push(scope);
        this.expressions([body.returningList, body.onConflictClause], scope, visible);
        return { statement: 'insert', stmt: body, body: body.relation, refName: aliasName(body.relation) ?? body.relation.relname };
      }
      case 'UpdateStmt':
      case 'DeleteStmt': {
        const visible = this.withClause(body.withClause, parent, ctes);
        const scope: Scope = { select: body, parent, leaves: [] };
        this.scopes.push(scope);
        for (const item of (body.fromClause ?? body.usingClause ?? []) as AstNode[]) this.from(item, scope, [], visible);
        this.expressions([body.targetList, body.whereClause, body.returningList], scope, visible);
        return {
          statement: type === 'UpdateStmt' ? 'update' : 'delete',
          stmt: body,
          body: body.relation,
          refName: aliasName(body.relation) ?? body.relation.relname,
        };
      }
      default:
        this.expressions([body], parent, ctes);
        return null;
    }
  }
}

/** The relations of one parsed statement (a wrapped statement node). */
export function statementRelations(stmt: AstNode): StatementRelations {
  const w = new Walker();
  let explain: StatementRelations['explain'] = null;
  let inner = stmt;
  if (stmt.ExplainStmt) {
    const options = ((stmt.ExplainStmt.options ?? []) as AstNode[]).map((o) => String(o.DefElem?.defname ?? '').toLowerCase());
    inner = stmt.ExplainStmt.query;
    explain = { options, inner };
  }
  const target = w.statement(inner, null, new Set());
  return { scopes: w.scopes, leaves: w.leaves, target, explain };
}
