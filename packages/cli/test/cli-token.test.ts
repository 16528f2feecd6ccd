/**
 * `apskit token add` (issue 18): a token printed once, its SHA-256 added to a tokens file (0600),
 * and a controller started on that file accepts the token, over HTTP on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController } from '@apskit/controller';
import { services } from '@apskit/test-support';
import { main } from '../src/main';

async function apskit(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'apskit', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-cli-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('apskit token add', () => {
  it('prints a new token once, keeps only its SHA-256 in a 0600 file, and the controller accepts it', async () => {
    const file = join(dir, 'tokens.json');
    const admin = await apskit('token', 'add', '--role', 'admin', '--subject', 'ops', '--file', file);
    expect(admin.code).toBe(0);
    const token = admin.out.trim();
    expect(token).toMatch(/^apskit_[A-Za-z0-9_-]{43}$/);
    expect(admin.err).toContain('only time the token is shown');
    const owner = await apskit('token', 'add', '--role', 'owner', '--account', 'acc-1', '--file', file);
    expect(owner.code).toBe(0);

    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(owner.out.trim());
    expect(JSON.parse(text)).toEqual([
      { 'token-sha256': expect.stringMatching(/^[0-9a-f]{64}$/), role: 'admin', subject: 'ops' },
      { 'token-sha256': expect.stringMatching(/^[0-9a-f]{64}$/), role: 'owner', account: 'acc-1' },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const running = await startController({
      app: { name: 'token-cli', services },
      dataDir: dir,
      port: 0,
      tokens: file,
    });
    try {
      const call = (t?: string) =>
        fetch(`${running.url}/apskit/instance`, { headers: t ? { Authorization: `Bearer ${t}` } : {} });
      expect((await call()).status).toBe(401);
      const r = await call(token);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { caller: unknown }).caller).toEqual({ kind: 'admin', subject: 'ops' });
      const o = await call(owner.out.trim());
      expect(((await o.json()) as { caller: unknown }).caller).toMatchObject({ kind: 'owner', accountId: 'acc-1' });
    } finally {
      await running.close();
    }
  });

  it('refuses a role it does not know, an owner without an account, and a file the controller would refuse', async () => {
    const file = join(dir, 'tokens.json');
    const badRole = await apskit('token', 'add', '--role', 'root', '--file', file);
    expect(badRole.code).toBe(1);
    expect(badRole.err).toContain('--role must be admin');
    const noAccount = await apskit('token', 'add', '--role', 'owner', '--file', file);
    expect(noAccount.code).toBe(1);
    expect(noAccount.err).toContain('--account is required');
    writeFileSync(file, JSON.stringify([{ token: 'plain-text-token-0123456789', role: 'admin' }]));
    const plain = await apskit('token', 'add', '--role', 'admin', '--file', file);
    expect(plain.code).toBe(1);
    expect(plain.err).toContain('keeps no plain token');
    expect(plain.out).toBe('');
  });
});
