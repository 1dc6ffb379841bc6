import { names, nodeType, type AstNode } from '../ast.js';
import type { RewritePass } from './pass.js';

const SQL_VALUE_FUNCTION_NAMES: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

/** PostgreSQL's canonical names for the SQL-standard type spellings. */
const TYPE_NAMES: Record<string, string> = {
  integer: 'int4',
  int: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  real: 'float4',
  float: 'float8',
  'double precision': 'float8',
  boolean: 'bool',
  decimal: 'numeric',
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  'timestamp with time zone': 'timestamptz',
  'time with time zone': 'timetz',
};

interface Named {
  name: string;
  strength: number;
}

/** PostgreSQL's FigureColnameInternal: the output column name of an expression. */
function figure(node: AstNode | undefined): Named {
  const type = nodeType(node);
  if (!type || !node) return { name: '?column?', strength: 0 };
  const b = node[type];
  switch (type) {
    case 'ColumnRef': {
      const fields = names(b.fields);
      const last = fields[fields.length - 1];
      if (last && last !== '*') return { name: last, strength: 2 };
      break;
    }
    case 'A_Indirection': {
      const ind = b.indirection as AstNode[];
      const last = ind[ind.length - 1];
      if (last?.String) return { name: last.String.sval, strength: 2 };
      return figure(b.arg);
    }
    case 'FuncCall': {
      const fn = names(b.funcname);
      return { name: fn[fn.length - 1]!, strength: 2 };
    }
    case 'A_Expr':
      if (b.kind === 'AEXPR_NULLIF') return { name: 'nullif', strength: 2 };
      break;
    case 'TypeCast': {
      const inner = figure(b.arg);
      if (inner.strength > 0) return inner;
      const tn = names(b.typeName?.TypeName?.names ?? b.typeName?.names);
      const last = tn[tn.length - 1];
      if (last) return { name: TYPE_NAMES[last] ?? last, strength: 1 };
      break;
    }
    case 'CollateClause':
      return figure(b.arg);
    case 'GroupingFunc':
      return { name: 'grouping', strength: 2 };
    case 'SubLink':
      switch (b.subLinkType) {
        case 'EXISTS_SUBLINK':
          return { name: 'exists', strength: 2 };
        case 'ARRAY_SUBLINK':
          return { name: 'array', strength: 2 };
        case 'EXPR_SUBLINK': {
          const sub = b.subselect?.SelectStmt;
          const first = sub?.targetList?.[0]?.ResTarget;
          if (first) return first.name ? { name: first.name, strength: 2 } : figure(first.val);
          break;
        }
        default:
          break;
      }
      break;
    case 'CaseExpr': {
      const inner = figure(b.defresult);
      if (inner.strength > 1) return inner;
      return { name: 'case', strength: 1 };
    }
    case 'A_ArrayExpr':
      return { name: 'array', strength: 2 };
    case 'RowExpr':
      return { name: 'row', strength: 2 };
    case 'CoalesceExpr':
      return { name: 'coalesce', strength: 2 };
    case 'MinMaxExpr':
      return { name: b.op === 'IS_GREATEST' ? 'greatest' : 'least', strength: 2 };
    case 'SQLValueFunction':
      return { name: SQL_VALUE_FUNCTION_NAMES[b.op] ?? '?column?', strength: 2 };
    case 'XmlExpr':
      return { name: String(b.op ?? 'xml').replace(/^IS_/, '').toLowerCase(), strength: 2 };
    default:
      break;
  }
  return { name: '?column?', strength: 0 };
}

function nameTargets(select: AstNode | undefined): boolean {
  if (!select) return false;
  // For UNION/INTERSECT/EXCEPT, PostgreSQL names the columns after the first branch.
  // (the protobuf JSON holds larg unwrapped; accept both shapes)
  if (select.op && select.op !== 'SETOP_NONE') return nameTargets(select.larg?.SelectStmt ?? select.larg);
  let changed = false;
  for (const t of (select.targetList ?? []) as AstNode[]) {
    const rt = t.ResTarget;
    if (!rt || rt.name) continue;
    const val = rt.val;
    if (nodeType(val) === 'ColumnRef') continue; // DuckDB already uses the column's own name
    rt.name = figure(val).name;
    changed = true;
  }
  return changed;
}

/** Names unnamed output columns the way PostgreSQL does (`count`, `?column?`, `int4`...). */
export const columnNamesPass: RewritePass = {
  name: 'column-names',
  wants: (tokens) => tokens.length > 0 && ['select', 'with', 'values', 'table', 'explain'].includes(tokens[0]!.value) === true,
  apply(stmt) {
    const type = nodeType(stmt);
    if (type === 'SelectStmt') return nameTargets(stmt.SelectStmt);
    return false;
  },
};
