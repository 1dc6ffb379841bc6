import type { NoticeFields } from './protocol/backend/notice.js';

/** SQLSTATE codes lakegate raises (PostgreSQL Appendix A). */
export const SqlState = {
  SuccessfulCompletion: '00000',
  Warning: '01000',
  NoActiveSqlTransaction: '25P01',
  ActiveSqlTransaction: '25001',
  InFailedSqlTransaction: '25P02',
  ReadOnlySqlTransaction: '25006',
  InvalidTransactionState: '25000',
  ConnectionException: '08000',
  ConnectionFailure: '08006',
  ProtocolViolation: '08P01',
  FeatureNotSupported: '0A000',
  InvalidParameterValue: '22023',
  DivisionByZero: '22012',
  InvalidTextRepresentation: '22P02',
  NumericValueOutOfRange: '22003',
  DatetimeFieldOverflow: '22008',
  InvalidDatetimeFormat: '22007',
  CharacterNotInRepertoire: '22021',
  StringDataRightTruncation: '22001',
  InvalidEscapeSequence: '22025',
  NullValueNotAllowed: '22004',
  DataException: '22000',
  InvalidAuthorizationSpecification: '28000',
  InvalidPassword: '28P01',
  InvalidCatalogName: '3D000',
  InvalidSchemaName: '3F000',
  InvalidCursorName: '34000',
  InvalidSqlStatementName: '26000',
  DuplicateCursor: '42P03',
  DuplicatePreparedStatement: '42P05',
  SyntaxError: '42601',
  SyntaxErrorOrAccessRuleViolation: '42000',
  InsufficientPrivilege: '42501',
  UndefinedTable: '42P01',
  UndefinedColumn: '42703',
  UndefinedFunction: '42883',
  UndefinedObject: '42704',
  UndefinedParameter: '42P02',
  AmbiguousColumn: '42702',
  AmbiguousFunction: '42725',
  DuplicateTable: '42P07',
  DuplicateObject: '42710',
  DuplicateSchema: '42P06',
  DuplicateColumn: '42701',
  GroupingError: '42803',
  DatatypeMismatch: '42804',
  WrongObjectType: '42809',
  InvalidColumnReference: '42P10',
  IndeterminateDatatype: '42P18',
  CannotCoerce: '42846',
  UniqueViolation: '23505',
  NotNullViolation: '23502',
  ForeignKeyViolation: '23503',
  CheckViolation: '23514',
  IntegrityConstraintViolation: '23000',
  SerializationFailure: '40001',
  QueryCanceled: '57014',
  AdminShutdown: '57P01',
  CannotConnectNow: '57P03',
  TooManyConnections: '53300',
  OutOfMemory: '53200',
  ProgramLimitExceeded: '54000',
  UndefinedFile: '58P01',
  IoError: '58030',
  DependentObjectsStillExist: '2BP01',
  InternalError: 'XX000',
  ConfigFileError: 'F0000',
  IdleSessionTimeout: '57P05',
  InvalidCursorState: '24000',
  CantChangeRuntimeParam: '55P02',
  ObjectNotInPrerequisiteState: '55000',
  SqlclientUnableToEstablishSqlconnection: '08001',
} as const;

export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState] | string;

/** An error to be sent to the client as an ErrorResponse (or NoticeResponse). */
export class PgError extends Error {
  readonly code: SqlStateCode;
  readonly severity: NoticeFields['severity'];
  detail?: string;
  hint?: string;
  position?: number;

  constructor(
    code: SqlStateCode,
    message: string,
    extra: { detail?: string; hint?: string; position?: number; severity?: NoticeFields['severity'] } = {},
  ) {
    super(message);
    this.code = code;
    this.severity = extra.severity ?? 'ERROR';
    this.detail = extra.detail;
    this.hint = extra.hint;
    this.position = extra.position;
  }

  toFields(): NoticeFields {
    return {
      severity: this.severity,
      code: this.code,
      message: this.message,
      detail: this.detail,
      hint: this.hint,
      position: this.position,
    };
  }
}

export function isPgError(e: unknown): e is PgError {
  return e instanceof PgError;
}
