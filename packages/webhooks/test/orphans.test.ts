/**
 * Results for the attempt the marketplace holds, against a marketplace double that shares no code with
 * @apskit/webhooks (double/marketplace-double.ts: its own signing, its own length rule, its own
 * attempts). The seed (webhook-provisioning-scenarios.txt): one ProvisionAttempt per delivery, a
 * failed attempt is retried up to three times, and a ProvisionResult is posted for the attempt the
 * marketplace holds as acknowledged.
 *
 * - the seed's three scenarios, with the double;
 * - a late acknowledgement followed by a successful retry: one provisioning, one accepted result;
 * - a late acknowledgement followed by three failed retries: the marketplace gave up, and the orphan
 *   is compensated (unprovisioned) or raised to an operator, visibly (task list, metrics);
 * - concurrent duplicate deliveries: one provisioning.
 */
import type { TaskJson } from '@apskit/controller';
import { SIGNING_SECRET, eventually } from './fixtures/marketplace';
import { startHarness, type Harness } from './fixtures/provisioner';
import { Space } from './fixtures/space';
import { MarketplaceDouble, type DoubleRequest } from './double/marketplace-double';

jest.setTimeout(30_000);

const provisions = (email: string) => Space.calls.filter((c) => c === `provision ${email}`).length;
const ended = (t: TaskJson) => ['succeeded', 'failed', 'canceled'].includes(t.status);

async function withDouble(orphans: { policy?: 'compensate' | 'raise' } = {}) {
  const double = await new MarketplaceDouble({ signingSecret: SIGNING_SECRET, retryDelayMs: 1000 }).start();
  // 300 s at the harness's time scale (0.01): 3 s of real time for a newer attempt to come.
  const h = await startHarness({
    results: { url: double.resultsUrl, timeoutMs: 2000 },
    orphans: { afterSeconds: 300, ...orphans },
  });
  double.webhookUrl = h.webhookUrl;
  return { double, h, close: async () => (await h.close(), await double.stop()) };
}

async function orphanTasks(h: Harness, request: DoubleRequest): Promise<TaskJson[]> {
  const all = await h.provisioner.webhooks.tasksOf(request.id);
  return all.filter((t) => t.operation === h.provisioner.webhooks.kinds.orphan);
}

async function metrics(h: Harness): Promise<string> {
  return fetch(`${h.provisioner.controllerUrl}/metrics`).then((r) => r.text());
}

