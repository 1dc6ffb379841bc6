import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCatalog } from '../../src/catalog/check.js';
import { CatalogError } from '../../src/catalog/errors.js';
import { catalogDirWith, makeFixtureLake } from '../support/lake-fixture.js';

let fixture: string;
beforeAll(async () => {
  fixture = await makeFixtureLake();
});

/** Writes the lines as catalog.yaml next to a copy of the fixture lake and returns every error line of check-catalog. */
async function errorsOf(lines: string[], env: Record<string, string> = {}): Promise<string[]> {
  const dir = catalogDirWith(fixture, `${lines.join('\n')}\n`);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    await checkCatalog(dir);
    return [];
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    expect(e.message.split('\n')).toHaveLength(e.issues.length);
    return e.message.split('\n');
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const lake = (...tables: string[]): string[] => ['schemas:', '  lake:', ...tables];

describe('catalog validation: the file', () => {
  it('accepts a valid catalog', async () => {
    expect(await errorsOf(lake('    one: { parquet: lake/one.parquet }'))).toEqual([]);
  });

  it('names a missing catalog file', async () => {
    await expect(checkCatalog(path.join(fixture, 'nope', 'catalog.yaml'))).rejects.toThrow(`${path.join(fixture, 'nope', 'catalog.yaml')}: no such catalog file`);
  });

  it('names a catalog file that cannot be read', async () => {
    const file = path.join(fixture, 'lake', 'one.parquet', 'catalog.yaml');
    await expect(checkCatalog(file)).rejects.toThrow(`${file}: cannot read the catalog file (ENOTDIR)`);
  });

  it('reports invalid YAML with its line', async () => {
    expect(await errorsOf(['database: x', 'schemas:', '  lake: [', ''])).toEqual([expect.stringMatching(/^catalog\.yaml:5: invalid YAML: Flow sequence/)]);
  });

  it('reports a duplicated key', async () => {
    expect(await errorsOf(['database: a', 'database: b'])).toEqual(['catalog.yaml:2: invalid YAML: Map keys must be unique']);
  });

  it('reports unknown keys at their line', async () => {
    expect(await errorsOf(['databse: x', ...lake('    one:', '      parkett: lake/one.parquet')])).toEqual([
      'catalog.yaml:1: databse: unknown key',
      'catalog.yaml:5: schemas.lake.one.parkett: unknown key',
    ]);
  });

  it('reports a value of the wrong type', async () => {
    expect(await errorsOf(lake('    one:', '      parquet: 5'))).toEqual(['catalog.yaml:4: schemas.lake.one.parquet: expected string, received number']);
    expect(await errorsOf(lake('    one:', '      parquet: lake/one.parquet', '      hive_partitioning: "yes"'))).toEqual([
      'catalog.yaml:5: schemas.lake.one.hive_partitioning: expected true/false, or partition column → type',
    ]);
  });

  it('reports names that are not plain identifiers', async () => {
    expect(await errorsOf(['schemas:', '  bad-name:', '    one: { parquet: lake/one.parquet }'])).toEqual([
      'catalog.yaml:2: schemas.bad-name: must be a plain identifier (letters, digits, _ and $, not starting with a digit)',
    ]);
  });

  it('reports a type name that is not one', async () => {
    expect(await errorsOf(lake('    one:', '      parquet: lake/one.parquet', '      columns:', '        id: "int; drop table x"'))).toEqual([
      expect.stringMatching(/^catalog\.yaml:6: schemas\.lake\.one\.columns\.id(\.type)?: (is not a type name|expected a type name, or \{ type, comment \})$/),
    ]);
  });

  it('reports a table without files and one with two formats', async () => {
    expect(await errorsOf(lake('    a: { comment: nothing }', '    b: { parquet: lake/one.parquet, csv: lake/people.csv }'))).toEqual([
      'catalog.yaml:3: schemas.lake.a: give the files: parquet, csv or json (or a source)',
      'catalog.yaml:4: schemas.lake.b: give only one of parquet, csv',
    ]);
  });

  it('reports reader options of another format', async () => {
    expect(
      await errorsOf(lake('    a:', '      parquet: lake/one.parquet', '      delimiter: ";"', '    b:', '      csv: lake/people.csv', '      json_format: array')),
    ).toEqual(['catalog.yaml:5: schemas.lake.a.delimiter: only applies to csv tables', 'catalog.yaml:8: schemas.lake.b.json_format: only applies to json tables']);
  });

  it('reports source keys on lake tables and lake keys on source tables', async () => {
    expect(
      await errorsOf([
        'sources:',
        '  shop: { kind: sqlite, path: shop.db }',
        ...lake('    a:', '      parquet: lake/one.parquet', '      table: main.a', '    b:', '      source: shop', '      hive_partitioning: true'),
      ]),
    ).toEqual(['catalog.yaml:7: schemas.lake.a.table: only applies to tables of a source', 'catalog.yaml:10: schemas.lake.b.hive_partitioning: does not apply to tables of a source']);
  });

  it('reports a source that is not declared', async () => {
    expect(await errorsOf(['schemas:', '  crm:', '    customers:', '      source: crm'])).toEqual(['catalog.yaml:4: schemas.crm.customers.source: no source named "crm"']);
  });

  it('reports a missing file and a directory without data files', async () => {
    expect(await errorsOf(lake('    a: { parquet: lake/nope.parquet }', '    b: { parquet: lake/empty }'))).toEqual([
      'catalog.yaml:3: schemas.lake.a.parquet: no such file or directory "lake/nope.parquet"',
      'catalog.yaml:4: schemas.lake.b.parquet: no .parquet files under directory "lake/empty"',
    ]);
  });

  it('reports an unset environment variable in a path', async () => {
    delete process.env.LAKEGATE_TEST_UNSET;
    expect(await errorsOf(lake('    a:', '      parquet: ${LAKEGATE_TEST_UNSET}/one.parquet'))).toEqual([
      'catalog.yaml:4: schemas.lake.a.parquet: environment variable LAKEGATE_TEST_UNSET is not set',
    ]);
  });

  it('reports an unset environment variable in another section with its line', async () => {
    delete process.env.LAKEGATE_TEST_UNSET;
    expect(await errorsOf(['users:', '  - name: alice', '    password: ${LAKEGATE_TEST_UNSET}', ...lake('    a: { parquet: lake/one.parquet }')])).toEqual([
      expect.stringMatching(/^catalog\.yaml:(2|3): users\.alice\.password: environment variable LAKEGATE_TEST_UNSET is not set$/),
    ]);
  });

  it('reports names declared twice, ignoring case as DuckDB does', async () => {
    expect(await errorsOf([...lake('    trips: { parquet: lake/one.parquet }', '    Trips: { parquet: lake/one.parquet }'), 'views:', '  lake.trips: SELECT 1'])).toEqual([
      'catalog.yaml:4: schemas.lake.Trips: lake.Trips is already declared at line 3 (names are case-insensitive)',
      'catalog.yaml:6: views.lake.trips: lake.trips is already declared at line 3 (names are case-insensitive)',
    ]);
  });

  it('reports reserved schema names', async () => {
    expect(await errorsOf(['schemas:', '  pg_lake:', '    a: { parquet: lake/one.parquet }', 'views:', '  lakegate_internal.v: SELECT 1'])).toEqual([
      'catalog.yaml:2: schemas.pg_lake: schema name "pg_lake" is reserved',
      'catalog.yaml:5: views.lakegate_internal.v: schema name "lakegate_internal" is reserved',
    ]);
  });

  it('reports malformed view names and empty view SQL', async () => {
    expect(await errorsOf(['views:', '  daily: SELECT 1', '  lake.a.b: SELECT 1', '  lake.empty:', '    sql: "  "'])).toEqual([
      'catalog.yaml:2: views.daily: view names are schema.view, each a plain identifier',
      'catalog.yaml:3: views.lake.a.b: view names are schema.view, each a plain identifier',
      'catalog.yaml:5: views.lake.empty.sql: the view SQL is empty',
    ]);
  });

  it('reports a default schema, schema comment and lake root that do not exist', async () => {
    expect(
      await errorsOf(['default_schema: other', 'lake_roots: [lake, nowhere]', 'schema_comments:', '  ghost: boo', ...lake('    a: { parquet: lake/one.parquet }')]),
    ).toEqual([
      'catalog.yaml:1: default_schema: no schema named "other" in schemas or views',
      'catalog.yaml:2: lake_roots.1: no such directory "nowhere"',
      'catalog.yaml:4: schema_comments.ghost: no schema named "ghost" in schemas or views',
    ]);
  });

  it('reports a server.listen that is not host:port', async () => {
    expect(await errorsOf(['server: { listen: "5433" }', ...lake('    a: { parquet: lake/one.parquet }')])).toEqual(['catalog.yaml:1: server.listen: expected host:port']);
  });

  it('reports every problem of a file at once', async () => {
    const errors = await errorsOf(lake('    a: { parquet: lake/nope.parquet }', '    b: { csv: lake/people.csv, quote: "ab" }'));
    expect(errors).toEqual(['catalog.yaml:4: schemas.lake.b.quote: too big: expected string to have <=1 characters']);
    const two = await errorsOf(lake('    a: { parquet: lake/nope.parquet }', '    b: { parquet: lake/nope2.parquet }'));
    expect(two).toHaveLength(2);
  });
});

describe('catalog validation: against the files (DuckDB)', () => {
  it('reports a glob that matches no files, as the issue spells it', async () => {
    const errors = await errorsOf([
      '# line 1',
      '# line 2',
      '# line 3',
      '# line 4',
      '# line 5',
      '# line 6',
      '# line 7',
      '# line 8',
      '# line 9',
      '# line 10',
      'schemas:',
      '  lake:',
      '    trips:',
      '      parquet: lake/tripz/*.parquet',
    ]);
    expect(errors).toEqual(['catalog.yaml:14: schemas.lake.trips.parquet: no files match "lake/tripz/*.parquet"']);
  });

  it('reports files DuckDB cannot read', async () => {
    expect(await errorsOf(lake('    a:', '      parquet: lake/broken.parquet'))).toEqual([
      expect.stringMatching(/^catalog\.yaml:4: schemas\.lake\.a\.parquet: cannot read "lake\/broken\.parquet": could not read file ".*broken\.parquet": not a Parquet file$/),
    ]);
  });

  it('reports declared columns the files do not have, and wrong types', async () => {
    const errors = await errorsOf(
      lake('    a:', '      parquet: lake/one.parquet', '      columns:', '        id: bigint', '        nme: text', '        amount: "numeric(10,2)"', '        name: { type: wat }'),
    );
    expect(errors).toEqual([
      'catalog.yaml:6: schemas.lake.a.columns.id: declared bigint, but the files have INTEGER',
      'catalog.yaml:7: schemas.lake.a.columns.nme: no column "nme" in the files (they have id, name, amount)',
      'catalog.yaml:9: schemas.lake.a.columns.name: unknown type "wat"',
    ]);
  });

  it('suggests typing a partition column whose declared type differs from the inferred one', async () => {
    expect(await errorsOf(lake('    h:', '      parquet: lake/hive/**/*.parquet', '      hive_partitioning: true', '      columns: { id: integer, year: integer }'))).toEqual([
      'catalog.yaml:6: schemas.lake.h.columns.year: declared integer, but the files have BIGINT (a partition column: give its type with hive_partitioning: { year: <type> })',
    ]);
    expect(await errorsOf(lake('    h:', '      parquet: lake/hive/**/*.parquet', '      hive_partitioning: { year: integer }', '      columns: { id: integer, year: integer }'))).toEqual([]);
  });

  it('reports partition types for keys that are not partitions', async () => {
    expect(await errorsOf(lake('    h:', '      parquet: lake/hive/**/*.parquet', '      hive_partitioning: { year: integer, day: integer }'))).toEqual([
      expect.stringMatching(/^catalog\.yaml:5: schemas\.lake\.h\.hive_partitioning: cannot read "lake\/hive\/\*\*\/\*\.parquet": .*"day" does not appear to be a partition/),
    ]);
  });

  it('reports CSV types for columns the file does not have', async () => {
    expect(await errorsOf(lake('    p:', '      csv: lake/people.csv', '      delimiter: ";"', '      types: { nmae: text }'))).toEqual([
      expect.stringMatching(/^catalog\.yaml:6: schemas\.lake\.p\.types: cannot read "lake\/people\.csv": .*nmae/),
    ]);
  });

  it('reports declared CSV and JSON types the first rows do not convert to', async () => {
    expect(
      await errorsOf(lake('    p:', '      csv: lake/people.csv', '      delimiter: ";"', '      columns:', '        name: integer', '    e:', '      json: lake/events.ndjson', '      columns: { id: bigint, kind: date }')),
    ).toEqual([
      'catalog.yaml:6: schemas.lake.p.columns: cannot read "lake/people.csv" with the declared types: CSV Error on Line: 2: Error when converting column "name". Could not convert string "Smith; John" to \'INTEGER\'',
      expect.stringMatching(/^catalog\.yaml:10: schemas\.lake\.e\.columns: cannot read "lake\/events\.ndjson" with the declared types: .*"open"/),
    ]);
  });

  it('reports views whose SQL fails, after trying every order', async () => {
    const errors = await errorsOf([
      ...lake('    a: { parquet: lake/one.parquet }'),
      'views:',
      '  lake.v2: SELECT * FROM lake.v1',
      '  lake.v1: SELECT id FROM lake.a',
      '  lake.bad: SELECT * FROM lake.nope',
      '  lake.cols:',
      '    sql: SELECT id, name FROM lake.a',
      '    columns:',
      '      id: integer',
      '      name: bigint',
      '      ghost: {}',
    ]);
    expect(errors).toEqual([
      'catalog.yaml:7: views.lake.bad: relation "nope" does not exist',
      'catalog.yaml:12: views.lake.cols.columns.name: declared bigint, but the view has VARCHAR',
      'catalog.yaml:13: views.lake.cols.columns.ghost: no column "ghost" in the view (it has id, name)',
    ]);
  });

  it('refuses a glob in the directory that holds catalog.yaml', async () => {
    const dir = catalogDirWith(fixture, `${lake('    a: { parquet: "*.parquet" }').join('\n')}\n`);
    fs.copyFileSync(path.join(dir, 'lake', 'one.parquet'), path.join(dir, 'top.parquet'));
    await expect(checkCatalog(dir)).rejects.toThrow(`catalog.yaml:3: schemas.lake.a.parquet: "*.parquet" would let clients read ${dir}, which holds the catalog file: keep lake files in a directory without it`);
  });
});
