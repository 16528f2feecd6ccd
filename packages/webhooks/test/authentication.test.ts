/**
 * What is refused before anything is stored: webhooks that fail authentication (401), and bodies
 * that cannot be a notification at all (400: not JSON, not an object, without the ids a result is
 * posted with; 413: too large). Nothing is stored and nothing is provisioned for any of them. What a
 * notification says (its type, its details) is judged after the acknowledgement: acknowledgement.test.ts.
 */
import { authenticator, checkSharedSecret, signStandardWebhook, verifyStandardWebhook } from '@apskit/webhooks';
import { deliver, eventually, notification, SHARED_SECRET, SIGNING_SECRET } from './fixtures/marketplace';
import { startHarness, type Harness } from './fixtures/provisioner';
import { Space } from './fixtures/space';

describe('Standard Webhooks signatures', () => {
  // The test vector of the Standard Webhooks specification's libraries.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = Buffer.from('{"test": 2432232314}');
  const clock = () => timestamp * 1000;
  const headers = (signature: string, ts = String(timestamp)) => ({
    'webhook-id': id,
    'webhook-timestamp': ts,
    'webhook-signature': signature,
  });

  it('signs as the specification does, and verifies it', () => {
    const signature = signStandardWebhook(secret, id, timestamp, body);
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(verifyStandardWebhook(headers(signature), body, { secrets: [secret], clock })).toBeUndefined();
  });

  it('accepts any one of several signatures, and any one of several secrets (rotation)', () => {
    const next = `whsec_${Buffer.from('the next signing secret').toString('base64')}`;
    const both = `v1,${Buffer.alloc(32).toString('base64')} ${signStandardWebhook(next, id, timestamp, body)}`;
    expect(verifyStandardWebhook(headers(both), body, { secrets: [secret, next], clock })).toBeUndefined();
    expect(verifyStandardWebhook(headers(both), body, { secrets: [secret], clock })).toBe(
      'No webhook-signature matches the message with an accepted secret',
    );
    // A raw (non-whsec_) secret is its UTF-8 bytes; key bytes may be given as they are.
    const raw = signStandardWebhook('a plain secret, 16+ bytes', id, timestamp, body);
    expect(
      verifyStandardWebhook(headers(raw), body, { secrets: [Buffer.from('a plain secret, 16+ bytes')], clock }),
    ).toBeUndefined();
  });

  it('refuses a changed body, a stale or future timestamp, and missing headers', () => {
    const signature = signStandardWebhook(secret, id, timestamp, body);
    expect(verifyStandardWebhook(headers(signature), Buffer.from('{"test": 1}'), { secrets: [secret], clock })).toBe(
      'No webhook-signature matches the message with an accepted secret',
    );
    const late = () => (timestamp + 301) * 1000;
    expect(verifyStandardWebhook(headers(signature), body, { secrets: [secret], clock: late })).toBe(
      'webhook-timestamp is 301 s old: the tolerance is 300 s',
    );
    const early = () => (timestamp - 61) * 1000;
    expect(
      verifyStandardWebhook(headers(signature), body, { secrets: [secret], clock: early, toleranceSeconds: 60 }),
    ).toBe('webhook-timestamp is 61 s in the future: the tolerance is 60 s');
    expect(verifyStandardWebhook({}, body, { secrets: [secret], clock })).toBe(
      'Missing the signature headers webhook-id, webhook-timestamp, webhook-signature',
    );
    expect(verifyStandardWebhook(headers(signature, 'yesterday'), body, { secrets: [secret], clock })).toBe(
      'webhook-timestamp must be a Unix time in seconds',
    );
    expect(verifyStandardWebhook(headers('v2,abc'), body, { secrets: [secret], clock })).toBe(
      'webhook-signature has no v1 signature',
    );
  });
});

describe('shared secrets', () => {
  it('compares in constant time, in a configurable header, with several accepted secrets', () => {
    const options = { header: 'X-Pax8-Secret', secrets: ['the old shared secret', 'the new shared secret'] };
    expect(checkSharedSecret({ 'x-pax8-secret': 'the new shared secret' }, options)).toBeUndefined();
    expect(checkSharedSecret({ 'x-pax8-secret': 'the old shared secret' }, options)).toBeUndefined();
    expect(checkSharedSecret({ 'x-pax8-secret': 'the old shared secre' }, options)).toBe(
      'The shared secret in header x-pax8-secret is not an accepted one',
    );
    expect(checkSharedSecret({}, options)).toBe('Missing the shared secret header x-pax8-secret');
  });

  it('refuses to build an intake without authentication, unless told to', () => {
    expect(() => authenticator(undefined)).toThrow('Webhooks must be authenticated');
    expect(() => authenticator({ sharedSecret: { secrets: [] } })).toThrow('secrets is empty');
    expect(() => authenticator({ hmac: { secrets: [''] } })).toThrow(
      'authentication.hmac.secrets[0]: the secret is empty (is the setting or its environment variable missing?)',
    );
    expect(authenticator({ none: true })({}, Buffer.alloc(0))).toBeUndefined();
  });
});

