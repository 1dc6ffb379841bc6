/**
 * The eight TPC-H tables as this suite stores them: one Parquet file per
 * table for the lake, and the same columns in PostgreSQL with primary keys,
 * foreign keys and indexes on join and date columns.
 */
export interface TpchTable {
  name: string;
  /** Column definitions in PostgreSQL syntax, in file order. */
  columns: [name: string, pgType: string][];
  primaryKey: string[];
  foreignKeys: { columns: string[]; references: string; refColumns: string[] }[];
  /** Secondary indexes (each a column list). */
  indexes: string[][];
}

const KEY = 'integer';
const MONEY = 'numeric(15,2)';

export const TPCH_TABLES: TpchTable[] = [
  {
    name: 'region',
    columns: [['r_regionkey', KEY], ['r_name', 'text'], ['r_comment', 'text']],
    primaryKey: ['r_regionkey'],
    foreignKeys: [],
    indexes: [],
  },
  {
    name: 'nation',
    columns: [['n_nationkey', KEY], ['n_name', 'text'], ['n_regionkey', KEY], ['n_comment', 'text']],
    primaryKey: ['n_nationkey'],
    foreignKeys: [{ columns: ['n_regionkey'], references: 'region', refColumns: ['r_regionkey'] }],
    indexes: [['n_regionkey']],
  },
  {
    name: 'supplier',
    columns: [
      ['s_suppkey', KEY], ['s_name', 'text'], ['s_address', 'text'], ['s_nationkey', KEY],
      ['s_phone', 'text'], ['s_acctbal', MONEY], ['s_comment', 'text'],
    ],
    primaryKey: ['s_suppkey'],
    foreignKeys: [{ columns: ['s_nationkey'], references: 'nation', refColumns: ['n_nationkey'] }],
    indexes: [['s_nationkey']],
  },
  {
    name: 'part',
    columns: [
      ['p_partkey', KEY], ['p_name', 'text'], ['p_mfgr', 'text'], ['p_brand', 'text'], ['p_type', 'text'],
      ['p_size', 'integer'], ['p_container', 'text'], ['p_retailprice', MONEY], ['p_comment', 'text'],
    ],
    primaryKey: ['p_partkey'],
    foreignKeys: [],
    indexes: [],
  },
  {
    name: 'partsupp',
    columns: [['ps_partkey', KEY], ['ps_suppkey', KEY], ['ps_availqty', 'integer'], ['ps_supplycost', MONEY], ['ps_comment', 'text']],
    primaryKey: ['ps_partkey', 'ps_suppkey'],
    foreignKeys: [
      { columns: ['ps_partkey'], references: 'part', refColumns: ['p_partkey'] },
      { columns: ['ps_suppkey'], references: 'supplier', refColumns: ['s_suppkey'] },
    ],
    indexes: [['ps_suppkey']],
  },
  {
    name: 'customer',
    columns: [
      ['c_custkey', KEY], ['c_name', 'text'], ['c_address', 'text'], ['c_nationkey', KEY],
      ['c_phone', 'text'], ['c_acctbal', MONEY], ['c_mktsegment', 'text'], ['c_comment', 'text'],
    ],
    primaryKey: ['c_custkey'],
    foreignKeys: [{ columns: ['c_nationkey'], references: 'nation', refColumns: ['n_nationkey'] }],
    indexes: [['c_nationkey']],
  },
  {
    name: 'orders',
    columns: [
      ['o_orderkey', KEY], ['o_custkey', KEY], ['o_orderstatus', 'text'], ['o_totalprice', MONEY], ['o_orderdate', 'date'],
      ['o_orderpriority', 'text'], ['o_clerk', 'text'], ['o_shippriority', 'integer'], ['o_comment', 'text'],
    ],
    primaryKey: ['o_orderkey'],
    foreignKeys: [{ columns: ['o_custkey'], references: 'customer', refColumns: ['c_custkey'] }],
    indexes: [['o_custkey'], ['o_orderdate']],
  },
  {
    name: 'lineitem',
    columns: [
      ['l_orderkey', KEY], ['l_partkey', KEY], ['l_suppkey', KEY], ['l_linenumber', 'integer'],
      ['l_quantity', MONEY], ['l_extendedprice', MONEY], ['l_discount', MONEY], ['l_tax', MONEY],
      ['l_returnflag', 'text'], ['l_linestatus', 'text'], ['l_shipdate', 'date'], ['l_commitdate', 'date'], ['l_receiptdate', 'date'],
      ['l_shipinstruct', 'text'], ['l_shipmode', 'text'], ['l_comment', 'text'],
    ],
    primaryKey: ['l_orderkey', 'l_linenumber'],
    foreignKeys: [
      { columns: ['l_orderkey'], references: 'orders', refColumns: ['o_orderkey'] },
      { columns: ['l_partkey', 'l_suppkey'], references: 'partsupp', refColumns: ['ps_partkey', 'ps_suppkey'] },
    ],
    indexes: [['l_partkey', 'l_suppkey'], ['l_suppkey'], ['l_shipdate'], ['l_receiptdate']],
  },
];

/** Base row counts at scale factor 1 (TPC-H clause 4.2.5). Lineitem averages 4 per order. */
export function tpchRowCounts(sf: number): Record<string, number> {
  return {
    region: 5,
    nation: 25,
    supplier: Math.round(sf * 10_000),
    part: Math.round(sf * 200_000),
    partsupp: Math.round(sf * 200_000) * 4,
    customer: Math.round(sf * 150_000),
    orders: Math.round(sf * 1_500_000),
  };
}
