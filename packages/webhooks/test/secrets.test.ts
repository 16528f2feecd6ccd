/**
 * Issue 15 #4: a webhook secret that decodes to nothing must never verify anything. Such a secret
 * (`whsec_` from an unset variable, a masked `whsec_***`, `whsec_ `), a short one or one that is not
 * base64 is refused when the provisioner starts, naming the setting and never showing the secret;
 * and a request signed with the empty key is answered 401 and provisions nothing, even when such a
 * secret reaches the per-request check.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '@apskit/controller';
import {
  authenticator,
  createWebhooks,
  startWebhookProvisioner,
  verifyStandardWebhook,
  type SigningSecret,
  type WebhookAuthentication,
} from '@apskit/webhooks';
import { notification, SIGNING_SECRET } from './fixtures/marketplace';
import { startHarness } from './fixtures/provisioner';
import { services, Space } from './fixtures/space';

const base64Of = (bytes: number): string => Buffer.alloc(bytes, 7).toString('base64');
// What `whsec_${process.env.KEY ?? ''}` becomes when KEY is unset.
const UNSET = `whsec_${process.env.APSKIT_TEST_SURELY_UNSET_WEBHOOK_KEY ?? ''}`;

/**
 * Each bad HMAC secret, what the message must say about it, and text of the secret that the message
 * must not show.
 */
const BAD_HMAC: ReadonlyArray<readonly [string, SigningSecret, RegExp, string | undefined]> = [
  ['an unset variable after whsec_', UNSET, /with nothing after it, which decodes to 0 bytes/, undefined],
  ['a masked whsec_***', 'whsec_***', /outside the base64 alphabet/, '***'],
  ['whsec_ and a space', 'whsec_ ', /holds whitespace/, undefined],
  ['a line break read from a file', `whsec_${base64Of(24)}\n`, /holds whitespace/, base64Of(24)],
  ['URL-safe base64', `whsec_${base64Of(30).replace(/B/g, '-')}`, /outside the base64 alphabet/, '-wcH'],
  ['missing padding', `whsec_${base64Of(17).replace(/=+$/, '')}`, /wrong base64 padding/, base64Of(17).slice(0, 20)],
  ['padding in the middle', `whsec_QQ==${base64Of(24)}`, /wrong base64 padding/, base64Of(24)],
  ['non-canonical last character', 'whsec_AAAAAAAAAAAAAAAAAAAAAB==', /wrong base64 padding/, 'AAAAAB'],
  ['8 bytes of base64', `whsec_${base64Of(8)}`, /decodes to 8 bytes; a secret must be at least 16 bytes/, base64Of(8)],
  ['15 bytes of base64', `whsec_${base64Of(15)}`, /decodes to 15 bytes; a secret must be at least 16 bytes/, undefined],
  ['an empty string', '', /is empty \(is the setting or its environment variable missing\?\)/, undefined],
  ['a short plain string', 'hunter2', /is 7 bytes \(UTF-8\); a secret must be at least 16 bytes/, 'hunter2'],
  ['8 key bytes', new Uint8Array(8), /is 8 bytes; a secret must be at least 16 bytes/, undefined],
  ['undefined (a JavaScript setting read from nowhere)', undefined as unknown as string, /is undefined/, undefined],
];

