/**
 * Issue 15 #8: the private key `apskit deploy` makes for its HTTPS endpoint is for the owner only
 * (0600), in a folder only the owner enters (0700), under the usual umask 022; a key and folder an
 * older APSKit left readable by all are made private when they are reused.
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '@apskit/cli';

let root: string;
let previousUmask: number;

beforeEach(() => {
  previousUmask = process.umask(0o022);
  root = mkdtempSync(join(tmpdir(), 'apskit-key-modes-'));
});

afterEach(() => {
  process.umask(previousUmask);
  rmSync(root, { recursive: true, force: true });
});

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

it('issue 15 #8: the deploy key is 0600 in a 0700 tls folder of a new 0700 data folder', async () => {
  const dataDir = join(root, '.apskit');
  const made = await selfSignedCertificate(dataDir, ['127.0.0.1']);
  expect(made.generated).toBe(true);
  expect({ data: modeOf(dataDir), tls: modeOf(join(dataDir, 'tls')), key: modeOf(made.keyFile) }).toEqual({
    data: '700',
    tls: '700',
    key: '600',
  });
});

it('issue 15 #8: a key and tls folder left readable by all are made private when reused', async () => {
  const dataDir = join(root, '.apskit');
  const made = await selfSignedCertificate(dataDir, ['127.0.0.1']);
  chmodSync(join(dataDir, 'tls'), 0o755);
  chmodSync(made.keyFile, 0o644);
  const again = await selfSignedCertificate(dataDir, ['127.0.0.1']);
  expect(again).toMatchObject({ generated: false, fingerprint: made.fingerprint });
  expect({ tls: modeOf(join(dataDir, 'tls')), key: modeOf(again.keyFile) }).toEqual({ tls: '700', key: '600' });
});
