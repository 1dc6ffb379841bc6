import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TPCH_TABLES, tpchRowCounts } from './schema.js';

/**
 * A deterministic TPC-H-like data generator written in DuckDB SQL (DuckDB's
 * tpch extension cannot be loaded here). It follows the table shapes and
 * value rules of the TPC-H specification, clause 4.2.3: key ranges, the
 * sparse order keys, the four suppliers of each part, price formulas, date
 * offsets, status/flag rules relative to CURRENTDATE 1995-06-17, and text
 * from the same word classes, so that the 22 queries select realistic
 * fractions of the data. "Random" values are hashes of (row key, column
 * salt), so the same scale always produces the same rows.
 *
 * Bump GENERATOR_VERSION whenever the generated data changes: cached Parquet
 * files and loaded PostgreSQL tables are keyed by it.
 */
export const GENERATOR_VERSION = 'tpch-gen-1';

const list = (words: string[]): string => `[${words.map((w) => `'${w}'`).join(', ')}]`;

const COLORS = ('almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished chartreuse chiffon ' +
  'chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab firebrick floral forest frosted gainsboro ghost goldenrod ' +
  'green grey honeydew hot indian ivory khaki lace lavender lawn lemon light lime linen magenta maroon medium metallic midnight mint ' +
  'misty moccasin navajo navy olive orange orchid pale papaya peach peru pink plum powder puff purple red rose rosy royal saddle salmon ' +
  'sandy seashell sienna sky slate smoke snow spring steel tan thistle tomato turquoise violet wheat white yellow').split(' ');

// Word classes of the text grammar (clause 4.2.2.10). Frequent words appear
// more than once, as the specification's weights make them more likely.
const NOUNS = ('packages packages packages requests requests requests accounts accounts accounts deposits deposits deposits foxes ideas ' +
  'theodolites pinto_beans instructions dependencies excuses platelets asymptotes courts dolphins multipliers sauternes warthogs frets ' +
  'dinos attainments somas patterns forges braids hockey_players frays warhorses dugouts notornis epitaphs pearls tithes waters orbits ' +
  'gifts sheaves depths sentiments decoys realms pains grouches escapades').split(' ').map((w) => w.replace('_', ' '));
const VERBS = ('sleep wake are cajole haggle nag use boost affix detect integrate maintain nod was lose sublate solve thrash promise ' +
  'engage hinder print x-ray breach eat grow impress mold poach serve run dazzle snooze doze unwind kindle play hang believe doubt').split(' ');
const ADJECTIVES = ('special special pending pending unusual unusual express express final final regular regular ironic ironic even even ' +
  'bold bold silent silent furious sly careful blithe quick fluffy slow quiet ruthless thin close dogged daring brave stealthy ' +
  'permanent enticing idle busy').split(' ');
const ADVERBS = ('sometimes always never furiously slyly carefully blithely quickly fluffily slowly quietly ruthlessly thinly closely ' +
  'doggedly daringly bravely stealthily permanently enticingly idly busily regularly finally ironically evenly boldly silently').split(' ');
const PREPOSITIONS = ('about above according_to across after against along alongside_of among around at atop before behind beneath ' +
  'beside besides between beyond by despite during except for from in_place_of inside instead_of into near of on outside over past ' +
  'since through throughout to toward under until up upon without with within').split(' ').map((w) => w.replace(/_/g, ' '));

const NATIONS: [number, string, number][] = [
  [0, 'ALGERIA', 0], [1, 'ARGENTINA', 1], [2, 'BRAZIL', 1], [3, 'CANADA', 1], [4, 'EGYPT', 4], [5, 'ETHIOPIA', 0],
  [6, 'FRANCE', 3], [7, 'GERMANY', 3], [8, 'INDIA', 2], [9, 'INDONESIA', 2], [10, 'IRAN', 4], [11, 'IRAQ', 4],
  [12, 'JAPAN', 2], [13, 'JORDAN', 4], [14, 'KENYA', 0], [15, 'MOROCCO', 0], [16, 'MOZAMBIQUE', 0], [17, 'PERU', 1],
  [18, 'CHINA', 2], [19, 'ROMANIA', 3], [20, 'SAUDI ARABIA', 4], [21, 'VIETNAM', 2], [22, 'RUSSIA', 3],
  [23, 'UNITED KINGDOM', 3], [24, 'UNITED STATES', 1],
];
const REGIONS = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'];

const WORD_CLASSES = [ADJECTIVES, NOUNS, VERBS, ADVERBS, PREPOSITIONS, NOUNS].map(list);

