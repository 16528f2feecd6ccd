/**
 * `npm start -w @apskit/example-marketplace-webhooks -- --provisioner-only`: the provisioner alone on
 * a port, for a real marketplace to call. Spawned with that very command; a notification signed by the simulated marketplace's own
 * signing (Standard Webhooks, written apart from APSKit) is acknowledged, and its result posted.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedMarketplace, signDelivery } from '../src/marketplace';
import { provisionerOnlyConfig } from '../src/provisioner-only';
import { startChild, stop, type ChildProvisioner } from './child-provisioner';

jest.setTimeout(60_000);

const SECRET = `whsec_${Buffer.from('provisioner-only test secret').toString('base64')}`;
const CLIENT = { clientId: 'acme-notes', clientSecret: 'provisioner-only-secret' };

let dir: string;
let marketplace: SimulatedMarketplace;
let provisioner: ChildProvisioner | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-provisioner-only-'));
  marketplace = await new SimulatedMarketplace({ signingSecret: SECRET, ...CLIENT, deliveryTimeoutMs: 5000 }).start();
});
afterAll(async () => {
  await stop(provisioner);
  await marketplace.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('runs the provisioner alone: a signed notification is acknowledged, its result posted', async () => {
  provisioner = startChild({
    WEBHOOK_SECRET: SECRET,
    MARKETPLACE_URL: marketplace.url,
    MARKETPLACE_CLIENT_ID: CLIENT.clientId,
    MARKETPLACE_CLIENT_SECRET: CLIENT.clientSecret,
    PORT: '0',
    APSKIT_DATA_DIR: dir,
    APSKIT_TIME_SCALE: '0.01',
  });
  const webhookUrl = await provisioner.webhookUrl;
  expect(webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/provision$/);
  expect(provisioner.lines).toContain('Acme Notes provisioner, alone (no simulated marketplace)');

  // One raw POST, as a marketplace's sender makes it.
  const body = JSON.stringify({
    provisionRequest: { id: randomUUID(), type: 'NetNew' },
    provisionAttempt: { id: randomUUID() },
  });
  const signed = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signDelivery(SECRET, `msg_${randomUUID()}`, body) },
    body,
  });
  expect([200, 201, 202]).toContain(signed.status);
  const unsigned = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(unsigned.status).toBe(401);

  // And the whole way through: the marketplace delivers, the provisioner posts the result back.
  marketplace.connect(webhookUrl);
  const request = await marketplace.send({
    type: 'NetNew',
    companyName: 'Woodgrove',
    quantity: 2,
    details: { vendorAdminEmail: 'admin@woodgrove.example' },
  });
  expect(request.attempts.map((a) => a.status)).toEqual(['Acknowledged']);
  expect(await marketplace.waitForResult(request.id, 20_000)).toMatchObject({
    provisionAttemptId: request.attempts[0]!.id,
    status: 'Success',
  });
  await provisioner.line((l) => l === `account admin@woodgrove.example claimed for provision request ${request.id}`);
  // Nothing but the intake on the webhook port; the controller's API on 127.0.0.1 only.
  expect((await fetch(new URL('/aps/2/resources', webhookUrl))).status).toBe(404);
  expect(await provisioner.controllerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

it('refuses to start without its settings, naming each one missing', async () => {
  const child = startChild({
    WEBHOOK_SECRET: '',
    MARKETPLACE_URL: '',
    MARKETPLACE_CLIENT_ID: '',
    MARKETPLACE_CLIENT_SECRET: '',
  });
  expect(await child.exited).toBe(1);
  for (const name of ['WEBHOOK_SECRET', 'MARKETPLACE_CLIENT_ID', 'MARKETPLACE_CLIENT_SECRET', 'MARKETPLACE_URL'])
    expect(child.stderr()).toContain(name);
});

it('reads its settings from the environment, and refuses a number that is not one, naming it', () => {
  const env = {
    WEBHOOK_SECRET: SECRET,
    RESULTS_URL: 'https://marketplace.example/requests/{provisionRequestId}/results',
    TOKEN_URL: 'https://marketplace.example/token',
    MARKETPLACE_CLIENT_ID: 'me',
    MARKETPLACE_CLIENT_SECRET: 's3cret',
    ORPHAN_AFTER_SECONDS: '7200',
  };
  expect(provisionerOnlyConfig(env, '/srv/notes')).toMatchObject({
    dataDir: '/srv/notes/data',
    resultsUrl: env.RESULTS_URL,
    tokenUrl: env.TOKEN_URL,
    port: 3000,
    timeScale: 1,
    orphanAfterSeconds: 7200,
    simulatedOutages: false,
  });
  expect(() => provisionerOnlyConfig({ ...env, PORT: 'eighty' }, '/srv/notes')).toThrow(
    'PORT must be a number, not "eighty"',
  );
});
