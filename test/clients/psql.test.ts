import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

/** psql 15's meta-commands, spawned as a process against lakegate. */
describe('psql meta-commands', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  function psql(command: string): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      execFile(
        'psql',
        ['-X', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(gw.port), '-U', 'lakegate', '-c', command, 'lakegate'],
        { env: { ...process.env, PGPASSWORD: 'lakegate' }, timeout: 30_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${command}: ${stderr || err.message}`)) : resolve({ stdout, stderr })),
      );
    });
  }

  it('\\l lists the catalog database', async () => {
    const { stdout } = await psql('\\l');
    expect(stdout).toMatch(/^ lakegate \| lakegate \| UTF8 /m);
  });

  it('\\dn lists the catalog schemas only', async () => {
    const { stdout } = await psql('\\dn');
    expect(stdout).toContain(' lake | lakegate');
    expect(stdout).toContain('(1 row)');
  });

  it('\\dt and \\dt lake.* list the lake tables; \\dv the view', async () => {
    for (const cmd of ['\\dt', '\\dt lake.*']) {
      const { stdout } = await psql(cmd);
      expect(stdout).toMatch(/ lake {3}\| payment_types \| table \| lakegate/);
      expect(stdout).toMatch(/ lake {3}\| trips {9}\| table \| lakegate/);
      expect(stdout).toContain('(3 rows)');
    }
    const { stdout } = await psql('\\dv');
    expect(stdout).toMatch(/ lake {3}\| daily_trips \| view \| lakegate/);
  });

  it('\\d and \\d+ describe a table with PostgreSQL type names and comments', async () => {
    const d = await psql('\\d lake.trips');
    expect(d.stdout).toContain('Table "lake.trips"');
    expect(d.stdout).toMatch(/ trip_id +\| bigint +\|/);
    expect(d.stdout).toMatch(/ pickup_at +\| timestamp without time zone +\|/);
    expect(d.stdout).toMatch(/ fare +\| numeric\(10,2\) +\|/);
    const plus = await psql('\\d+ lake.zones');
    expect(plus.stdout).toContain('Table "lake.zones"');
    expect(plus.stdout).toMatch(/ zone_id +\| integer +\|/);
    const view = await psql('\\d+ lake.daily_trips');
    expect(view.stdout).toContain('View "lake.daily_trips"');
    expect(view.stdout).toContain('View definition:');
    expect(view.stdout).toContain('FROM lake.trips');
  });

  it('\\df, \\du, \\conninfo, \\dT, \\dx, \\di answer without errors', async () => {
    expect((await psql('\\df')).stdout).toContain('List of functions');
    expect((await psql('\\du')).stdout).toMatch(/ lakegate +\|/);
    expect((await psql('\\conninfo')).stdout).toContain('You are connected to database "lakegate" as user "lakegate"');
    for (const cmd of ['\\dT', '\\dx', '\\di', '\\ds', '\\dp lake.*', '\\dd lake.*', '\\dconfig']) {
      const { stderr } = await psql(cmd);
      expect(stderr.replace('Did not find any relations.\n', '')).toBe('');
    }
  });
});