describe('the intake refuses, storing nothing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((m) => ({
      authentication: {
        sharedSecret: { header: 'X-Pax8-Secret', secrets: [SHARED_SECRET, 'shared-secret-number-2'] },
        hmac: { secrets: [SIGNING_SECRET] },
      },
      results: { url: m.resultsUrl },
      bodyLimit: '10kb',
    }));
  });
  afterAll(() => h.close());

  const secret = { 'x-pax8-secret': SHARED_SECRET };
  const stored = async () => (await h.provisioner.controller.listTasks({})).length;

  async function refused(
    send: () => Promise<{ status: number; body: { code: number; message: string } }>,
    status: number,
    message: string | RegExp,
  ): Promise<void> {
    const before = await stored();
    const calls = Space.calls.length;
    const reply = await send();
    expect(reply.status).toBe(status);
    expect(reply.body.code).toBe(status);
    if (typeof message === 'string') expect(reply.body.message).toBe(message);
    else expect(reply.body.message).toMatch(message);
    await new Promise((r) => setTimeout(r, 50)); // time enough for anything that was started
    expect(await stored()).toBe(before);
    expect(Space.calls.length).toBe(calls);
  }

  it('acknowledges a notification with both checks passing (either secret of the rotation)', async () => {
    const n = notification();
    const reply = await deliver(h.webhookUrl, n, { headers: { 'x-pax8-secret': 'shared-secret-number-2' } });
    expect(reply.status).toBe(202);
    // Settled before the refusals below count what is stored.
    await eventually(
      () => h.marketplace.acceptedFor(n.provisionAttempt.id),
      (r) => r.length === 1,
    );
    await eventually(
      () => h.tasks(n.provisionRequest.id),
      (t) => t.results.length === 1 && t.results[0]!.status === 'succeeded',
    );
  });

  it('401: a bad signature', async () => {
    const other = `whsec_${Buffer.from('someone else').toString('base64')}`;
    await refused(
      () => deliver(h.webhookUrl, notification(), { secret: other, headers: secret }),
      401,
      'No webhook-signature matches the message with an accepted secret',
    );
  });

  it('401: a stale timestamp', async () => {
    const stale = Math.floor(Date.now() / 1000) - 3600;
    await refused(
      () => deliver(h.webhookUrl, notification(), { timestamp: stale, headers: secret }),
      401,
      /^webhook-timestamp is 36\d\d s old: the tolerance is 300 s$/,
    );
  });

  it('401: a wrong or missing shared secret, even with a good signature', async () => {
    await refused(
      () => deliver(h.webhookUrl, notification(), { headers: { 'x-pax8-secret': 'guess' } }),
      401,
      'The shared secret in header x-pax8-secret is not an accepted one',
    );
    await refused(() => deliver(h.webhookUrl, notification()), 401, 'Missing the shared secret header x-pax8-secret');
  });

  it('401: no signature at all', async () => {
    await refused(
      async () => {
        const res = await fetch(h.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...secret },
          body: JSON.stringify(notification()),
        });
        return { status: res.status, body: (await res.json()) as { code: number; message: string } };
      },
      401,
      'Missing the signature headers webhook-id, webhook-timestamp, webhook-signature',
    );
  });

  it('400: malformed JSON', async () => {
    await refused(
      () => deliver(h.webhookUrl, undefined, { raw: '{"provisionRequest": ', headers: secret }),
      400,
      /^Malformed JSON body: /,
    );
  });

  it('400: a body that is not a provision notification, naming every problem', async () => {
    await refused(
      () => deliver(h.webhookUrl, [1, 2], { headers: secret }),
      400,
      'Expected the provision notification as a JSON object',
    );
    const reply = await deliver(
      h.webhookUrl,
      { provisionRequest: { type: 'NetNew' }, provisionAttempt: {} },
      {
        headers: secret,
      },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.details).toEqual([
      { field: 'provisionRequest.id', message: 'is required' },
      { field: 'provisionAttempt.id', message: 'is required' },
    ]);
    const n = notification();
    await refused(
      () =>
        deliver(
          h.webhookUrl,
          { ...n, provisionRequest: { ...n.provisionRequest, id: 'x'.repeat(201) } },
          { headers: secret },
        ),
      400,
      'Invalid provision notification: provisionRequest.id must be 1 to 200 visible ASCII characters',
    );
  });

  it('413: a body over the limit; 405: anything but POST', async () => {
    await refused(
      () =>
        deliver(h.webhookUrl, notification({ details: { adminEmail: 'a@example.com', padding: 'x'.repeat(20_000) } }), {
          headers: secret,
        }),
      413,
      /^Request body too large/,
    );
    const get = await fetch(h.webhookUrl);
    expect(get.status).toBe(405);
  });

  it('drops keys that could reach a prototype before any app code sees them', async () => {
    const n = notification({ details: { adminEmail: 'proto@example.com' } });
    const raw = JSON.stringify(n).replace('"provisionRequest":{', '"provisionRequest":{"__proto__":{"polluted":true},');
    const reply = await deliver(h.webhookUrl, undefined, { raw, headers: secret });
    expect(reply.status).toBe(202);
    const [attempt] = (
      await eventually(
        () => h.tasks(n.provisionRequest.id),
        (t) => t.attempts.length === 1,
      )
    ).attempts;
    const task = await h.provisioner.controller['store'].getTask(attempt!.id);
    const stored = JSON.stringify(task!.request.body);
    expect(stored).not.toContain('__proto__');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