/**
 * SQL for text of the grammar's word classes (adjective noun verb adverb
 * preposition noun ...), cut to a length in [lo, hi]. Unrolled word by word:
 * DuckDB lambdas over lists are about ten times slower here.
 */
function txt(k: string, salt: number, lo: number, hi: number): string {
  const words = Math.ceil(hi / 5) + 1;
  const parts = Array.from({ length: words }, (_, j) => `pick(${k}, ${salt * 100 + j}, ${WORD_CLASSES[j % WORD_CLASSES.length]})`);
  return `left(concat_ws(' ', ${parts.join(', ')}), rnd(${k}, ${salt + 1}, ${lo}, ${hi}))`;
}

/** Macros shared by the table definitions. */
function macros(): string[] {
  return [
    // Uniform integer in [lo, hi] from a row key and a per-column salt. The
    // salt goes into the hashed value: hash(k, s) combines two hashes in a way
    // that leaves different columns of one row correlated.
    `CREATE MACRO h(k, s) AS hash((k)::BIGINT * 100003 + (s))`,
    `CREATE MACRO rnd(k, s, lo, hi) AS (lo + (h(k, s) % ((hi) - (lo) + 1)::UBIGINT)::BIGINT)`,
    `CREATE MACRO pick(k, s, l) AS l[1 + (h(k, s) % len(l)::UBIGINT)::BIGINT]`,
    // Random alphanumeric string (v-string) with length in [lo, hi].
    `CREATE MACRO vstr(k, s, lo, hi) AS left(md5(k::VARCHAR || ':' || s) || md5(s::VARCHAR || ':' || k), rnd(k, s + 1, lo, hi))`,
    `CREATE MACRO phone(k, s, nation) AS (nation + 10)::VARCHAR || '-' || rnd(k, s, 100, 999) || '-' || rnd(k, s + 1, 100, 999) || '-' || rnd(k, s + 2, 1000, 9999)`,
    `CREATE MACRO money(k, s, lo, hi) AS (rnd(k, s, lo, hi) * 0.01)::DECIMAL(15,2)`,
    // P_RETAILPRICE (clause 4.2.3), also needed for L_EXTENDEDPRICE.
    `CREATE MACRO retailprice(pk) AS ((90000 + (pk // 10) % 20001 + 100 * (pk % 1000)) * 0.01)::DECIMAL(15,2)`,
    // The i-th (0..3) supplier of a part (clause 4.2.3, PS_SUPPKEY).
    `CREATE MACRO partsupp_suppkey(pk, i, s) AS ((pk + i * (s // 4 + (pk - 1) // s)) % s + 1)`,
  ];
}

