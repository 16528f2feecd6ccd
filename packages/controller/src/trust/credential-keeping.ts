/**
 * Where the controller keeps its certificates and keys, made once and loaded after:
 *
 * - In files, `<dataDir>/trust/` (folder 0700, files 0600), when the controller has a data directory
 *   of its own (its default SQLite store): `ca.crt`, `ca.key`, `controller.crt`, `controller.key`.
 *   The CA certificate file is what a client trusts to reach the API over HTTPS.
 * - In the store's meta table otherwise (PostgreSQL, a store passed in, the memory store), written
 *   with setMetaIfAbsent: several processes sharing one database start with one CA, the first
 *   process's, as they do with one instance id. A memory store keeps them in memory, for the
 *   process's life.
 *
 * Each application instance's certificate is kept in the store's meta under the instance's id,
 * beside the instance id itself: a new database is a new instance with a new certificate, whatever
 * the CA's files say.
 */
import {
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Store } from '@apskit/store';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../store/private-files';
import type { KeyPairPem } from './pki';

/** The controller's CA and its own client certificate (signed by that CA). */
export interface ControllerCredentials {
  readonly ca: KeyPairPem;
  readonly controller: KeyPairPem;
}

/** An instance's certificate, and its key until the endpoint has acknowledged the installation. */
export interface InstanceCredentials {
  readonly cert: string;
  readonly key?: string;
}

export type MetaPort = Pick<Store, 'getMeta' | 'setMeta' | 'setMetaIfAbsent'>;

/** The meta keys of the trust material: refused to add-ons by the key-value port (store/key-values). */
export const TRUST_META_PREFIX = 'trust.';
const CONTROLLER_META_KEY = `${TRUST_META_PREFIX}controller`;
const instanceMetaKey = (instanceId: string): string => `${TRUST_META_PREFIX}instance.${instanceId}`;

export interface CredentialKeeping {
  /** The controller's credentials: those kept, or `make()`'s, kept from now on. */
  controller(make: () => Promise<ControllerCredentials>): Promise<ControllerCredentials>;
  /** Where the CA certificate is as a file, when it is kept in files. */
  readonly caFile: string | undefined;
}

/** The CA and the controller's certificate as files in `dir` (created 0700; files 0600). */
export function fileKeeping(dir: string): CredentialKeeping {
  const files = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    controllerCert: join(dir, 'controller.crt'),
    controllerKey: join(dir, 'controller.key'),
  };
  return {
    caFile: files.caCert,
    async controller(make) {
      prepareDirectory(dir);
      const all = Object.values(files);
      if (all.every((f) => existsSync(f))) {
        for (const f of all) tighten(f);
        const read = (f: string): string => readFileSync(f, 'utf8');
        return {
          ca: { cert: read(files.caCert), key: read(files.caKey) },
          controller: { cert: read(files.controllerCert), key: read(files.controllerKey) },
        };
      }
      const present = all.filter((f) => existsSync(f));
      if (present.length > 0)
        throw new Error(
          `The controller's certificates in ${dir} are incomplete (${present.join(', ')} without the others): ` +
            `restore the missing files, or remove the folder to make a new CA (endpoints installed with the old one must then be installed again)`,
        );
      const made = await make();
      // Keys first: a crash between writes leaves an incomplete set, refused above rather than half used.
      writePrivate(files.caKey, made.ca.key);
      writePrivate(files.controllerKey, made.controller.key);
      writePrivate(files.controllerCert, made.controller.cert);
      writePrivate(files.caCert, made.ca.cert);
      return made;
    },
  };
}

/** The CA and the controller's certificate in the store's meta table, the first process's for all. */
export function metaKeeping(meta: MetaPort): CredentialKeeping {
  return {
    caFile: undefined,
    async controller(make) {
      const kept = await meta.getMeta(CONTROLLER_META_KEY);
      const value = kept ?? (await meta.setMetaIfAbsent(CONTROLLER_META_KEY, JSON.stringify(await make())));
      return parseControllerCredentials(value);
    },
  };
}

/** The instance's credentials: those kept for `instanceId`, or `make()`'s, the first process's for all. */
export async function keptInstance(
  meta: MetaPort,
  instanceId: string,
  make: () => Promise<InstanceCredentials>,
): Promise<InstanceCredentials> {
  const key = instanceMetaKey(instanceId);
  const value = (await meta.getMeta(key)) ?? (await meta.setMetaIfAbsent(key, JSON.stringify(await make())));
  return parseInstanceCredentials(value);
}

/** Keeps the instance's certificate only: the endpoint holds the key from now on. */
export async function forgetInstanceKey(meta: MetaPort, instanceId: string, cert: string): Promise<void> {
  const credentials: InstanceCredentials = { cert };
  await meta.setMeta(instanceMetaKey(instanceId), JSON.stringify(credentials));
}

function parseControllerCredentials(text: string): ControllerCredentials {
  const v = JSON.parse(text) as Partial<ControllerCredentials>;
  if (!isPair(v.ca) || !isPair(v.controller))
    throw new Error(`The controller's certificates in the store (meta "${CONTROLLER_META_KEY}") are malformed`);
  return { ca: v.ca, controller: v.controller };
}

function parseInstanceCredentials(text: string): InstanceCredentials {
  const v = JSON.parse(text) as Partial<InstanceCredentials>;
  if (typeof v.cert !== 'string' || (v.key !== undefined && typeof v.key !== 'string'))
    throw new Error(`The instance certificate in the store is malformed`);
  return v.key === undefined ? { cert: v.cert } : { cert: v.cert, key: v.key };
}

function isPair(v: unknown): v is KeyPairPem {
  const p = v as Partial<KeyPairPem> | undefined;
  return typeof p?.cert === 'string' && typeof p.key === 'string';
}

function prepareDirectory(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // The mode given to mkdir is subject to the umask; chmod makes it exact.
  if ((statSync(dir).mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates `file` 0600 with `text`; O_EXCL: never follows a symlink, never overwrites. */
function writePrivate(file: string, text: string): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, PRIVATE_FILE_MODE);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, PRIVATE_FILE_MODE);
}

function tighten(file: string): void {
  if ((statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(file, PRIVATE_FILE_MODE);
}
