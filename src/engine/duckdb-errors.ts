import { PgError, SqlState } from '../errors.js';

interface Rule {
  test: RegExp;
  code: string;
  /** Rewrites the message into PostgreSQL's wording; receives the regex match. */
  message?: (m: RegExpExecArray) => string;
}

/**
 * DuckDB error text → SQLSTATE and PostgreSQL-style message. DuckDB reports
 * errors as `<Kind> Error: <text>` with an optional `LINE n: ...` caret block;
 * the kind and the text decide the class. First match wins.
 */
const rules: Rule[] = [
  // errors raised by lakegate's own DuckDB functions carry their SQLSTATE (from bind: Binder Error)
  { test: /^[A-Za-z ]+ Error: lakegate:(\w{5}): (.*)/, code: '', message: (m) => m[2]! },
  { test: /^Parser Error: syntax error at end of input/, code: SqlState.SyntaxError, message: () => 'syntax error at end of input' },
  { test: /^Parser Error: syntax error at or near "(.*)"/, code: SqlState.SyntaxError, message: (m) => `syntax error at or near "${m[1]}"` },
  { test: /^Parser Error: /, code: SqlState.SyntaxError },
  { test: /^Catalog Error: Table with name (.+?) does not exist/, code: SqlState.UndefinedTable, message: (m) => `relation "${m[1]}" does not exist` },
  { test: /^Catalog Error: (?:Scalar|Aggregate|Table|Macro|Pragma)? ?Function with name "?(.+?)"? does not exist/, code: SqlState.UndefinedFunction, message: (m) => `function ${m[1]} does not exist` },
  { test: /^Catalog Error: Schema with name "?(.+?)"? does not exist/, code: SqlState.InvalidSchemaName, message: (m) => `schema "${m[1]}" does not exist` },
  { test: /^Catalog Error: Type with name "?(.+?)"? does not exist/, code: SqlState.UndefinedObject, message: (m) => `type "${m[1]}" does not exist` },
  { test: /^Catalog Error: Catalog "?(.+?)"? does not exist/, code: SqlState.InvalidCatalogName, message: (m) => `database "${m[1]}" does not exist` },
  { test: /^Catalog Error: (?:Table|View) with name "?(.+?)"? already exists/, code: SqlState.DuplicateTable, message: (m) => `relation "${m[1]}" already exists` },
  { test: /^Catalog Error: .*already exists/, code: SqlState.DuplicateObject },
  { test: /^Catalog Error: Existing object .* is of type/, code: SqlState.WrongObjectType },
  { test: /^Catalog Error: Cannot drop entry .* because there are entries that depend on it/, code: SqlState.DependentObjectsStillExist },
  { test: /^Catalog Error: /, code: SqlState.UndefinedObject },
  { test: /^Binder Error: Referenced column "?(.+?)"? not found/, code: SqlState.UndefinedColumn, message: (m) => `column "${m[1]}" does not exist` },
  { test: /^Binder Error: Values list "?(.+?)"? does not have a column named "?(.+?)"?/, code: SqlState.UndefinedColumn, message: (m) => `column ${m[1]}.${m[2]} does not exist` },
  { test: /^Binder Error: Table "?(.+?)"? does not have a column named "?(.+?)"?/, code: SqlState.UndefinedColumn, message: (m) => `column "${m[2]}" of relation "${m[1]}" does not exist` },
  { test: /^Binder Error: Referenced table "?(.+?)"? not found/, code: SqlState.UndefinedTable, message: (m) => `missing FROM-clause entry for table "${m[1]}"` },
  { test: /^Binder Error: Ambiguous reference to column name "?(.+?)"?/, code: SqlState.AmbiguousColumn, message: (m) => `column reference "${m[1]}" is ambiguous` },
  { test: /^Binder Error: column "?(.+?)"? must appear in the GROUP BY clause/, code: SqlState.GroupingError, message: (m) => `column "${m[1]}" must appear in the GROUP BY clause or be used in an aggregate function` },
  { test: /^Binder Error: No function matches the given name and argument types '(.+?)'/, code: SqlState.UndefinedFunction, message: (m) => `function ${m[1]} does not exist` },
  { test: /^Binder Error: Cannot compare values of type/, code: SqlState.UndefinedFunction },
  { test: /^Binder Error: Could not (?:implicitly )?cast/, code: SqlState.DatatypeMismatch },
  { test: /^Binder Error: .*aggregate function calls cannot be nested/, code: SqlState.GroupingError },
  { test: /^Binder Error: .*(?:WHERE clause cannot contain aggregates|aggregates are not allowed)/i, code: SqlState.GroupingError },
  { test: /^Binder Error: .*[Pp]arameter/, code: SqlState.IndeterminateDatatype },
  { test: /^Binder Error: .*Duplicate/i, code: SqlState.DuplicateColumn },
  { test: /^Binder Error: /, code: SqlState.SyntaxErrorOrAccessRuleViolation },
  { test: /^Conversion Error: .*(?:out of range|can't be cast because the value is out of range)/, code: SqlState.NumericValueOutOfRange },
  { test: /^Conversion Error: (?:Could not convert string '(.*)' to (INT\d+|INTEGER|BIGINT|SMALLINT|TINYINT|HUGEINT|U\w+))/, code: SqlState.InvalidTextRepresentation, message: (m) => `invalid input syntax for type ${pgIntName(m[2]!)}: "${m[1]}"` },
  { test: /^Conversion Error: (?:Could not convert string '(.*)' to (DOUBLE|FLOAT|DECIMAL\S*))/, code: SqlState.InvalidTextRepresentation, message: (m) => `invalid input syntax for type ${pgFloatName(m[2]!)}: "${m[1]}"` },
  { test: /^Conversion Error: Could not convert string '(.*)' to BOOL/, code: SqlState.InvalidTextRepresentation, message: (m) => `invalid input syntax for type boolean: "${m[1]}"` },
  { test: /^Conversion Error: .*(?:date|time|timestamp|interval).*(?:format|invalid)/i, code: SqlState.InvalidDatetimeFormat },
  { test: /^Conversion Error: .*(?:date field value out of range|out of range for)/i, code: SqlState.DatetimeFieldOverflow },
  { test: /^Conversion Error: .*UTF-?8/i, code: SqlState.CharacterNotInRepertoire },
  { test: /^Conversion Error: /, code: SqlState.InvalidTextRepresentation },
  { test: /^Out of Range Error: .*(?:[Dd]ivision by zero|divide by zero)/, code: SqlState.DivisionByZero, message: () => 'division by zero' },
  { test: /^Out of Range Error: Overflow in \w+ of (INT16|INT32|INT64)\b/, code: SqlState.NumericValueOutOfRange, message: (m) => `${pgIntName(m[1]!)} out of range` },
  { test: /^Out of Range Error: /, code: SqlState.NumericValueOutOfRange },
  { test: /^Invalid Input Error: division by zero/, code: SqlState.DivisionByZero, message: () => 'division by zero' },
  { test: /^Invalid Input Error: .*(?:[Dd]ivision by zero)/, code: SqlState.DivisionByZero, message: () => 'division by zero' },
  { test: /^Invalid Input Error: lakegate:(\w{5}): (.*)/, code: '', message: (m) => m[2]! },
  { test: /^Invalid Input Error: .*(?:[Uu]nicode|UTF-?8)/, code: SqlState.CharacterNotInRepertoire },
  { test: /^Invalid Input Error: .*(?:No files found|does not exist)/, code: SqlState.UndefinedFile },
  // a lake file replaced by something that is not Parquet: data_corrupted, as PostgreSQL reports unreadable pages
  { test: /^Invalid Input Error: File '(.*)' too small to be a Parquet file/, code: 'XX001', message: (m) => `could not read file "${m[1]}": not a Parquet file (too small)` },
  { test: /^Invalid Input Error: No magic bytes found at end of file '(.*)'/, code: 'XX001', message: (m) => `could not read file "${m[1]}": not a Parquet file` },
  { test: /^Invalid Input Error: /, code: SqlState.InvalidParameterValue },
  { test: /^Constraint Error: .*(?:[Dd]uplicate key|PRIMARY KEY or UNIQUE)/, code: SqlState.UniqueViolation },
  { test: /^Constraint Error: NOT NULL constraint failed/, code: SqlState.NotNullViolation },
  { test: /^Constraint Error: .*foreign key/i, code: SqlState.ForeignKeyViolation },
  { test: /^Constraint Error: CHECK constraint failed/, code: SqlState.CheckViolation },
  { test: /^Constraint Error: /, code: SqlState.IntegrityConstraintViolation },
  { test: /^Interrupt Error: /, code: SqlState.QueryCanceled, message: () => 'canceling statement due to user request' },
  { test: /^Out of Memory Error: /, code: SqlState.OutOfMemory },
  { test: /^Permission Error: /, code: SqlState.InsufficientPrivilege },
  { test: /^IO Error: (?:No files found that match the pattern "(.*?)"|Cannot open file "(.*?)")/, code: SqlState.UndefinedFile, message: (m) => `could not open file "${m[1] ?? m[2]}": No such file or directory` },
  { test: /^IO Error: /, code: SqlState.IoError },
  { test: /^Not implemented Error: /, code: SqlState.FeatureNotSupported },
  { test: /^TransactionContext Error: cannot start a transaction within a transaction/, code: SqlState.ActiveSqlTransaction, message: () => 'there is already a transaction in progress' },
  { test: /^TransactionContext Error: .*[Cc]onflict/, code: SqlState.SerializationFailure },
  { test: /^TransactionContext Error: /, code: SqlState.InvalidTransactionState },
  { test: /^Transaction Error: /, code: SqlState.SerializationFailure },
  { test: /^Dependency Error: /, code: SqlState.DependentObjectsStillExist },
  { test: /^Sequence Error: /, code: '2200H' },
  { test: /^Serialization Error: /, code: SqlState.SerializationFailure },
  { test: /^Invalid Error: /, code: SqlState.InternalError },
  { test: /^INTERNAL Error: /, code: SqlState.InternalError },
  { test: /^FATAL Error: /, code: SqlState.InternalError },
  { test: /^Invalid (?:type|Configuration) Error: /, code: SqlState.InvalidParameterValue },
  { test: /^Mismatch Type Error: /, code: SqlState.DatatypeMismatch },
  { test: /^HTTP Error: /, code: SqlState.IoError },
];

function pgIntName(duck: string): string {
  if (duck === 'INT16' || duck === 'SMALLINT' || duck === 'INT8' || duck === 'TINYINT') return 'smallint';
  if (duck === 'INT64' || duck === 'BIGINT') return 'bigint';
  return 'integer';
}

function pgFloatName(duck: string): string {
  if (duck.startsWith('DECIMAL')) return 'numeric';
  return duck === 'FLOAT' ? 'real' : 'double precision';
}

/**
 * Splits DuckDB's `LINE n: <snippet>\n<spaces>^` block off the message and
 * turns the caret into a 1-based character position within `query`.
 */
function extractPosition(text: string, query: string | undefined): { text: string; position?: number } {
  const m = /\n\nLINE (\d+): (.*)\n( *)\^\s*$/s.exec(text);
  if (!m) return { text };
  const rest = text.slice(0, m.index);
  if (!query) return { text: rest };
  const lineNo = Number(m[1]);
  const snippet = m[2]!;
  const caretCol = m[3]!.length - `LINE ${m[1]}: `.length;
  const lines = query.split('\n');
  if (lineNo < 1 || lineNo > lines.length) return { text: rest };
  let lineStart = 0;
  for (let i = 0; i < lineNo - 1; i++) lineStart += lines[i]!.length + 1;
  const line = lines[lineNo - 1]!;
  // DuckDB elides long lines with "..."; find the snippet's place in the line.
  let snippetStart = 0;
  if (!line.startsWith(snippet)) {
    const core = snippet.replace(/^\.\.\./, '').replace(/\.\.\.$/, '');
    const at = line.indexOf(core);
    if (at < 0) return { text: rest };
    snippetStart = at - (snippet.startsWith('...') ? 3 : 0);
  }
  const offset = lineStart + snippetStart + caretCol;
  if (offset < 0 || offset > query.length) return { text: rest };
  // PostgreSQL positions count characters, 1-based
  return { text: rest, position: offset + 1 };
}

/** Translates an error thrown by DuckDB into a PgError with the right SQLSTATE. */
export function translateDuckDbError(err: unknown, query?: string): PgError {
  if (err instanceof PgError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  let { text, position } = extractPosition(raw, query);
  // PostgreSQL points just past the last character for "at end of input"
  if (position === undefined && query !== undefined && /^Parser Error: syntax error at end of input/.test(text)) position = [...query].length + 1;
  const [first, ...more] = text.split('\n');
  const head = first ?? text;
  for (const rule of rules) {
    const m = rule.test.exec(head);
    if (!m) continue;
    let code = rule.code;
    let message = rule.message ? rule.message(m) : stripKind(head);
    if (code === '') {
      code = m[1]!;
      message = m[2]!;
    }
    const detail = withoutHints(more).join('\n') || undefined;
    return new PgError(code, message, { position, detail });
  }
  return new PgError(SqlState.InternalError, stripKind(head), { position });
}

/**
 * DuckDB's hints ("Did you mean ...", "Candidate bindings/functions: ...")
 * name other objects of the database, possibly ones the user may not see:
 * everything from the first hint line on is dropped.
 */
function withoutHints(lines: string[]): string[] {
  const cut = lines.findIndex((l) => /^\s*(Did you mean|Candidate)/i.test(l));
  return (cut < 0 ? lines : lines.slice(0, cut)).filter((l) => l.trim() !== '');
}

function stripKind(s: string): string {
  return s.replace(/^[A-Za-z ]+ Error: /, '');
}
