import { describe, expect, it } from 'vitest';
import { parsePgbenchOutput } from '../../src/bench/pgbench.js';

// Output of PostgreSQL 15's pgbench with -r, as printed on this machine.
const OUTPUT = `transaction type: /tmp/s.sql
scaling factor: 1
query mode: prepared
number of clients: 2
number of threads: 2
maximum number of tries: 1
duration: 2 s
number of transactions actually processed: 28819
number of failed transactions: 0 (0.000%)
latency average = 0.139 ms
initial connection time = 4.026 ms
tps = 14422.639024 (without initial connection time)
statement latencies in milliseconds and failures:
         0.005           0  \\set id random(1, 10)
         0.028           0  SELECT 1;
         0.035           0  SELECT :id;
`;

describe('pgbench output', () => {
  it('reads TPS, latency, transactions and per-statement latencies', () => {
    const r = parsePgbenchOutput(OUTPUT);
    expect(r.tps).toBeCloseTo(14422.639024);
    expect(r.latencyMs).toBeCloseTo(0.139);
    expect(r.transactions).toBe(28819);
    expect(r.failed).toBe(0);
    expect(r.statements).toEqual([
      { latencyMs: 0.005, failures: 0, command: '\\set id random(1, 10)' },
      { latencyMs: 0.028, failures: 0, command: 'SELECT 1;' },
      { latencyMs: 0.035, failures: 0, command: 'SELECT :id;' },
    ]);
  });

  it('rejects output without a summary', () => {
    expect(() => parsePgbenchOutput('pgbench: error: connection to server failed')).toThrow(/cannot read pgbench output/);
  });
});
