/**
 * The controller's certificates (issue 18): its CA, made once at the first start and loaded after,
 * as files of its own user only in its data directory; in the store when the store is shared
 * (PostgreSQL) or in memory. The instance certificate follows the instance: the same while the
 * database is, a new one for a new database.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from '@apskit/store-postgres';
import { requirePostgres, TEST_DATABASE_URL, uniqueName, withClient } from '@apskit/test-support/postgres';
import { Controller, MemoryStore } from '../src';
import { Domain, Globals, Mailbox } from './fixtures/rql-app';

const app = { name: 'trust-app', services: { globals: Globals, domains: Domain, mailboxes: Mailbox } };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-trust-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function started(options: Partial<ConstructorParameters<typeof Controller>[0]> = {}): Promise<Controller> {
  const controller = new Controller({ app, dataDir: dir, ...options });
  await controller.start();
  return controller;
}

const mode = (path: string): number => statSync(path).mode & 0o777;

describe("the controller's CA, in its data directory", () => {
  it('is made at the first start, in 0600 files of a 0700 folder, and loaded after a restart: the same fingerprint', async () => {
    const first = await started();
    const fingerprint = first.trust.caFingerprint;
    const instanceCert = first.trust.instanceCertificate;
    const clientCert = first.trust.clientCredentials?.cert;
    await first.stop();

    const trustDir = join(dir, 'trust');
    expect(first.trust.caFile).toBe(join(trustDir, 'ca.crt'));
    expect(mode(trustDir)).toBe(0o700);
    expect(readdirSync(trustDir).sort()).toEqual(['ca.crt', 'ca.key', 'controller.crt', 'controller.key']);
    for (const f of readdirSync(trustDir)) expect([f, mode(join(trustDir, f))]).toEqual([f, 0o600]);
    // The file is the CA, a CA certificate, and what the fingerprint says.
    const ca = new X509Certificate(readFileSync(join(trustDir, 'ca.crt')));
    expect(ca.ca).toBe(true);
    expect(ca.fingerprint256).toBe(fingerprint);

    const second = await started();
    expect(second.trust.caFingerprint).toBe(fingerprint);
    expect(second.trust.clientCredentials?.cert).toBe(clientCert);
    // Same database, same instance, same certificate.
    expect(second.trust.instanceCertificate).toBe(instanceCert);
    await second.stop();
  });

  it('signs the controller certificate and the instance certificate, whose subject names the instance', async () => {
    const c = await started();
    const ca = new X509Certificate(c.trust.caCertificate);
    const instance = new X509Certificate(c.trust.instanceCertificate as string);
    const client = new X509Certificate(c.trust.clientCredentials?.cert as string);
    for (const leaf of [instance, client]) {
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.ca).toBe(false);
    }
    expect(instance.subject).toContain(`CN=${c.instance.id}`);
    await c.stop();
  });

  it('a new database is a new instance with a new certificate, under the same CA', async () => {
    const first = await started();
    const [fingerprint, cert, id] = [first.trust.caFingerprint, first.trust.instanceCertificate, first.instance.id];
    await first.stop();
    for (const f of readdirSync(dir)) if (f.startsWith('apskit.sqlite')) rmSync(join(dir, f));

    const second = await started();
    expect(second.trust.caFingerprint).toBe(fingerprint);
    expect(second.instance.id).not.toBe(id);
    expect(second.trust.instanceCertificate).not.toBe(cert);
    await second.stop();
  });

  it('refuses to start on an incomplete set of files, naming them, rather than make a second CA', async () => {
    await (await started()).stop();
    rmSync(join(dir, 'trust', 'ca.key'));
    const c = new Controller({ app, dataDir: dir });
    await expect(c.start()).rejects.toThrow(/certificates in .*trust are incomplete .*ca\.crt/);
    expect(existsSync(join(dir, 'trust', 'ca.key'))).toBe(false);
  });

  it('tightens a file that was made readable by others back to 0600', async () => {
    await (await started()).stop();
    const key = join(dir, 'trust', 'ca.key');
    chmodSync(key, 0o644);
    const c = await started();
    expect(mode(key)).toBe(0o600);
    await c.stop();
  });
});

describe("the controller's CA in the store", () => {
  it('with a memory store: in memory, no files, though a data directory is named', async () => {
    const c = await started({ store: new MemoryStore() });
    expect(c.trust.caFile).toBeUndefined();
    expect(new X509Certificate(c.trust.caCertificate).ca).toBe(true);
    expect(existsSync(join(dir, 'trust'))).toBe(false);
    await c.stop();
  });

  it('is not an add-on key: the key-value port refuses the trust keys', async () => {
    const c = await started({ store: new MemoryStore() });
    expect(() => c.keyValues.get(`trust.instance.${c.instance.id}`)).toThrow(/controller's own/);
    expect(() => c.keyValues.set('trust.controller', '{}')).toThrow(/controller's own/);
    await c.stop();
  });
});

describe('on PostgreSQL, several processes', () => {
  if (!requirePostgres('trust: one CA for all processes')) return;
  const schemas: string[] = [];
  afterAll(async () => {
    await withClient(TEST_DATABASE_URL as string, async (client) => {
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    });
  });

  it('starting at once on a new database, share one CA and one instance certificate (the first one kept)', async () => {
    const schema = uniqueName('apskit_trust');
    schemas.push(schema);
    const store = (): PostgresStore => new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
    const controllers = [1, 2, 3].map(() => new Controller({ app, store: store(), dataDir: dir }));
    await Promise.all(controllers.map((c) => c.start()));
    try {
      const [a, ...others] = controllers as [Controller, ...Controller[]];
      for (const c of others) {
        expect(c.trust.caFingerprint).toBe(a.trust.caFingerprint);
        expect(c.trust.instanceCertificate).toBe(a.trust.instanceCertificate);
        // Each process knows the app by the one certificate.
        expect(c.trust.identify(new X509Certificate(a.trust.instanceCertificate as string))).toEqual({
          instanceId: a.instance.id,
        });
      }
      expect(a.trust.caFile).toBeUndefined();
      expect(existsSync(join(dir, 'trust'))).toBe(false);
    } finally {
      await Promise.all(controllers.map((c) => c.stop()));
    }
  });
});
