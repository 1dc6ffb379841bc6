import { PgError, SqlState } from '../errors.js';
import type { Token } from './scanner.js';
import type { Statement } from './statement.js';

export type ExplainStatement = Extract<Statement, { kind: 'explain' }>;

function syntaxError(t: Token | undefined): PgError {
  if (!t) return new PgError(SqlState.SyntaxError, 'syntax error at end of input');
  return new PgError(SqlState.SyntaxError, `syntax error at or near "${t.text}"`, { position: t.start + 1 });
}

function word(t: Token | undefined): string {
  if (!t) return '';
  return t.kind === 'keyword' || (t.kind === 'ident' && !t.text.startsWith('"')) ? t.value : '';
}

/** PostgreSQL's boolean option values. */
function booleanValue(t: Token): boolean | null {
  const v = t.kind === 'string' ? t.text.slice(1, -1).toLowerCase() : t.kind === 'number' ? t.text : word(t);
  if (['true', 'on', '1', 'yes'].includes(v)) return true;
  if (['false', 'off', '0', 'no'].includes(v)) return false;
  return null;
}

const IGNORED_OPTIONS = new Set(['verbose', 'costs', 'settings', 'buffers', 'wal', 'timing', 'summary']);

/**
 * `EXPLAIN [ANALYZE] [VERBOSE] stmt` and `EXPLAIN (option [, ...]) stmt`.
 * ANALYZE and FORMAT TEXT|JSON change what DuckDB reports; VERBOSE, COSTS,
 * SETTINGS, BUFFERS, WAL, TIMING and SUMMARY are accepted and have no effect.
 * `tokens[0]` is EXPLAIN itself.
 */
export function classifyExplain(text: string, tokens: Token[]): ExplainStatement {
  let i = 1;
  let analyze = false;
  let format: 'text' | 'json' = 'text';
  if (tokens[i]?.text === '(') {
    i++;
    for (;;) {
      const name = word(tokens[i]);
      if (!name) throw syntaxError(tokens[i]);
      i++;
      if (name === 'format') {
        const f = tokens[i];
        const value = f ? (f.kind === 'string' ? f.text.slice(1, -1).toLowerCase() : word(f)) : '';
        if (!f || !value) throw syntaxError(f);
        i++;
        if (value === 'text' || value === 'json') format = value;
        else if (value === 'xml' || value === 'yaml') throw new PgError(SqlState.FeatureNotSupported, `EXPLAIN format ${value.toUpperCase()} is not supported; use TEXT or JSON`);
        else throw new PgError(SqlState.InvalidParameterValue, `unrecognized value for EXPLAIN option "format": "${value}"`);
      } else if (name === 'analyze' || name === 'analyse' || IGNORED_OPTIONS.has(name)) {
        let on = true;
        const v = tokens[i];
        if (v && v.text !== ',' && v.text !== ')') {
          const b = booleanValue(v);
          if (b === null) throw new PgError(SqlState.InvalidParameterValue, `${name} requires a Boolean value`);
          on = b;
          i++;
        }
        if (name === 'analyze' || name === 'analyse') analyze = on;
      } else {
        throw new PgError(SqlState.SyntaxError, `unrecognized EXPLAIN option "${name}"`, { position: tokens[i - 1]!.start + 1 });
      }
      const sep = tokens[i++];
      if (sep?.text === ')') break;
      if (sep?.text !== ',') throw syntaxError(sep);
    }
  } else {
    if (word(tokens[i]) === 'analyze' || word(tokens[i]) === 'analyse') {
      analyze = true;
      i++;
    }
    if (word(tokens[i]) === 'verbose') i++;
  }
  const first = tokens[i];
  if (!first) throw syntaxError(undefined);
  // PostgreSQL explains SELECT, INSERT, UPDATE, DELETE, VALUES, EXECUTE, DECLARE, CREATE TABLE AS; here: what DuckDB runs
  const starts = ['select', 'with', 'values', 'table', 'insert', 'update', 'delete', 'from', 'create'];
  if (!(starts.includes(word(first)) || first.text === '(')) throw syntaxError(first);
  const offset = first.start;
  return {
    kind: 'explain',
    analyze,
    format,
    query: text.slice(offset),
    queryTokens: tokens.slice(i).map((t) => ({ ...t, start: t.start - offset, end: t.end - offset })),
  };
}