function tableSql(sf: number): Record<string, string> {
  const n = tpchRowCounts(sf);
  const S = n.supplier!;
  const P = n.part!;
  const C = n.customer!;
  const O = n.orders!;
  const clerks = Math.max(1, Math.round(sf * 1000));
  const nations = NATIONS.map(([k, name, r]) => `(${k}, '${name}', ${r})`).join(', ');
  const regions = REGIONS.map((name, i) => `(${i}, '${name}')`).join(', ');
  return {
    region: `SELECT k::INTEGER AS r_regionkey, name AS r_name, ${txt('k', 1, 31, 115)} AS r_comment FROM (VALUES ${regions}) t(k, name) ORDER BY k`,
    nation: `SELECT k::INTEGER AS n_nationkey, name AS n_name, r::INTEGER AS n_regionkey, ${txt('k', 2, 31, 114)} AS n_comment
      FROM (VALUES ${nations}) t(k, name, r) ORDER BY k`,
    // SF*5 suppliers complain and SF*5 recommend (clause 4.2.3, S_COMMENT), for Q16.
    supplier: `SELECT k::INTEGER AS s_suppkey, 'Supplier#' || lpad(k::VARCHAR, 9, '0') AS s_name, vstr(k, 10, 10, 40) AS s_address,
        nat::INTEGER AS s_nationkey, phone(k, 12, nat) AS s_phone, money(k, 15, -99999, 999999) AS s_acctbal,
        CASE rnd(k, 16, 1, 2000)
          WHEN 1 THEN left(${txt('k', 17, 10, 40)}, 20) || ' Customer ' || ${txt('k', 19, 5, 20)} || 'Complaints ' || ${txt('k', 21, 5, 20)}
          WHEN 2 THEN left(${txt('k', 17, 10, 40)}, 20) || ' Customer ' || ${txt('k', 19, 5, 20)} || 'Recommends ' || ${txt('k', 21, 5, 20)}
          ELSE ${txt('k', 17, 25, 100)} END AS s_comment
      FROM (SELECT k, rnd(k, 11, 0, 24) AS nat FROM range(1, ${S + 1}) t(k)) ORDER BY k`,
    // P_NAME: five distinct colours, an arithmetic progression modulo 92 with a step coprime to 92.
    part: `SELECT k::INTEGER AS p_partkey,
        concat_ws(' ', ${[0, 1, 2, 3, 4].map((j) => `${list(COLORS)}[1 + (c0 + ${j} * step) % 92]`).join(', ')}) AS p_name,
        'Manufacturer#' || m AS p_mfgr, 'Brand#' || m || rnd(k, 23, 1, 5) AS p_brand,
        pick(k, 24, ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO']) || ' ' ||
          pick(k, 25, ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED']) || ' ' ||
          pick(k, 26, ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER']) AS p_type,
        rnd(k, 27, 1, 50)::INTEGER AS p_size,
        pick(k, 28, ['SM', 'LG', 'MED', 'JUMBO', 'WRAP']) || ' ' || pick(k, 29, ['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM']) AS p_container,
        retailprice(k) AS p_retailprice, ${txt('k', 30, 5, 22)} AS p_comment
      FROM (SELECT k, rnd(k, 20, 0, 91) AS c0, CASE WHEN s IN (23, 69) THEN s + 2 ELSE s END AS step, rnd(k, 22, 1, 5) AS m
            FROM (SELECT k, 1 + 2 * rnd(k, 21, 0, 45) AS s FROM range(1, ${P + 1}) t(k))) ORDER BY k`,
    partsupp: `SELECT pk::INTEGER AS ps_partkey, partsupp_suppkey(pk, i, ${S})::INTEGER AS ps_suppkey,
        rnd(pk * 4 + i, 40, 1, 9999)::INTEGER AS ps_availqty, money(pk * 4 + i, 41, 100, 100000) AS ps_supplycost,
        ${txt('pk * 4 + i', 42, 49, 198)} AS ps_comment
      FROM range(1, ${P + 1}) p(pk), range(4) s(i) ORDER BY pk, i`,
    customer: `SELECT k::INTEGER AS c_custkey, 'Customer#' || lpad(k::VARCHAR, 9, '0') AS c_name, vstr(k, 50, 10, 40) AS c_address,
        nat::INTEGER AS c_nationkey, phone(k, 52, nat) AS c_phone, money(k, 55, -99999, 999999) AS c_acctbal,
        pick(k, 56, ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD']) AS c_mktsegment, ${txt('k', 57, 29, 116)} AS c_comment
      FROM (SELECT k, rnd(k, 51, 0, 24) AS nat FROM range(1, ${C + 1}) t(k)) ORDER BY k`,
    // One row per order with the attributes lineitem needs; orders itself is
    // finished from its lines (status and total price).
    order_base: `SELECT i, ((i // 8) * 32 + i % 8 + 1)::INTEGER AS o_orderkey,
        (CASE WHEN c % 3 = 0 THEN c - 1 ELSE c END)::INTEGER AS o_custkey,
        (DATE '1992-01-01' + rnd(i, 62, 0, DATE '1998-08-02' - DATE '1992-01-01')::INTEGER) AS o_orderdate,
        pick(i, 63, ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW']) AS o_orderpriority,
        'Clerk#' || lpad(rnd(i, 64, 1, ${clerks})::VARCHAR, 9, '0') AS o_clerk, 0 AS o_shippriority,
        ${txt('i', 65, 19, 78)} AS o_comment, rnd(i, 66, 1, 7) AS lines
      FROM (SELECT i, rnd(i, 61, 1, ${C}) AS c FROM range(${O}) t(i))`,
    lineitem: `SELECT o_orderkey AS l_orderkey, pk::INTEGER AS l_partkey, partsupp_suppkey(pk, rnd(lk, 72, 0, 3), ${S})::INTEGER AS l_suppkey,
        ln::INTEGER AS l_linenumber, qty::DECIMAL(15,2) AS l_quantity, (qty * retailprice(pk))::DECIMAL(15,2) AS l_extendedprice,
        (rnd(lk, 74, 0, 10) * 0.01)::DECIMAL(15,2) AS l_discount, (rnd(lk, 75, 0, 8) * 0.01)::DECIMAL(15,2) AS l_tax,
        CASE WHEN receipt <= DATE '1995-06-17' THEN (CASE WHEN rnd(lk, 76, 0, 1) = 0 THEN 'R' ELSE 'A' END) ELSE 'N' END AS l_returnflag,
        CASE WHEN ship > DATE '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus,
        ship AS l_shipdate, (o_orderdate + rnd(lk, 77, 30, 90)::INTEGER) AS l_commitdate, receipt AS l_receiptdate,
        pick(lk, 78, ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN']) AS l_shipinstruct,
        pick(lk, 79, ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB']) AS l_shipmode,
        ${txt('lk', 80, 10, 43)} AS l_comment
      FROM (SELECT *, ship + rnd(lk, 73, 1, 30)::INTEGER AS receipt FROM (
        SELECT o.*, ln, o.i * 8 + ln AS lk, rnd(o.i * 8 + ln, 70, 1, ${P}) AS pk, rnd(o.i * 8 + ln, 71, 1, 50) AS qty,
               o.o_orderdate + rnd(o.i * 8 + ln, 69, 1, 121)::INTEGER AS ship
        FROM order_base o, range(1, 8) l(ln) WHERE ln <= o.lines))
      ORDER BY l_orderkey, l_linenumber`,
    // O_ORDERSTATUS and O_TOTALPRICE follow from the order's lines (clause 4.2.3).
    orders: `SELECT o.o_orderkey, o.o_custkey,
        CASE WHEN l.all_f THEN 'F' WHEN l.all_o THEN 'O' ELSE 'P' END AS o_orderstatus,
        l.total::DECIMAL(15,2) AS o_totalprice, o.o_orderdate, o.o_orderpriority, o.o_clerk, o.o_shippriority::INTEGER AS o_shippriority, o.o_comment
      FROM order_base o JOIN (
        SELECT l_orderkey, bool_and(l_linestatus = 'F') AS all_f, bool_and(l_linestatus = 'O') AS all_o,
               sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS total
        FROM lineitem GROUP BY l_orderkey) l ON l.l_orderkey = o.o_orderkey
      ORDER BY o.o_orderkey`,
  };
}