describe('the orphan policy "compensate" (the default)', () => {
  let double: MarketplaceDouble;
  let h: Harness;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ double, h, close } = await withDouble());
  });
  afterAll(() => close());
  beforeEach(() => {
    double.lateAcknowledgements = 0;
    double.misdirectedDeliveries = 0;
  });

  it('seed, success: acknowledged, then one Success result for the attempt', async () => {
    const r = double.purchase({ details: { adminEmail: 'seed-ok@example.com' } });
    await r.done;
    await eventually(
      () => r.results.length,
      (n) => n === 1,
    );
    expect(r.attempts.map((a) => a.state)).toEqual(['acknowledged']);
    expect(r.results[0]).toMatchObject({ provisionAttemptId: r.attempts[0]!.id, status: 'Success' });
    expect(provisions('seed-ok@example.com')).toBe(1);
  });

  it('seed, validation failure: acknowledged, then one Fail result with the reason', async () => {
    const r = double.purchase({ details: { adminEmail: 'taken@example.com' } });
    await eventually(
      () => r.results.length,
      (n) => n === 1,
    );
    expect(r.results[0]).toEqual({
      provisionAttemptId: r.attempts[0]!.id,
      status: 'Fail',
      errorMessage: 'The admin email taken@example.com is already in use by another account',
    });
  });

  it('seed, transient error: a delivery answered 404, the retry acknowledged and answered', async () => {
    double.misdirectedDeliveries = 1;
    const r = double.purchase({ details: { adminEmail: 'seed-transient@example.com' } });
    await r.done;
    await eventually(
      () => r.results.length,
      (n) => n === 1,
    );
    expect(r.attempts.map((a) => [a.state, a.answered])).toEqual([
      ['failed', 404],
      ['acknowledged', 202],
    ]);
    expect(r.results[0]).toMatchObject({ provisionAttemptId: r.attempts[1]!.id, status: 'Success' });
  });

  it('an errorMessage the double counts in UTF-16 units is within its limit', async () => {
    const r = double.purchase({
      details: { refuse: `Refused ${'🚀'.repeat(400)}: the plan is not sold in your country` },
    });
    await eventually(
      () => r.results.length,
      (n) => n === 1,
    );
    expect(r.answers.map(([, status]) => status)).toEqual([201]);
    expect(r.results[0]!.errorMessage).toMatch(/: the plan is not sold in your country$/);
  });

  it('late acknowledgement, then a successful retry: one provisioning, one accepted result, for the retry', async () => {
    double.lateAcknowledgements = 1;
    const r = double.purchase({ details: { adminEmail: 'late-once@example.com' } });
    await r.done;
    await eventually(
      () => r.results.length,
      (n) => n === 1,
    );
    expect(r.attempts.map((a) => a.state)).toEqual(['failed', 'acknowledged']);
    expect(r.results).toEqual([expect.objectContaining({ provisionAttemptId: r.attempts[1]!.id, status: 'Success' })]);
    expect(provisions('late-once@example.com')).toBe(1);
    // Every task of the request ends, and no orphan is declared.
    const tasks = await eventually(
      () => h.provisioner.webhooks.tasksOf(r.id),
      (ts) => ts.every(ended),
    );
    // The result first went to the failed attempt (processing ended before the retry came): the
    // double refused it (422), and the orphan check found the newer attempt.
    expect(r.answers.filter(([id]) => id === r.attempts[0]!.id).map(([, s]) => s)).toEqual([422, 422, 422]);
    // Nothing for an operator: the refused post was the marketplace's retry under way.
    expect(tasks.filter((x) => x.status === 'failed').map((x) => x.name)).toEqual([]);
    const checks = tasks.filter((x) => x.operation === h.provisioner.webhooks.kinds.orphan);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.output).toMatch(/^Not an orphan: the marketplace delivered the request again/);
    expect(r.answers.filter(([, s]) => s === 201)).toHaveLength(1);
  });

  it('late acknowledgement, then three failed retries: the orphan is compensated, visibly', async () => {
    double.lateAcknowledgements = 4;
    const r = double.purchase({ details: { adminEmail: 'given-up@example.com' } });
    await r.done;
    expect(r.attempts.map((a) => a.state)).toEqual(['failed', 'failed', 'failed', 'failed']);
    const orphans = await eventually(
      () => orphanTasks(h, r),
      (ts) => ts.length > 0 && ts.every(ended) && ts.some((t) => /^Orphan compensated/.test(t.output)),
      20_000,
    );
    const compensated = orphans.find((t) => /^Orphan compensated/.test(t.output))!;
    expect(compensated.name).toMatch(
      /^Orphan check for NetNew request .* from the marketplace \(the result of attempt .* was refused\)$/,
    );
    expect(compensated.status).toBe('succeeded');
    expect(provisions('given-up@example.com')).toBe(1);
    expect(Space.calls).toContain('unprovision given-up@example.com');
    expect(r.results).toEqual([]);
    // Visible: the controller's task list and its metrics.
    const listed = (await fetch(
      `${h.provisioner.controllerUrl}/apskit/tasks?resourceId=${encodeURIComponent(`marketplace:request:${r.id}`)}`,
    ).then((x) => x.json())) as TaskJson[];
    expect(listed.some((t) => t.id === compensated.id)).toBe(true);
    expect(await metrics(h)).toContain('apskit_webhook_orphans_total{source="marketplace",outcome="compensated"} 1');

    // The marketplace comes back after all: that attempt is told the request was given up.
    const late = await double.sendAttempt(r);
    expect(late.state).toBe('acknowledged');
    await eventually(
      () => r.results.length,
      (n) => n === 1,
    );
    expect(r.results[0]).toMatchObject({ provisionAttemptId: late.id, status: 'Fail' });
    expect(r.results[0]!.errorMessage).toMatch(/^This request was given up/);
    expect(provisions('given-up@example.com')).toBe(1);
  });

  it('concurrent duplicate deliveries: one provisioning, one result', async () => {
    const r = double.purchase({ details: { adminEmail: 'concurrent-double@example.com' } });
    await r.done;
    // The same attempt delivered again four times at once (a marketplace's at-least-once delivery).
    const again = r.attempts[0]!;
    const body = JSON.stringify({ ...r.notification, provisionAttempt: { id: again.id } });
    const sign = (double as unknown as { sign(b: string): Record<string, string> }).sign.bind(double);
    const statuses = await Promise.all(
      [1, 2, 3, 4].map(() =>
        fetch(h.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...sign(body) },
          body,
        }).then((x) => x.status),
      ),
    );
    expect(statuses).toEqual([202, 202, 202, 202]);
    await eventually(
      () => r.results.length,
      (n) => n === 1,
    );
    await new Promise((res) => setTimeout(res, 300));
    expect(r.results).toHaveLength(1);
    expect(provisions('concurrent-double@example.com')).toBe(1);
  });
});

describe('the orphan policy "raise"', () => {
  let double: MarketplaceDouble;
  let h: Harness;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ double, h, close } = await withDouble({ policy: 'raise' }));
  });
  afterAll(() => close());

  it('keeps the resource and fails an orphan task for an operator, counted in the metrics', async () => {
    double.lateAcknowledgements = 4;
    const r = double.purchase({ details: { adminEmail: 'raised@example.com' } });
    await r.done;
    const orphans = await eventually(
      () => orphanTasks(h, r),
      (ts) => ts.length > 0 && ts.every(ended) && ts.some((t) => t.status === 'failed'),
      20_000,
    );
    const raised = orphans.find((t) => t.status === 'failed')!;
    expect(raised.output).toMatch(/^Orphan raised to an operator: the marketplace took no result of NetNew request /);
    expect(raised.output).toMatch(/is kept \(orphan policy: raise\)/);
    expect(Space.calls).not.toContain('unprovision raised@example.com');
    expect(await metrics(h)).toContain('apskit_webhook_orphans_total{source="marketplace",outcome="raised"} 1');
  });
});
