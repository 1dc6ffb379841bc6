import {
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DialectAdapter,
  type QueryCompiler,
  type DatabaseIntrospector,
} from 'kysely';

export type Dialect = 'postgres' | 'mysql' | 'sqlite';

/**
 * Kysely instances that only compile: remote SQL is built with Kysely's query
 * builder and compiled by the dialect's own QueryCompiler (identifier quoting,
 * parameter placeholders); a DummyDriver makes sure nothing ever executes
 * through them. Connectors run the compiled SQL on their own drivers.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Compiler = Kysely<any>;

function compileOnly(adapter: () => DialectAdapter, introspector: (db: Kysely<unknown>) => DatabaseIntrospector, compiler: () => QueryCompiler): Compiler {
  return new Kysely({
    dialect: {
      createAdapter: adapter,
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => introspector(db as Kysely<unknown>),
      createQueryCompiler: compiler,
    },
  });
}

const compilers: Record<Dialect, Compiler> = {
  postgres: compileOnly(
    () => new PostgresAdapter(),
    (db) => new PostgresIntrospector(db),
    () => new PostgresQueryCompiler(),
  ),
  mysql: compileOnly(
    () => new MysqlAdapter(),
    (db) => new MysqlIntrospector(db),
    () => new MysqlQueryCompiler(),
  ),
  sqlite: compileOnly(
    () => new SqliteAdapter(),
    (db) => new SqliteIntrospector(db),
    () => new SqliteQueryCompiler(),
  ),
};

export function compilerFor(d: Dialect): Compiler {
  return compilers[d];
}
