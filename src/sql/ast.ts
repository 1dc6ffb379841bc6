import * as pgQuery from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';

/** A libpg-query JSON node: `{ NodeType: { ...fields } }`. */
export type AstNode = Record<string, any>;

export function parseSql(sql: string): pgQuery.ParseResult {
  return pgQuery.parseSync(sql);
}

export function deparseStatement(stmt: AstNode): string {
  return deparseSync({ version: 170004, stmts: [{ stmt }] } as never, { pretty: false });
}

/** The node type name of a wrapped node (`{SelectStmt: {...}}` → 'SelectStmt'). */
export function nodeType(node: unknown): string | null {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return null;
  const keys = Object.keys(node);
  return keys.length === 1 && /^[A-Z]/.test(keys[0]!) ? keys[0]! : null;
}

export type Visitor = (type: string, body: AstNode, replace: (next: AstNode) => void) => void;

/**
 * Walks every wrapped node depth-first, children before parents, and lets the
 * visitor replace a node in its container.
 */
export function walk(root: unknown, visit: Visitor): void {
  const visitValue = (container: any, key: string | number): void => {
    const value = container[key];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visitValue(value, i);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const k of Object.keys(value)) visitValue(value, k);
    const type = nodeType(value);
    if (type) visit(type, value[type], (next) => (container[key] = next));
  };
  visitValue({ root }, 'root');
}

/** `{String: {sval}}` lists → plain strings. */
export function names(list: AstNode[] | undefined): string[] {
  return (list ?? []).map((n) => n.String?.sval ?? (n.A_Star ? '*' : ''));
}

export function str(sval: string): AstNode {
  return { String: { sval } };
}

export function funcCall(name: string[], args: AstNode[]): AstNode {
  return { FuncCall: { funcname: name.map(str), args, funcformat: 'COERCE_EXPLICIT_CALL' } };
}
