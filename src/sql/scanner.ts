import * as pgQuery from 'libpg-query';
import { PgError, SqlState } from '../errors.js';

export type TokenKind = 'keyword' | 'ident' | 'string' | 'number' | 'param' | 'op' | 'semicolon' | 'comment' | 'other';

export interface Token {
  kind: TokenKind;
  /** Character offsets into the SQL text (not bytes). */
  start: number;
  end: number;
  text: string;
  /** Lower-cased keyword or unquoted identifier; the unquoted name for quoted identifiers. */
  value: string;
}

let loaded: Promise<void> | null = null;

/** Loads PostgreSQL's parser (WASM) once; call before scanning or parsing. */
export function loadSqlParser(): Promise<void> {
  loaded ??= pgQuery.loadModule();
  return loaded;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Maps UTF-8 byte offsets (what the scanner reports) to string offsets. */
function byteToCharMap(sql: string): (b: number) => number {
  if (isAscii(sql)) return (b) => b;
  const map: number[] = [];
  let b = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.codePointAt(i)!;
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) map[b + k] = i;
    b += n;
    if (c >= 0x10000) i++;
  }
  map[b] = sql.length;
  return (x) => map[x] ?? sql.length;
}

function kindOf(tokenName: string, keywordName: string, text: string): TokenKind {
  if (text === ';') return 'semicolon';
  switch (tokenName) {
    case 'IDENT':
      return 'ident';
    case 'SCONST':
    case 'USCONST':
    case 'BCONST':
    case 'XCONST':
      return 'string';
    case 'ICONST':
    case 'FCONST':
      return 'number';
    case 'PARAM':
      return 'param';
    case 'SQL_COMMENT':
    case 'C_COMMENT':
      return 'comment';
    default:
      break;
  }
  if (keywordName !== 'NO_KEYWORD') return 'keyword';
  if (/^[^\w\s"'$]+$/.test(text)) return 'op';
  return 'other';
}

function identValue(text: string): string {
  if (text.startsWith('"')) return text.slice(1, -1).replace(/""/g, '"');
  if (/^u&"/i.test(text)) return text.slice(3, -1);
  return text.toLowerCase();
}

/**
 * Tokenizes SQL with PostgreSQL's own lexer. Throws a 42601 PgError for an
 * unterminated quoted string or comment, as PostgreSQL does.
 */
export function scan(sql: string): Token[] {
  let result: pgQuery.ScanResult;
  try {
    result = pgQuery.scanSync(sql);
  } catch {
    throw unterminated(sql);
  }
  const toChar = byteToCharMap(sql);
  const tokens: Token[] = [];
  for (const t of result.tokens) {
    const start = toChar(t.start);
    const end = toChar(t.end);
    const text = sql.slice(start, end);
    const kind = kindOf(t.tokenName, t.keywordName, text);
    tokens.push({ kind, start, end, text, value: kind === 'keyword' || kind === 'ident' ? identValue(text) : text });
  }
  return tokens;
}

function unterminated(sql: string): PgError {
  // Find what is left open, to word the error as PostgreSQL does.
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'") {
      const close = sql.indexOf("'", i + 1);
      if (close < 0) return new PgError(SqlState.SyntaxError, `unterminated quoted string at or near "${sql.slice(i)}"`, { position: i + 1 });
      i = close + 1;
    } else if (c === '"') {
      const close = sql.indexOf('"', i + 1);
      if (close < 0) return new PgError(SqlState.SyntaxError, `unterminated quoted identifier at or near "${sql.slice(i)}"`, { position: i + 1 });
      i = close + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) return new PgError(SqlState.SyntaxError, 'unterminated /* comment at or near "' + sql.slice(i) + '"', { position: i + 1 });
      i = close + 2;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        if (close < 0) return new PgError(SqlState.SyntaxError, `unterminated dollar-quoted string at or near "${sql.slice(i)}"`, { position: i + 1 });
        i = close + m[0].length;
      } else i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else i++;
  }
  return new PgError(SqlState.SyntaxError, 'syntax error');
}

/** One statement of a query string: its text and its tokens without comments. */
export interface StatementText {
  text: string;
  tokens: Token[];
}

/**
 * Splits a query string at top-level semicolons. Statements that hold only
 * comments or whitespace are dropped; an all-empty string yields [].
 */
export function splitStatements(sql: string): StatementText[] {
  const tokens = scan(sql);
  const out: StatementText[] = [];
  let current: Token[] = [];
  let start = -1;
  const push = (end: number): void => {
    if (current.length > 0) {
      const text = sql.slice(start, end);
      out.push({ text, tokens: current.map((t) => ({ ...t, start: t.start - start, end: t.end - start })) });
    }
    current = [];
    start = -1;
  };
  let lastEnd = 0;
  for (const t of tokens) {
    if (t.kind === 'semicolon') {
      push(lastEnd);
      continue;
    }
    if (t.kind === 'comment') continue;
    if (start < 0) start = t.start;
    current.push(t);
    lastEnd = t.end;
  }
  push(lastEnd);
  return out;
}
