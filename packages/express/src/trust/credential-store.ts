/**
 * Where an endpoint keeps what each installation gave it: the instance certificate and key, the
 * controller's certificate and the controller URI. APS expects every endpoint to keep them per
 * instance (the PHP runtime writes `config/<instance-id>`, a JSON config holding the certificate as
 * `appCertificate`, and `<instance-id>.pem`: cloudblue.freshdesk.com/support/solutions/articles/44001879535;
 * the Node runtime odin-public/aps-node-runtime a home folder with `instance.crt`, `instance.key`,
 * `apsc.crt`, folder 0700 and files 0600, src/runtime/instance.js), and
 * has no way to get them back once lost: the instance must be installed again
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/deployment).
 *
 * The default is files in a data directory, one folder per instance, folder 0700 and files 0600. A
 * secret manager plugs in by implementing `CredentialStore`.
 */
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** What one installation gave the endpoint. The key is secret; the rest is not. */
export interface InstanceCredentials {
  /** PEM: the certificate the controller made for this instance (`aps.x509.self`). */
  readonly instanceCertificate: string;
  /** PEM: its private key (`aps.x509.self`). Never logged, never returned. */
  readonly instanceKey: string;
  /** PEM: the controller's certificate (`aps.x509.controller`), the only client certificate accepted for this instance. */
  readonly controllerCertificate: string;
  /**
   * PEM: the CA of the controller's API server certificate, from the installation's `aps.x509.ca`
   * (APSKit's controller sends it), trusted for this instance's calls to its controller only.
   */
  readonly controllerCa?: string;
  /** The controller's API root as the install request named it (APS-Controller-URI): the only one called for this instance. */
  readonly controllerUri?: string;
  /** When the credentials were stored (ISO 8601). */
  readonly installedAt?: string;
}

/** Credentials per application instance id. Implement it to keep them in a secret manager. */
export interface CredentialStore {
  get(instanceId: string): Promise<InstanceCredentials | undefined>;
  /** Stores (or replaces) the credentials of an instance. */
  put(instanceId: string, credentials: InstanceCredentials): Promise<void>;
  /** The ids of the instances that have credentials. */
  list(): Promise<string[]>;
}

/** The environment variable read when `EndpointOptions.credentialsDir` is not given. */
export const CREDENTIALS_DIR_ENV = 'APSKIT_CREDENTIALS_DIR';
/** The default data directory, relative to the working directory. */
export const DEFAULT_CREDENTIALS_DIR = '.apskit/credentials';

/**
 * An instance id as it may name a folder: APS instance ids are UUIDs; anything with a path separator,
 * `.` or `..`, or control characters is refused before it reaches the file system.
 */
export function isInstanceId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(id) && !id.includes('..');
}

const FILES = {
  instanceCertificate: 'instance.crt',
  instanceKey: 'instance.key',
  controllerCertificate: 'controller.crt',
  controllerCa: 'controller-ca.crt',
  meta: 'instance.json',
} as const;

/** The credentials directory: the option, else APSKIT_CREDENTIALS_DIR, else `.apskit/credentials`. */
export function credentialsDirectory(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[CREDENTIALS_DIR_ENV]?.trim();
  return resolve(option ?? (fromEnv ? fromEnv : DEFAULT_CREDENTIALS_DIR));
}

/**
 * Files in `dir`: `<dir>/<instance-id>/instance.crt`, `instance.key`, `controller.crt`, `controller-ca.crt`
 * (when the installation named one) and `instance.json` (controller URI, install time). The directories are made 0700 and the files 0600
 * whatever the umask, each file written to a temporary name and renamed, so that a crash never
 * leaves half a key. Nothing is created before the first installation.
 */
export function fileCredentialStore(dir: string = credentialsDirectory()): CredentialStore {
  const root = resolve(dir);
  const folder = (id: string): string => {
    if (!isInstanceId(id)) throw new Error(`Not an instance id: ${JSON.stringify(id).slice(0, 80)}`);
    return join(root, id);
  };
  const writeSecret = async (path: string, text: string): Promise<void> => {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, text, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  };
  return {
    async get(id) {
      if (!isInstanceId(id)) return undefined;
      const home = join(root, id);
      let texts: string[];
      try {
        texts = await Promise.all(
          [FILES.instanceCertificate, FILES.instanceKey, FILES.controllerCertificate].map((f) =>
            readFile(join(home, f), 'utf8'),
          ),
        );
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      let meta: { controllerUri?: unknown; installedAt?: unknown } = {};
      try {
        meta = JSON.parse(await readFile(join(home, FILES.meta), 'utf8')) as typeof meta;
      } catch {
        // Without its metadata an instance still has its certificates; it then has no recorded URI.
      }
      const [instanceCertificate, instanceKey, controllerCertificate] = texts as [string, string, string];
      let controllerCa: string | undefined;
      try {
        controllerCa = await readFile(join(home, FILES.controllerCa), 'utf8');
      } catch (e) {
        // Optional: only an installation that named the controller's CA has one.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      return {
        instanceCertificate,
        instanceKey,
        controllerCertificate,
        ...(controllerCa === undefined ? {} : { controllerCa }),
        controllerUri: typeof meta.controllerUri === 'string' ? meta.controllerUri : undefined,
        installedAt: typeof meta.installedAt === 'string' ? meta.installedAt : undefined,
      };
    },
    async put(id, credentials) {
      const home = folder(id);
      await mkdir(root, { recursive: true, mode: 0o700 });
      await mkdir(home, { recursive: true, mode: 0o700 });
      await chmod(home, 0o700);
      await writeSecret(join(home, FILES.instanceKey), credentials.instanceKey);
      await writeSecret(join(home, FILES.instanceCertificate), credentials.instanceCertificate);
      await writeSecret(join(home, FILES.controllerCertificate), credentials.controllerCertificate);
      if (credentials.controllerCa !== undefined)
        await writeSecret(join(home, FILES.controllerCa), credentials.controllerCa);
      else await rm(join(home, FILES.controllerCa), { force: true });
      const meta = { controllerUri: credentials.controllerUri, installedAt: credentials.installedAt };
      await writeSecret(join(home, FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(root);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      return names.filter(isInstanceId);
    },
  };
}

/** Credentials in memory only, lost when the process ends: for tests and short-lived endpoints. */
export function memoryCredentialStore(): CredentialStore {
  const all = new Map<string, InstanceCredentials>();
  return {
    get: async (id) => all.get(id),
    put: async (id, credentials) => {
      all.set(id, { ...credentials });
    },
    list: async () => [...all.keys()],
  };
}
