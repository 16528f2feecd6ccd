/**
 * Runs every operation of the seed synchronously against the simulated vendor API and prints how
 * each ended:
 *
 *   npm start -w @apskit/example-sync-workflow
 *
 * The vendor API runs in this process on 127.0.0.1 (a free port, or VENDOR_PORT). Its minutes are
 * scaled by APSKIT_TIME_SCALE (default 0.005: a 5-minute provisioning takes 1.5 s); every third
 * tenant-status read answers 503, to show the client retrying. Exits 1 if a step did not end as the
 * seed says it should.
 */
import { startVendorApi } from './vendor/server';
import { formatStep, runSeed } from './seed';

export async function main(env: NodeJS.ProcessEnv = process.env, print = console.log): Promise<number> {
  const timeScale = Number(env.APSKIT_TIME_SCALE ?? 0.005);
  if (!(timeScale > 0)) throw new Error(`APSKIT_TIME_SCALE must be a positive number, not ${env.APSKIT_TIME_SCALE}`);
  const api = await startVendorApi({ timeScale, port: Number(env.VENDOR_PORT ?? 0), statusFailureEvery: 3 });
  try {
    print(
      `Simulated vendor API at ${api.url}; time scale ${timeScale} (a vendor minute takes ${60_000 * timeScale} ms)`,
    );
    print('');
    const steps = await runSeed(api.url, { timeScale, onStep: (s) => print(formatStep(s)) });
    const wrong = steps.filter((s) => s.outcome.result !== s.expected);
    print('');
    print(
      wrong.length === 0
        ? `All ${steps.length} operations ended as the seed says they should.`
        : `${wrong.length} of ${steps.length} operations did not end as expected: ${wrong.map((s) => s.title).join(', ')}`,
    );
    return wrong.length === 0 ? 0 : 1;
  } finally {
    await api.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`sync-workflow: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
