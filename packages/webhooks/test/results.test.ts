/**
 * Posting results: OAuth2 client credentials or a configured header, retries with exponential
 * back-off and jitter on 5xx and timeouts, a failed task past the bound, no second result after a
 * post whose answer was lost, and errorMessage fitted to 500 UTF-16 units.
 */
import type { TaskJson } from '@apskit/controller';
import { backoffSeconds, cutErrorMessage, ResultPoster } from '@apskit/webhooks';
import { deliver, eventually, notification } from './fixtures/marketplace';
import { startHarness, type Harness } from './fixtures/provisioner';

const ended = (t: TaskJson) => ['succeeded', 'failed', 'canceled'].includes(t.status);

async function resultTask(h: Harness, requestId: string): Promise<TaskJson> {
  const { results } = await eventually(
    () => h.tasks(requestId),
    (t) => t.results.length === 1 && ended(t.results[0]!),
  );
  return results[0]!;
}

async function history(h: Harness, taskId: string): Promise<ReadonlyArray<{ kind: string; message: string }>> {
  const task = (await fetch(`${h.provisioner.controllerUrl}/apskit/tasks/${taskId}`).then((r) => r.json())) as TaskJson;
  return task.history ?? [];
}

describe('with OAuth2 client credentials', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((m) => ({
      results: {
        url: m.resultsUrl,
        authentication: {
          oauth2: {
            tokenUrl: `${m.url}/oauth/token`,
            clientId: 'provisioner',
            clientSecret: 'client-secret',
            scope: 'provisioning',
          },
        },
      },
    }));
    h.marketplace.requireAuth = 'oauth2';
  });
  afterAll(() => h.close());

  it('fetches a token once, reuses it, and fetches a new one when the marketplace refuses it', async () => {
    const a = notification();
    const b = notification();
    await deliver(h.webhookUrl, a);
    await deliver(h.webhookUrl, b);
    for (const n of [a, b])
      await eventually(
        () => h.marketplace.acceptedFor(n.provisionAttempt.id),
        (r) => r.length === 1,
      );
    expect(h.marketplace.tokenRequests).toHaveLength(1);
    expect(Object.fromEntries(h.marketplace.tokenRequests[0]!)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'provisioner',
      client_secret: 'client-secret',
      scope: 'provisioning',
    });
    const token = h.marketplace.accepted[0]!.authorization as string;
    expect(token).toMatch(/^Bearer /);

    h.marketplace.revokedTokens.add(token.slice(7));
    const c = notification();
    await deliver(h.webhookUrl, c);
    const [posted] = await eventually(
      () => h.marketplace.acceptedFor(c.provisionAttempt.id),
      (r) => r.length === 1,
    );
    expect(posted!.authorization).not.toBe(token);
    expect(h.marketplace.tokenRequests).toHaveLength(2);
  });
});

describe('when the credentials are wrong', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((m) => ({
      results: {
        url: m.resultsUrl,
        authentication: {
          oauth2: { tokenUrl: `${m.url}/oauth/token`, clientId: 'provisioner', clientSecret: 'wrong' },
        },
      },
    }));
  });
  afterAll(() => h.close());

  it('fails the result task at once, saying why', async () => {
    const n = notification();
    await deliver(h.webhookUrl, n);
    const task = await resultTask(h, n.provisionRequest.id);
    expect(task.status).toBe('failed');
    expect(task.output).toBe(
      `The marketplace refused the result of attempt ${n.provisionAttempt.id}: The token endpoint answered HTTP 401: {"error":"invalid_client"}`,
    );
    expect(task.attempts).toBe(1);
  });
});

