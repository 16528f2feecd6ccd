/**
 * A smoke test of `npm run bench:scale`'s code (bench/scale), small: 10,000 scheduled tasks and
 * resources, a few hundred of them run by 1 and by 3 controller processes, one of 3 killed, and the
 * usage sync of 1,000 resources. It checks that the benchmark runs to its end and writes the figures
 * the issue names, and that no (task, attempt) was called twice; no timing is asserted (the machine's
 * speed is not the code's).
 *
 * The controller processes load '@apskit/*' from the built dist: `npm run build` first (`npm test` does).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePostgres, TEST_DATABASE_URL, withClient } from '@apskit/test-support/postgres';
import { runScaleBench, type ScaleResults } from '../../bench/scale/scale-bench';

if (requirePostgres('bench:scale smoke test')) {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'apskit-scale-smoke-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs bench:scale at 10,000 and writes scale.json with its keys and the plans', async () => {
    const output = join(dir, 'scale.json');
    const plansOutput = join(dir, 'scale-plans.txt');
    await runScaleBench({
      databaseUrl: TEST_DATABASE_URL as string,
      sizes: [10_000],
      due: 300,
      // Run first, unmeasured: its calls are not among the 600 below.
      warmup: 200,
      polls: 2,
      retryMs: 200,
      leaseMs: 2000,
      usageSyncResources: 1000,
      output,
      plansOutput,
      log: () => {},
    });
    const results = JSON.parse(readFileSync(output, 'utf8')) as ScaleResults;
    expect(typeof results.claimMs['10000']).toBe('number');
    expect(typeof results.degradation.withinGoal).toBe('boolean');
    // The usage sync's figures, when its measurement (bench/scale/usage-sync.ts) is there.
    if (existsSync(join(__dirname, '../../bench/scale/usage-sync.ts')))
      expect(typeof (results.usageSync as { retrievesPerSecond?: unknown }).retrievesPerSecond).toBe('number');
    expect(results.sizes['10000'].run.repolls).toBe(600);
    expect(Object.keys(results.sizes['10000'].plans).sort()).toEqual([
      'claim',
      'complete',
      'matchingSubscriptions',
      'nextWakeUp',
      'resourcePage',
    ]);
    const processes = results.processes;
    expect(processes?.size).toBe(10_000);
    expect(processes?.one.duplicates).toBe(0);
    expect(processes?.three.duplicates).toBe(0);
    expect(processes?.three.repolls).toBe(600);
    // The killed process's running tasks were all taken over (else the run would not have ended).
    expect(processes?.killed.duplicatesBesideKilled).toBe(0);
    expect(typeof processes?.killed.takeoverMs.max).toBe('number');
    expect(readFileSync(plansOutput, 'utf8')).toContain('-- claim at 10000');
    // Its schemas are dropped.
    const left = await withClient(
      TEST_DATABASE_URL as string,
      async (client) =>
        (
          await client.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [
            `apskit_scale_${process.pid}_%`,
          ])
        ).rowCount,
    );
    expect(left).toBe(0);
  }, 120_000);
}
