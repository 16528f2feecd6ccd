/**
 * `npm start` in this folder: the simulated marketplace and the provisioner in one process, the
 * seed's scenarios run through them, and what happened printed. APSKIT_TIME_SCALE (default 0.1)
 * scales the provisioner's waits; APSKIT_DATA_DIR keeps the SQLite file (default: a temporary
 * folder, removed at the end, so that every run starts afresh).
 *
 * `npm start -- --provisioner-only`: the provisioner alone on a port, for a real marketplace to
 * call (see provisioner-only.ts for its environment variables).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accounts } from './accounts';
import { runDemo } from './demo';
import { provisionerOnlyConfig, runProvisionerOnly } from './provisioner-only';

async function demo(): Promise<void> {
  const kept = process.env.APSKIT_DATA_DIR;
  const dataDir = kept
    ? resolve(process.env.INIT_CWD ?? process.cwd(), kept)
    : mkdtempSync(join(tmpdir(), 'apskit-marketplace-'));
  try {
    const report = await runDemo({
      dataDir,
      timeScale: Number(process.env.APSKIT_TIME_SCALE ?? 0.1),
      log: (line) => console.log(line),
    });
    console.log('');
    for (const s of report.scenarios) {
      const attempt = s.request.attempts.findIndex((a) => a.id === s.result.provisionAttemptId) + 1;
      console.log(`${s.result.status.padEnd(7)} for attempt ${attempt} of ${s.request.attempts.length}: ${s.name}`);
    }
  } finally {
    if (!kept) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function provisionerOnly(): Promise<void> {
  const config = provisionerOnlyConfig(process.env, process.env.INIT_CWD ?? process.cwd());
  accounts.events.on('claimed', (email: string, requestId: string) =>
    console.log(`account ${email} claimed for provision request ${requestId}`),
  );
  accounts.events.on('reclaimed', (email: string, requestId: string) =>
    console.log(`account ${email} already claimed by provision request ${requestId}: the claim stands`),
  );
  accounts.events.on('released', (email: string, requestId: string) =>
    console.log(`account ${email} released (provision request ${requestId})`),
  );
  await runProvisionerOnly(config, (line) => console.log(line));
}

(process.argv.includes('--provisioner-only') ? provisionerOnly() : demo()).catch((e: unknown) => {
  console.error(`marketplace-webhooks: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