describe('with a configured header, and a marketplace that fails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((m) => ({
      results: {
        url: m.resultsUrl,
        authentication: { header: { name: 'X-Api-Key', value: 'results-key' } },
        timeoutMs: 300,
        maxPostingSeconds: 60, // 0.6 s at the harness's time scale
      },
    }));
    h.marketplace.requireAuth = 'header';
  });
  afterAll(() => h.close());
  beforeEach(() => h.marketplace.faults.splice(0));

  it('sends the header', async () => {
    const n = notification();
    await deliver(h.webhookUrl, n);
    const [posted] = await eventually(
      () => h.marketplace.acceptedFor(n.provisionAttempt.id),
      (r) => r.length === 1,
    );
    expect(posted!.apiKey).toBe('results-key');
  });

  it('retries on 5xx and timeouts with growing delays, then posts once', async () => {
    h.marketplace.faults.push({ kind: 'status', status: 503 }, { kind: 'hang' }, { kind: 'status', status: 502 });
    const n = notification();
    await deliver(h.webhookUrl, n);
    const task = await resultTask(h, n.provisionRequest.id);
    expect(task.status).toBe('succeeded');
    expect(task.attempts).toBe(4);
    const steps = await history(h, task.id);
    expect(steps.map((e) => e.kind)).toEqual(['created', 'rescheduled', 'rescheduled', 'rescheduled', 'succeeded']);
    expect(steps[1]!.message).toMatch(/^Try 1 failed: HTTP 503: fault 503 \(next run in [\d.]+ s\)$/);
    expect(steps[2]!.message).toMatch(/^Try 2 failed: .* could not be reached: no answer in time/);
    expect(steps[3]!.message).toMatch(/^Try 3 failed: HTTP 502/);
    const delays = steps.slice(1, 4).map((e) => Number(/next run in ([\d.]+) s/.exec(e.message)![1]));
    // Equal jitter: try n waits between 2^(n-2) and 2^(n-1) seconds (base 1 s), before the time scale.
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(2 ** i / 2);
      expect(d).toBeLessThanOrEqual(2 ** i);
    });
    expect(h.marketplace.acceptedFor(n.provisionAttempt.id)).toHaveLength(1);
  });

  it('gives up after the bound, and the task says so', async () => {
    for (let i = 0; i < 100; i++) h.marketplace.faults.push({ kind: 'status', status: 500 });
    const n = notification();
    await deliver(h.webhookUrl, n);
    const task = await resultTask(h, n.provisionRequest.id);
    expect(task.status).toBe('failed');
    expect(task.output).toMatch(
      new RegExp(
        `^Gave up posting the result of attempt ${n.provisionAttempt.id} after \\d+ tries \\(limit 60 s\\): HTTP 500: fault 500$`,
      ),
    );
    expect(task.attempts).toBeGreaterThan(3);
    expect(h.marketplace.acceptedFor(n.provisionAttempt.id)).toHaveLength(0);
  });

  it('does not post a second result when the answer to the first was lost', async () => {
    h.marketplace.faults.push({ kind: 'keep-and-drop' });
    const n = notification();
    await deliver(h.webhookUrl, n);
    const task = await resultTask(h, n.provisionRequest.id);
    expect(task.status).toBe('succeeded');
    expect(task.output).toBe(
      `The marketplace already has the result of attempt ${n.provisionAttempt.id} (HTTP 409): not posted again`,
    );
    expect(h.marketplace.acceptedFor(n.provisionAttempt.id)).toHaveLength(1);
  });

  it('fits errorMessage into 500 UTF-16 units, shortening the long word in its middle', async () => {
    const n = notification({ details: { refuse: `Refused: ${'é'.repeat(600)} is not allowed` } });
    await deliver(h.webhookUrl, n);
    const [posted] = await eventually(
      () => h.marketplace.acceptedFor(n.provisionAttempt.id),
      (r) => r.length === 1,
    );
    const message = posted!.body.errorMessage as string;
    expect(message.length).toBeLessThanOrEqual(500);
    expect(message).toMatch(/^Refused: é+…é+ is not allowed$/);
  });
});

describe('pieces', () => {
  it('backoff doubles its ceiling up to the maximum, with the delay in its upper half', () => {
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, {}, () => 1))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, {}, () => 0))).toEqual([0.5, 1, 2, 4]);
    expect(backoffSeconds(20, { baseSeconds: 2, maxDelaySeconds: 60 }, () => 1)).toBe(60);
    for (let i = 0; i < 100; i++) {
      const d = backoffSeconds(3);
      expect(d).toBeGreaterThanOrEqual(2);
      expect(d).toBeLessThanOrEqual(4);
    }
  });

  it('cuts messages by UTF-16 units, never inside a character (more in error-message.test.ts)', () => {
    expect(cutErrorMessage('short')).toBe('short');
    expect(cutErrorMessage('x'.repeat(500))).toBe('x'.repeat(500));
    const cut = cutErrorMessage('😀'.repeat(501));
    expect(cut.length).toBeLessThanOrEqual(500);
    expect(cut.replace('…', '')).toMatch(/^(😀)+$/u);
  });

  it('fills the request id into the results URL, escaped', () => {
    const poster = new ResultPoster({ url: 'https://m.example/provision-requests/{provisionRequestId}/results' });
    expect(poster.urlFor('a/b c')).toBe('https://m.example/provision-requests/a%2Fb%20c/results');
    expect(() => new ResultPoster({ url: 'https://m.example/results' })).toThrow('{provisionRequestId}');
  });
});
