import type { BenchContext } from './context.js';
import { RawSession } from './raw-reader.js';
import { BENCH_USER, ServerProcess } from './server-process.js';
import { table } from './stats.js';
import { profileArgs } from './streaming.js';
import { prepareTpch, tpchCatalog } from './tpch/prepare.js';
import { tpchQueries } from './tpch/queries.js';

const MB = 2 ** 20;

async function openIdle(port: number, n: number): Promise<RawSession[]> {
  const sessions: RawSession[] = [];
  // In batches, so the server's accept queue and authentication are not the thing being measured.
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, () => RawSession.connect({ port, user: BENCH_USER, database: 'lakegate' }));
    sessions.push(...(await Promise.all(batch)));
  }
  return sessions;
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Workload 4: lakegate's RSS with no clients, with N idle connections, and
 * while M active clients (on top of the idle ones) run the analytics mix;
 * throughput in queries per second. Each active client runs the 22 queries
 * in order from its own starting point, back to back, until the time is up;
 * queries already running then finish, and throughput is completed queries
 * divided by the time until the last one ended.
 */
export async function runConcurrency(ctx: BenchContext): Promise<Record<string, unknown>> {
  const { idleConnections, activeClients, mixSeconds, threads } = ctx.opts;
  const data = await prepareTpch(ctx);
  const queries = tpchQueries(ctx.opts.scale);
  const server = await ServerProcess.start({
    catalog: tpchCatalog(data.files),
    threads,
    maxConnections: idleConnections + activeClients + 20,
    nodeArgs: profileArgs(ctx, 'concurrency'),
  });
  const idle: RawSession[] = [];
  const active: RawSession[] = [];
  try {
    await settle(1000);
    const rssStart = server.rss();
    ctx.log(`concurrency: opening ${idleConnections} idle connections`);
    idle.push(...(await openIdle(server.port, idleConnections)));
    await settle(2000);
    const rssIdle = server.rss();
    ctx.log(`concurrency: ${activeClients} clients run the analytics mix for ${mixSeconds} s`);
    active.push(...(await openIdle(server.port, activeClients)));
    const stopSampling = server.sampleRss(250);
    const started = performance.now();
    const deadline = started + mixSeconds * 1000;
    const perQuery = new Map<string, { count: number; totalMs: number }>();
    const errors: string[] = [];
    const clientLoop = async (session: RawSession, offset: number): Promise<number> => {
      let done = 0;
      for (let i = offset; performance.now() < deadline; i++) {
        const q = queries[i % queries.length]!;
        try {
          const r = await session.query(q.sql);
          const s = perQuery.get(q.id) ?? { count: 0, totalMs: 0 };
          s.count++;
          s.totalMs += r.ms;
          perQuery.set(q.id, s);
          done++;
        } catch (e) {
          errors.push(`${q.id}: ${e instanceof Error ? e.message : String(e)}`);
          if (errors.length > 50) throw new Error(`too many errors in the concurrent mix: ${errors.slice(0, 3).join('; ')}`);
        }
      }
      return done;
    };
    const completed = (await Promise.all(active.map((s, i) => clientLoop(s, Math.floor((i * queries.length) / active.length))))).reduce((a, b) => a + b, 0);
    const elapsed = (performance.now() - started) / 1000;
    const rssMixPeak = stopSampling();
    const stillIdle = idle.length;
    const result = {
      idleConnections: stillIdle,
      activeClients,
      mixSeconds,
      elapsedSeconds: elapsed,
      completedQueries: completed,
      queriesPerSecond: completed / elapsed,
      errors,
      rssStartBytes: rssStart,
      rssIdleBytes: rssIdle,
      idleCostBytes: rssIdle - rssStart,
      idleCostPerConnectionBytes: (rssIdle - rssStart) / Math.max(1, stillIdle),
      rssMixPeakSampledBytes: rssMixPeak,
      peakRssBytes: server.peakRss(),
      perQuery: Object.fromEntries([...perQuery].map(([id, s]) => [id, { count: s.count, meanMs: s.totalMs / s.count }])),
    };
    ctx.print(`\n## 4. Concurrency and memory: ${stillIdle} idle connections + ${activeClients} clients running the analytics mix (scale ${ctx.opts.scale})\n`);
    ctx.print(
      table(
        ['measure', 'value'],
        [
          ['lakegate RSS, no clients (MB)', rssStart / MB],
          [`lakegate RSS, ${stillIdle} idle connections (MB)`, rssIdle / MB],
          [`cost of ${stillIdle} idle connections (MB)`, (rssIdle - rssStart) / MB],
          ['per idle connection (KB)', (rssIdle - rssStart) / Math.max(1, stillIdle) / 1024],
          [`RSS peak during the mix (MB, sampled)`, rssMixPeak / MB],
          ['RSS high-water mark (MB)', server.peakRss() / MB],
          ['queries completed', String(completed)],
          ['elapsed (s)', elapsed],
          ['throughput (queries/s)', completed / elapsed],
          ['errors', String(errors.length)],
        ],
      ),
    );
    if (errors.length) {
      ctx.print('\nFindings:');
      for (const e of [...new Set(errors)].slice(0, 10)) ctx.print(`- ${e}`);
    }
    return result;
  } finally {
    await Promise.all([...active, ...idle].map((s) => s.close()));
    await server.stop();
  }
}