export interface TpchFiles {
  dir: string;
  sf: number;
  /** Parquet file of each table. */
  files: Record<string, string>;
  rowCounts: Record<string, number>;
}

function scaleName(sf: number): string {
  return `sf${String(sf).replace('.', '_')}`;
}

/** Generates the Parquet files for a scale factor, or reuses them when the manifest matches. */
export async function ensureTpchParquet(dataDir: string, sf: number, threads: number, log: (s: string) => void): Promise<TpchFiles> {
  const dir = path.join(dataDir, 'tpch', scaleName(sf));
  const manifestFile = path.join(dir, 'manifest.json');
  const files = Object.fromEntries(TPCH_TABLES.map((t) => [t.name, path.join(dir, `${t.name}.parquet`)]));
  try {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { version: string; sf: number; rowCounts: Record<string, number> };
    if (m.version === GENERATOR_VERSION && m.sf === sf && Object.values(files).every((f) => fs.existsSync(f))) {
      return { dir, sf, files, rowCounts: m.rowCounts };
    }
  } catch {
    // no manifest yet
  }
  log(`generating TPC-H-like data at scale ${sf} into ${dir}`);
  const started = performance.now();
  // Written into a private directory first, then renamed, so that concurrent runs never see half a data set.
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await instance.connect();
  try {
    for (const m of macros()) await con.run(m);
    const sql = tableSql(sf);
    await con.run(`CREATE TEMP TABLE order_base AS ${sql.order_base}`);
    await con.run(`CREATE TEMP TABLE lineitem AS ${sql.lineitem}`);
    const rowCounts: Record<string, number> = {};
    for (const t of TPCH_TABLES) {
      const source = t.name === 'lineitem' ? 'SELECT * FROM lineitem' : sql[t.name]!;
      const target = path.join(tmp, `${t.name}.parquet`);
      await con.run(`COPY (${source}) TO '${target}' (FORMAT parquet, COMPRESSION zstd)`);
      const r = await con.runAndReadAll(`SELECT count(*)::BIGINT FROM read_parquet('${target}')`);
      rowCounts[t.name] = Number(r.getRows()[0]![0]);
    }
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify({ version: GENERATOR_VERSION, sf, rowCounts }, null, 2));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    log(`generated ${Object.entries(rowCounts).map(([k, v]) => `${k} ${v}`).join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { dir, sf, files, rowCounts };
  } finally {
    con.closeSync();
    instance.closeSync();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