const BAD_SHARED: ReadonlyArray<readonly [string, string, RegExp, string | undefined]> = [
  ['an empty string', '', /is empty/, undefined],
  ['a short one', 'pax8-s3cret', /is 11 bytes; a secret must be at least 16 bytes/, 'pax8-s3cret'],
  ['one with whitespace around it', ' a secret long enough to pass ', /HTTP strips from a header value/, 'long enough'],
  ['one a header cannot carry', 'a secret long enough, ünïcödé', /visible ASCII/, 'ünïcödé'],
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-webhooks-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a provisioner with these authentication settings; it must refuse to start. */
async function refusedAtStart(authentication: WebhookAuthentication): Promise<string> {
  const started = startWebhookProvisioner({
    app: { name: 'secrets', services },
    dataDir: dir,
    port: 0,
    webhooks: {
      type: Space,
      resource: () => ({}),
      authentication,
      results: { url: 'http://127.0.0.1:9/{provisionRequestId}' },
    },
  });
  const error = await started.then(
    async (running) => {
      await running.close();
      throw new Error('the provisioner started');
    },
    (e: unknown) => e as Error,
  );
  // Refused before anything was opened: no database, nothing listening.
  expect(readdirSync(dir)).toEqual([]);
  return error.message;
}

describe('issue 15 #4: bad secrets are refused at start, naming the setting', () => {
  it.each(BAD_HMAC)('HMAC: %s', async (_name, bad, says, hidden) => {
    // In second place of a rotation, so that the message must say which one.
    const message = await refusedAtStart({ hmac: { secrets: [SIGNING_SECRET, bad] } });
    expect(message).toMatch(/^webhooks\.authentication\.hmac\.secrets\[1\]: the secret /);
    expect(message).toMatch(says);
    if (hidden !== undefined) expect(message).not.toContain(hidden);
    expect(message).not.toContain(SIGNING_SECRET.slice(6));
  });

  it.each(BAD_SHARED)('shared secret: %s', async (_name, bad, says, hidden) => {
    const message = await refusedAtStart({ sharedSecret: { secrets: [bad] } });
    expect(message).toMatch(/^webhooks\.authentication\.sharedSecret\.secrets\[0\]: the secret /);
    expect(message).toMatch(says);
    if (hidden !== undefined) expect(message).not.toContain(hidden);
  });

  it('refuses an empty rotation list and an unbounded timestamp tolerance', async () => {
    expect(await refusedAtStart({ hmac: { secrets: [] } })).toBe(
      'webhooks.authentication.hmac.secrets is empty: give at least one secret',
    );
    expect(await refusedAtStart({ hmac: { secrets: [SIGNING_SECRET], toleranceSeconds: Number.NaN } })).toBe(
      'webhooks.authentication.hmac.toleranceSeconds must be a positive number of seconds',
    );
  });

  it('names the setting as createWebhooks takes it, when used directly', () => {
    const controller = new Controller({ app: { name: 'secrets', services }, dataDir: dir });
    expect(() =>
      createWebhooks(controller, {
        type: Space,
        resource: () => ({}),
        authentication: { hmac: { secrets: [UNSET] } },
        results: { url: 'http://127.0.0.1:9/{provisionRequestId}' },
      }),
    ).toThrow(
      /^authentication\.hmac\.secrets\[0\]: the secret is "whsec_" with nothing after it, which decodes to 0 bytes/,
    );
  });

  it('accepts 16 bytes, the least there may be, in every form', () => {
    const sixteen = Buffer.alloc(16, 1);
    for (const secret of [`whsec_${sixteen.toString('base64')}`, 'sixteen bytes!!!', sixteen])
      expect(() => authenticator({ hmac: { secrets: [secret] } })).not.toThrow();
    expect(() => authenticator({ sharedSecret: { secrets: ['sixteen bytes!!!'] } })).not.toThrow();
  });
});

/** The Standard Webhooks signature, computed here from the specification rather than with the library. */
function signWithKey(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

describe('issue 15 #4: a request signed with the empty key never verifies', () => {
  it('a per-request check skips secrets that decode to nothing', () => {
    const id = 'msg_1';
    const timestamp = Math.floor(Date.now() / 1000);
    const body = '{"x":1}';
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWithKey(Buffer.alloc(0), id, timestamp, body),
    };
    for (const secret of [UNSET, 'whsec_***', 'whsec_ ', '', new Uint8Array(0)])
      expect(verifyStandardWebhook(headers, Buffer.from(body), { secrets: [secret] })).toBe(
        'No webhook-signature matches the message with an accepted secret',
      );
  });

  it('over HTTP: 401, nothing stored, nothing provisioned, even with an empty secret added to the rotation at run time', async () => {
    // A rotation list is read per request: one that gains a secret from an unset variable after the
    // start check is exactly the case the per-request check must still hold.
    const secrets: SigningSecret[] = [SIGNING_SECRET];
    const h = await startHarness({ authentication: { hmac: { secrets } } });
    try {
      secrets.push(UNSET, 'whsec_***');
      const n = notification({ details: { adminEmail: 'empty-key@example.com' } });
      const body = JSON.stringify(n);
      const id = `msg_${randomUUID()}`;
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await fetch(h.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWithKey(Buffer.alloc(0), id, timestamp, body),
        },
        body,
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        code: 401,
        error: expect.any(String),
        message: 'No webhook-signature matches the message with an accepted secret',
      });
      await new Promise((r) => setTimeout(r, 200)); // time enough for anything that was started
      expect(await h.provisioner.controller.listTasks({})).toEqual([]);
      expect(Space.calls).toEqual([]);
      expect(h.marketplace.posts).toEqual([]);
      // The genuine secret still works on the same intake.
      const signed = signWithKey(Buffer.from(SIGNING_SECRET.slice(6), 'base64'), id, timestamp, body);
      const good = await fetch(h.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signed,
        },
        body,
      });
      expect(good.status).toBe(202);
    } finally {
      await h.close();
    }
  });
});
