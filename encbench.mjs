import duckdb from '@duckdb/node-bindings';
import { RowEncoder } from './dist/types/encode/row-encoder.js';
import { describeLogicalType } from './dist/types/duck-type.js';
import { BufferWriter } from './dist/protocol/buffer-writer.js';
import { UTC } from './dist/types/timezone.js';
const db = await duckdb.open(':memory:'); const con = await duckdb.connect(db);
const cols = process.argv[2] ?? '*';
const fmt = Number(process.argv[3] ?? 0);
const res = await duckdb.execute_prepared_streaming(await duckdb.prepare(con, `SELECT ${cols} FROM 'bench/data/stream10m.parquet' LIMIT 204800`));
const n = duckdb.column_count(res); const types = []; for (let i=0;i<n;i++) types.push(describeLogicalType(duckdb.column_logical_type(res,i)));
const chunks = []; for (;;) { const c = await duckdb.fetch_chunk(res); if (!c || !duckdb.data_chunk_get_size(c)) break; chunks.push(c); }
const enc = new RowEncoder(types, new Array(n).fill(fmt), { timeZone: UTC });
const w = new BufferWriter(1<<20);
const rounds = Number(process.argv[4] ?? 10);
const times = [];
for (let r = 0; r < rounds; r++) {
  const t = performance.now(); let rows = 0;
  for (const ch of chunks) { const sz = duckdb.data_chunk_get_size(ch); enc.load(ch, sz); w.pos = 0; enc.encode(w, 0, sz); rows += sz; }
  times.push(rows / (performance.now() - t) / 1000);
}
times.sort((a,b)=>b-a);
console.log(`${cols} fmt=${fmt}: best ${times[0].toFixed(2)} median ${times[Math.floor(times.length/2)].toFixed(2)} Mrows/s`);
