/**
 * The seed's synchronous workflow against the simulated vendor API, end to end: every operation,
 * the error correlated by request id, amend's "cannot be confirmed", transient errors, the vendor
 * unreachable for a while, the deadline, the abort, and the command itself.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { RetryNotice } from '@apskit/client';
import {
  DURATIONS,
  runSeed,
  startVendorApi,
  SyncWorkflow,
  VendorApiError,
  VendorClient,
  type RunningVendor,
  type Step,
} from '../src';

/** A vendor minute is 60 ms: the whole seed runs in a couple of seconds. */
const SCALE = 0.001;

const running: RunningVendor[] = [];
async function vendor(options: Parameters<typeof startVendorApi>[0] = {}): Promise<RunningVendor> {
  const v = await startVendorApi({ timeScale: SCALE, ...options });
  running.push(v);
  return v;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.close()));
});

async function accountOn(url: string): Promise<{ accountId: string; contactId: string }> {
  return new VendorClient(url).createAccount({ companyName: 'Test', contact: { name: 'T', email: 't@example.com' } });
}

/** Polls `fn` until `check` holds: bounded in time. */
async function eventually<T>(fn: () => T, check: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (check(v)) return v;
    if (Date.now() > end) throw new Error(`not met within ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('runs each operation of the seed end to end, synchronously', async () => {
  const v = await vendor();
  const started = Date.now();
  const steps = await runSeed(v.url, { timeScale: SCALE });
  expect(Date.now() - started).toBeLessThan(15_000);
  const byTitle = new Map<string, Step>(steps.map((s) => [s.title, s]));
  expect(steps.map((s) => [s.title, s.outcome.result])).toEqual([
    ['create account', 'confirmed'],
    ['create trial', 'confirmed'],
    ['create trial (EDR)', 'failed'],
    ['convert trial', 'confirmed'],
    ['create subscription', 'confirmed'],
    ['amend subscription', 'unconfirmable'],
    ['suspend subscription', 'confirmed'],
  ]);
  expect(byTitle.get('create account')?.outcome.data).toEqual({
    accountId: expect.stringMatching(/^ACC-/),
    contactId: expect.stringMatching(/^CON-/),
  });
  expect(byTitle.get('create trial')?.outcome.data).toEqual({
    tenantId: expect.stringMatching(/^TEN-/),
    opportunityId: expect.stringMatching(/^OPP-/),
  });
  // The EDR trial fails with the error the vendor recorded against its request id.
  const edr = byTitle.get('create trial (EDR)')?.outcome;
  expect(edr?.reason).toBe('Automated trial provisioning is currently unavailable for N-Central and EDR');
  expect(v.vendor.errorsFor(edr?.requestId ?? '')).toEqual([
    expect.objectContaining({ operation: 'createTrial', message: edr?.reason }),
  ]);
  expect(byTitle.get('convert trial')?.outcome.data).toMatchObject({
    tenantId: byTitle.get('create trial')?.outcome.data.tenantId,
    contractName: expect.stringMatching(/^CONTRACT-/),
    contractEndDate: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
  });
  const tenantId = byTitle.get('create subscription')?.outcome.data.tenantId ?? '';
  expect(byTitle.get('create subscription')?.outcome.data).toMatchObject({
    tenantId: expect.stringMatching(/^TEN-/),
    opportunityId: expect.stringMatching(/^OPP-/),
    contractName: expect.stringMatching(/^CONTRACT-/),
  });
  expect(byTitle.get('suspend subscription')?.outcome.data).toEqual({ tenantId, tenantStatus: 'Suspended' });

  // Amend: the client says it cannot confirm it, at once rather than after the amendment's minutes…
  const amend = byTitle.get('amend subscription')?.outcome;
  expect(amend?.reason).toMatch(/^Amend subscription cannot be confirmed via the tenant status endpoint/);
  expect(amend?.elapsedMs).toBeLessThan(DURATIONS.amend[0] * 1000 * SCALE);
  // …though the amendment does happen, where tenant status does not show it.
  await eventually(
    () => v.vendor.committedQuantity(tenantId),
    (q) => q === 40,
  );
  const shown = v.vendor
    .tenantStatus(steps[0]?.outcome.data.accountId ?? '')
    .tenants.find((t) => t.tenantId === tenantId);
  expect(shown).toBeDefined();
  expect(shown).not.toHaveProperty('committedQuantity');
});

it('fails an amendment with the error recorded against its request id', async () => {
  const v = await vendor();
  const { accountId, contactId } = await accountOn(v.url);
  const flow = new SyncWorkflow(new VendorClient(v.url), { timeScale: SCALE });
  const sub = await flow.createSubscription({ accountId, contactId, product: 'Backup', quantity: 25 });
  const lower = await flow.amendSubscription({ tenantId: sub.data.tenantId ?? '', quantity: 10 });
  expect(lower).toMatchObject({
    result: 'failed',
    reason: 'Amend can only raise the committed quantity (now 25), not set it to 10',
  });
  expect(v.vendor.errorsFor(lower.requestId)).toHaveLength(1);
});

it('retries transient tenant-status errors (503), keeping the request id', async () => {
  const v = await vendor({ statusFailureEvery: 2 });
  const { accountId, contactId } = await accountOn(v.url);
  const notices: RetryNotice[] = [];
  const flow = new SyncWorkflow(new VendorClient(v.url), {
    timeScale: SCALE,
    onRetry: (_op, n) => notices.push(n),
  });
  const trial = await flow.createTrial({ accountId, contactId, product: 'RMM' });
  expect(trial.result).toBe('confirmed');
  expect(trial.retries).toBeGreaterThan(0);
  expect(notices.map((n) => [n.phase, n.requestId, (n.error as VendorApiError).status])).toEqual(
    notices.map(() => ['status', trial.requestId, 503]),
  );
});

it('resubmits with the same request id while the vendor is unreachable (connection refused), and provisions once', async () => {
  const v = await vendor();
  const { accountId, contactId } = await accountOn(v.url);
  /** Shuts the vendor just before the first submit, and opens it again 200 ms later. */
  class Outage extends VendorClient {
    private done = false;
    override async createTrial(...args: Parameters<VendorClient['createTrial']>) {
      if (!this.done) {
        this.done = true;
        await v.stopListening();
        setTimeout(() => void v.listen(), 200);
      }
      return super.createTrial(...args);
    }
  }
  const notices: RetryNotice[] = [];
  const flow = new SyncWorkflow(new Outage(v.url), {
    timeScale: SCALE,
    onRetry: (_op, n) => notices.push(n),
    // Retry every 50 ms (50 vendor seconds at this scale), so that a few retries fall in the outage.
    waits: { trial: { initialDelay: 120, interval: 50, deadline: 10_000 } },
  });
  const trial = await flow.createTrial({ accountId, contactId, product: 'RMM' });
  expect(trial.result).toBe('confirmed');
  const submits = notices.filter((n) => n.phase === 'submit');
  expect(submits.length).toBeGreaterThan(0);
  expect(submits.every((n) => n.requestId === trial.requestId)).toBe(true);
  expect(submits.some((n) => /ECONNREFUSED|fetch failed/.test(String((n.error as Error).cause ?? n.error)))).toBe(true);
  expect(v.vendor.tenantStatus(accountId).tenants.filter((t) => t.product === 'RMM')).toHaveLength(1);
});

it('gives up at the deadline with a timeout naming the request id', async () => {
  const v = await vendor({ stalled: true, timeScale: 0.01 });
  const { accountId, contactId } = await accountOn(v.url);
  const flow = new SyncWorkflow(new VendorClient(v.url), {
    timeScale: 0.01,
    minDeadline: 0,
    waits: { trial: { initialDelay: 5, interval: 5, deadline: 30 } }, // 300 ms at this scale
  });
  const started = Date.now();
  const trial = await flow.createTrial({ accountId, contactId, product: 'RMM' });
  expect(trial.result).toBe('timed-out');
  expect(trial.reason).toContain(`Request ${trial.requestId} did not finish by its deadline`);
  expect(trial.reason).toContain('last message: "no tenant yet"');
  expect(Date.now() - started).toBeLessThan(3000);
});

it('stops at once when the caller aborts', async () => {
  const v = await vendor({ stalled: true });
  const { accountId, contactId } = await accountOn(v.url);
  const reason = new Error('user pressed Ctrl-C');
  const controller = new AbortController();
  const flow = new SyncWorkflow(new VendorClient(v.url), { timeScale: SCALE, signal: controller.signal });
  setTimeout(() => controller.abort(reason), 100);
  const started = Date.now();
  await expect(flow.createSubscription({ accountId, contactId, product: 'Backup', quantity: 1 })).rejects.toBe(reason);
  expect(Date.now() - started).toBeLessThan(1000);
});

it('makes the vendor API idempotent by request id', async () => {
  const v = await vendor();
  const client = new VendorClient(v.url);
  const { accountId, contactId } = await accountOn(v.url);
  const body = { accountId, contactId, product: 'RMM' };
  const first = await client.createTrial(body, { requestId: 'trial-once' });
  const again = await client.createTrial({ product: 'RMM', contactId, accountId }, { requestId: 'trial-once' });
  expect(again).toEqual(first);
  const other = await client.createTrial({ ...body, product: 'Mail' }, { requestId: 'trial-once' }).catch((e) => e);
  expect(other).toBeInstanceOf(VendorApiError);
  expect(other).toMatchObject({ status: 409 });
  await eventually(
    () => v.vendor.tenantStatus(accountId).tenants.length,
    (n) => n > 0,
  );
  await new Promise((r) => setTimeout(r, 300)); // longer than any second provisioning would take
  expect(v.vendor.tenantStatus(accountId).tenants).toHaveLength(1);
});

it('runs the whole seed in one command', () => {
  const dir = resolve(__dirname, '..');
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, APSKIT_TIME_SCALE: String(SCALE), TS_NODE_FILES: 'false' },
  });
  // All three at once, so that a failure shows what the command printed.
  expect({ status: run.status, stderr: run.stderr, stdout: run.stdout }).toMatchObject({ status: 0, stderr: '' });
  for (const title of [
    'create account',
    'create trial',
    'create trial (EDR)',
    'convert trial',
    'create subscription',
    'amend subscription',
    'suspend subscription',
  ])
    expect(run.stdout).toContain(`ok   ${title.padEnd(21)} `);
  expect(run.stdout).toContain('unconfirmable Amend subscription cannot be confirmed via the tenant status endpoint');
  expect(run.stdout).toContain('All 7 operations ended as the seed says they should.');
});
