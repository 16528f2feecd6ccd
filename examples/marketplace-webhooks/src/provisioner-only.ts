/**
 * The provisioner alone, for a real marketplace to call: `npm start -- --provisioner-only`. No
 * simulated marketplace and no simulated outages; the settings come from the environment, and the
 * SQLite file (tasks and the account directory) is kept in a folder that outlives the process, so a
 * restart carries on where the last process stopped.
 */
import { resolve } from 'node:path';
import { startProvisioner, type Provisioner, type ProvisionerConfig } from './provisioner';

/** The environment variables the provisioner reads, and what each is for (printed when one is missing). */
export const PROVISIONER_ENV = {
  WEBHOOK_SECRET: 'the secret the marketplace signs webhooks with (Standard Webhooks; whsec_<base64> or text)',
  MARKETPLACE_URL:
    'the marketplace base URL: results to <url>/provision-requests/{provisionRequestId}/results, tokens from <url>/oauth/token',
  RESULTS_URL: 'optional: where results go instead, with {provisionRequestId} in it',
  TOKEN_URL: 'optional: the OAuth2 token endpoint instead',
  MARKETPLACE_CLIENT_ID: 'the OAuth2 client id the marketplace gave this provisioner',
  MARKETPLACE_CLIENT_SECRET: 'its client secret',
  PORT: 'optional: the webhook port (default 3000; 0 for a free one)',
  HOST: 'optional: the webhook address (default 127.0.0.1; 0.0.0.0 to be reachable from elsewhere)',
  CONTROLLER_PORT: 'optional: the controller API and console, on 127.0.0.1 only (default a free port)',
  APSKIT_DATA_DIR: 'optional: where the SQLite file is kept (default ./data)',
  APSKIT_TIME_SCALE: 'optional: scales the waits (default 1)',
  ORPHAN_AFTER_SECONDS:
    "optional: how long after a refused result, with no newer attempt, a provisioning counts as given up and is unprovisioned (default the library's, 24 h); make it longer than the marketplace's retries take",
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** The provisioner's settings from the environment; throws naming every variable that is missing. */
export function provisionerOnlyConfig(env: Env, cwd: string): ProvisionerConfig {
  const missing: Array<keyof typeof PROVISIONER_ENV> = (
    ['WEBHOOK_SECRET', 'MARKETPLACE_CLIENT_ID', 'MARKETPLACE_CLIENT_SECRET'] as const
  ).filter((name) => !env[name]);
  if (!env.MARKETPLACE_URL && !(env.RESULTS_URL && env.TOKEN_URL)) missing.push('MARKETPLACE_URL');
  if (missing.length > 0)
    throw new Error(`set ${missing.map((name) => `${name} (${PROVISIONER_ENV[name]})`).join('; ')}`);
  const number = <T extends number | undefined>(
    name: 'PORT' | 'CONTROLLER_PORT' | 'APSKIT_TIME_SCALE' | 'ORPHAN_AFTER_SECONDS',
    fallback: T,
  ): number | T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number, not "${raw}"`);
    return value;
  };
  return {
    dataDir: resolve(cwd, env.APSKIT_DATA_DIR || 'data'),
    marketplaceUrl: (env.MARKETPLACE_URL ?? '').replace(/\/+$/, ''),
    resultsUrl: env.RESULTS_URL || undefined,
    tokenUrl: env.TOKEN_URL || undefined,
    signingSecret: env.WEBHOOK_SECRET as string,
    clientId: env.MARKETPLACE_CLIENT_ID as string,
    clientSecret: env.MARKETPLACE_CLIENT_SECRET as string,
    port: number('PORT', 3000),
    host: env.HOST || undefined,
    controllerPort: number('CONTROLLER_PORT', 0),
    timeScale: number('APSKIT_TIME_SCALE', 1),
    simulatedOutages: false,
    orphanAfterSeconds: number('ORPHAN_AFTER_SECONDS', undefined),
  };
}

/** Starts the provisioner alone and says where it is; closes it on SIGTERM or SIGINT. */
export async function runProvisionerOnly(config: ProvisionerConfig, log: (line: string) => void): Promise<Provisioner> {
  const provisioner = await startProvisioner(config);
  const resultsUrl = config.resultsUrl ?? `${config.marketplaceUrl}/provision-requests/{provisionRequestId}/results`;
  log('Acme Notes provisioner, alone (no simulated marketplace)');
  log(`  webhooks: ${provisioner.webhookUrl}`);
  log(`  results:  ${resultsUrl}`);
  log(`  controller API and console: ${provisioner.controllerUrl ?? '(not served)'}`);
  log(`  data:     ${config.dataDir}`);
  const stop = (): void => {
    void provisioner.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return provisioner;
}
