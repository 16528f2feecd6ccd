/**
 * Issue 18: the controller's API knows who calls. Bearer tokens with a role (admin, an account's
 * owner), 401 with `WWW-Authenticate: Bearer` and an APS error body without one or with a bad one;
 * the APS-Instance-ID header alone never makes a request the application's (403, nothing written);
 * open on 127.0.0.1 when no token is configured, saying so; refused at start on any other address
 * without tokens. All over real HTTP on 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startController, type ControllerOptions, type RunningController } from '@apskit/controller';
import { api, eventually, JOB } from './fixtures/harness';
import { services } from './fixtures/jobs';
import { selfWritingServices } from './fixtures/self-writing-app';

const ADMIN = 'admin-token-0123456789abcdefghij';
const OWNER = 'owner-token-0123456789abcdefghij';
const NOTE = 'http://apskit.test/auth/note/1.0';
const ACCOUNT = '5f0e9f1c-0000-4000-8000-00000000acc1';
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
const hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const dirs: string[] = [];
async function start(options: Partial<ControllerOptions> & { host?: string } = {}): Promise<RunningController> {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-auth-'));
  dirs.push(dir);
  return startController({
    app: { name: 'jobs-app', services },
    dataDir: dir,
    timeScale: 0.01,
    pollMs: 50,
    port: 0,
    ...options,
  });
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function expectUnauthorized(r: { status: number; headers: Headers; body: unknown }, error?: string): void {
  expect(r.status).toBe(401);
  expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="apskit"/);
  if (error) expect(r.headers.get('www-authenticate')).toContain(`error="${error}"`);
  expect(r.body).toMatchObject({ code: 401, error: 'Unauthorized', message: expect.any(String) });
}

describe('with tokens configured (docs/security.md, "Tokens and roles")', () => {
  let running: RunningController;
  beforeAll(async () => {
    running = await start({
      tokens: [
        { token: ADMIN, role: 'admin', subject: 'ops' },
        { tokenSha256: hex(OWNER), role: 'owner', account: ACCOUNT, subject: 'acme' },
      ],
    });
  });
  afterAll(() => running.close());

  it('answers 401 with WWW-Authenticate: Bearer and an APS error body to a call without a token', async () => {
    expect(running.auth).toBe('required');
    for (const path of ['/apskit/instance', '/aps/2/resources', '/aps/2/types', '/apskit/tasks', '/apskit/events'])
      expectUnauthorized(await api(running.url, 'GET', path));
  });

  it('answers 401 invalid_token to an unknown token, and invalid_request to a malformed header', async () => {
    expectUnauthorized(
      await api(running.url, 'GET', '/aps/2/resources', undefined, bearer('x' + ADMIN)),
      'invalid_token',
    );
    expectUnauthorized(
      await api(running.url, 'GET', '/aps/2/resources', undefined, { Authorization: `Basic ${ADMIN}` }),
      'invalid_request',
    );
    expectUnauthorized(
      await api(running.url, 'GET', '/aps/2/resources', undefined, { Authorization: 'Bearer a b' }),
      'invalid_request',
    );
  });

  it('changes nothing for a write without a token: the body is not even read', async () => {
    const admin = bearer(ADMIN);
    const before = (await api(running.url, 'GET', '/aps/2/resources', undefined, admin)).body.length;
    const refused = await api(running.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: 'x' });
    expectUnauthorized(refused);
    expect((await api(running.url, 'GET', '/aps/2/resources', undefined, admin)).body).toHaveLength(before);
  });

  it('serves an admin token, and says who the caller is on /apskit/instance', async () => {
    const r = await api(running.url, 'GET', '/apskit/instance', undefined, bearer(ADMIN));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ auth: 'required', caller: { kind: 'admin', subject: 'ops' } });
    expect((await api(running.url, 'GET', '/aps/2/resources', undefined, bearer(ADMIN))).status).toBe(200);
    // The scheme's name is case-insensitive (RFC 7235 section 2.1).
    const lower = await api(running.url, 'GET', '/apskit/instance', undefined, { Authorization: `bearer ${ADMIN}` });
    expect(lower.status).toBe(200);
  });

  it('recognises an owner token (configured by its SHA-256) as the owner of its account', async () => {
    const r = await api(running.url, 'GET', '/apskit/instance', undefined, bearer(OWNER));
    expect(r.status).toBe(200);
    expect(r.body.caller).toEqual({ kind: 'owner', subject: 'acme', accountId: ACCOUNT });
  });

  it('refuses a PUT that names the instance in APS-Instance-ID without its certificate: 403, nothing written', async () => {
    const admin = bearer(ADMIN);
    const instance = (await api(running.url, 'GET', '/apskit/instance', undefined, admin)).body;
    const created = await api(
      running.url,
      'POST',
      '/aps/2/resources',
      { aps: { type: JOB }, mode: 'ok', name: 'a' },
      admin,
    );
    expect(created.status).toBe(200);
    const id = created.body.aps.id as string;
    const forged = await api(
      running.url,
      'PUT',
      `/aps/2/resources/${id}`,
      { stage: 'forged', name: 'forged' },
      { ...admin, 'APS-Instance-ID': instance.id },
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 403, message: expect.stringContaining('APS-Instance-ID') });
    const read = await api(running.url, 'GET', `/aps/2/resources/${id}`, undefined, admin);
    expect(read.body.name).toBe('a');
    expect(read.body).not.toHaveProperty('stage');
  });

  it('never writes a token to the log, whatever the answer', async () => {
    const written: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      jest
        .spyOn(console, level)
        .mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' '))),
    );
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const wrong = `wrong-${ADMIN}`;
      await api(running.url, 'GET', '/aps/2/resources', undefined, bearer(wrong));
      await api(running.url, 'GET', '/aps/2/resources/nope', undefined, bearer(ADMIN));
      await api(running.url, 'POST', '/aps/2/resources', '{broken', bearer(ADMIN));
      expect(written.join('\n')).not.toContain(ADMIN);
    } finally {
      for (const s of spies) s.mockRestore();
      stdout.mockRestore();
    }
  });
});

describe('open on 127.0.0.1 (no token configured)', () => {
  let running: RunningController;
  beforeAll(async () => {
    running = await start({ tokens: [] });
  });
  afterAll(() => running.close());

  it('serves every caller as open, and says so in its banner and on /apskit/instance', async () => {
    expect(running.auth).toBe('open');
    expect(running.banner).toMatch(/OPEN: no token configured, listening on 127\.0\.0\.1 only/);
    const r = await api(running.url, 'GET', '/apskit/instance');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ auth: 'open', caller: { kind: 'open' } });
  });

  it('still checks a token that is sent: there is none to accept, so 401', async () => {
    expectUnauthorized(await api(running.url, 'GET', '/aps/2/resources', undefined, bearer(ADMIN)), 'invalid_token');
  });

  it('still gives nothing to the APS-Instance-ID header: 403, nothing written', async () => {
    const instance = (await api(running.url, 'GET', '/apskit/instance')).body;
    const created = await api(running.url, 'POST', '/aps/2/resources', { aps: { type: JOB }, mode: 'ok', name: 'b' });
    const id = created.body.aps.id as string;
    const forged = await api(
      running.url,
      'PUT',
      `/aps/2/resources/${id}`,
      { stage: 'x' },
      { 'APS-Instance-ID': instance.id },
    );
    expect(forged.status).toBe(403);
    expect((await api(running.url, 'GET', `/aps/2/resources/${id}`)).body).not.toHaveProperty('stage');
    // As a client (no header), the same PUT is a configure: a read-only property is refused, as before.
    const plain = await api(running.url, 'PUT', `/aps/2/resources/${id}`, { name: 'b2' });
    expect(plain.status).toBe(200);
    await eventually(
      () => api(running.url, 'GET', `/aps/2/resources/${id}`),
      (r) => r.body.name === 'b2',
    );
  });
});

describe('the address it listens on (issue 18: a token-less call on a non-loopback bind refused at start)', () => {
  it('refuses to start on 0.0.0.0 without tokens, saying why and how to configure them', async () => {
    await expect(start({ host: '0.0.0.0', tokens: [] })).rejects.toThrow(
      /Refusing to serve the controller API on 0\.0\.0\.0 without authentication.*tokens.*APSKIT_TOKENS_FILE/s,
    );
    await expect(start({ host: '::', tokens: [] })).rejects.toThrow(/Refusing/);
  });

  it('runs open on any loopback bind: localhost, 127.0.0.2; refuses a host name it cannot know is loopback', async () => {
    for (const host of ['localhost', '127.0.0.2']) {
      const running = await start({ host, tokens: [] });
      try {
        expect(running.auth).toBe('open');
        const r = await api(running.url, 'GET', '/apskit/instance');
        expect(r.body).toMatchObject({ auth: 'open', caller: { kind: 'open' } });
      } finally {
        await running.close();
      }
    }
    await expect(start({ host: 'controller.example', tokens: [] })).rejects.toThrow(
      /Refusing to serve the controller API on controller\.example/,
    );
  });

  it('starts on 0.0.0.0 with tokens, and requires them even from 127.0.0.1', async () => {
    const running = await start({ host: '0.0.0.0', tokens: [{ token: ADMIN, role: 'admin' }] });
    try {
      expect(running.auth).toBe('required');
      const url = running.url.replace('0.0.0.0', '127.0.0.1');
      expectUnauthorized(await api(url, 'GET', '/apskit/instance'));
      const r = await api(url, 'GET', '/apskit/instance', undefined, bearer(ADMIN));
      expect(r.body.caller).toMatchObject({
        kind: 'admin',
        subject: expect.stringMatching(/^admin token [0-9a-f]{8}$/),
      });
    } finally {
      await running.close();
    }
  });
});

describe('the tokens file (APSKIT_TOKENS_FILE)', () => {
  const saved = process.env.APSKIT_TOKENS_FILE;
  afterEach(() => {
    if (saved === undefined) delete process.env.APSKIT_TOKENS_FILE;
    else process.env.APSKIT_TOKENS_FILE = saved;
  });

  function tokensFile(content: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'apskit-tokens-'));
    dirs.push(dir);
    const file = join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
    return file;
  }

  it('accepts the tokens whose SHA-256 it keeps', async () => {
    process.env.APSKIT_TOKENS_FILE = tokensFile([
      { 'token-sha256': hex(ADMIN), role: 'admin', subject: 'from-file' },
      { 'token-sha256': hex(OWNER), role: 'owner', account: ACCOUNT },
    ]);
    const running = await start();
    try {
      expect(running.auth).toBe('required');
      expectUnauthorized(await api(running.url, 'GET', '/apskit/instance'));
      const admin = await api(running.url, 'GET', '/apskit/instance', undefined, bearer(ADMIN));
      expect(admin.body.caller).toEqual({ kind: 'admin', subject: 'from-file' });
      const owner = await api(running.url, 'GET', '/apskit/instance', undefined, bearer(OWNER));
      expect(owner.body.caller).toMatchObject({ kind: 'owner', accountId: ACCOUNT });
    } finally {
      await running.close();
    }
  });

  it('refuses to start on a file that keeps a plain token, or a role it does not know, naming the entry', async () => {
    process.env.APSKIT_TOKENS_FILE = tokensFile([{ token: ADMIN, role: 'admin' }]);
    await expect(start()).rejects.toThrow(/tokens\.json\[0\]\.token: the tokens file keeps no plain token/);
    process.env.APSKIT_TOKENS_FILE = tokensFile([{ 'token-sha256': hex(ADMIN), role: 'root' }]);
    await expect(start()).rejects.toThrow(/tokens\.json\[0\]\.role: must be "admin" or "owner"/);
    process.env.APSKIT_TOKENS_FILE = tokensFile([{ 'token-sha256': hex(ADMIN), role: 'owner' }]);
    await expect(start()).rejects.toThrow(/\[0\]\.account: an owner token must name its account/);
  });

  it('refuses a short token in the option', async () => {
    await expect(start({ tokens: [{ token: 'short', role: 'admin' }] })).rejects.toThrow(
      /tokens\[0\]\.token: a token must be at least 20 characters/,
    );
  });
});

describe("the embedded controller's in-process endpoint (controllerClient) writes as the app", () => {
  it.each([
    ['open on 127.0.0.1', [] as const],
    ['with tokens', [{ token: ADMIN, role: 'admin' as const }]],
  ])('%s: its own write of a read-only property is stored; a client with the header is refused', async (_, tokens) => {
    const running = await start({ app: { name: 'self-writing', services: selfWritingServices }, tokens: [...tokens] });
    try {
      const auth = tokens.length > 0 ? bearer(ADMIN) : {};
      const instance = (await api(running.url, 'GET', '/apskit/instance', undefined, auth)).body;
      const created = await api(running.url, 'POST', '/aps/2/resources', { aps: { type: NOTE }, text: 'n' }, auth);
      expect(created.status).toBe(200);
      const id = created.body.aps.id as string;

      const stamped = await api(running.url, 'POST', `/aps/2/resources/${id}/stamp`, undefined, auth);
      expect(stamped.status).toBe(200);
      expect(stamped.body).toEqual({ status: 200, stamp: 'by-the-app' });
      expect((await api(running.url, 'GET', `/aps/2/resources/${id}`, undefined, auth)).body.stamp).toBe('by-the-app');

      // What controllerClient sends, minus the secret: the header alone is refused and writes nothing.
      const forged = await api(
        running.url,
        'PUT',
        `/aps/2/resources/${id}`,
        { stamp: 'forged' },
        {
          ...auth,
          'APS-Instance-ID': instance.id,
        },
      );
      expect(forged.status).toBe(403);
      expect((await api(running.url, 'GET', `/aps/2/resources/${id}`, undefined, auth)).body.stamp).toBe('by-the-app');
    } finally {
      await running.close();
    }
  });
});
