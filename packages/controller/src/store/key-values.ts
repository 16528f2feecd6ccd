/**
 * The meta table: the controller's own facts (the instance id, the globals resource) and a small
 * key-value port for what an add-on must remember durably beside them (webhooks map a marketplace
 * subscription to its resource there). The port refuses the controller's own keys, so that an
 * add-on cannot overwrite them.
 */
import type { Store } from '@apskit/store';
import { TRUST_META_PREFIX } from '../trust/credential-keeping';

/** This controller's application instance id, the first process's on a shared database. */
export const INSTANCE_ID_KEY = 'instanceId';
/** The id of the application's globals resource, once it is provisioned. */
export const GLOBALS_ID_KEY = 'globalsId';
/** The request id of the globals' provisioning, which makes it happen once across processes. */
export const GLOBALS_REQUEST_ID_KEY = 'globalsRequestId';

/** The application version the instance runs, recorded when an upgrade to it succeeds. */
export const APP_VERSION_KEY = 'appVersion';

const OWN_KEYS: ReadonlySet<string> = new Set([
  INSTANCE_ID_KEY,
  GLOBALS_ID_KEY,
  GLOBALS_REQUEST_ID_KEY,
  APP_VERSION_KEY,
]);

/** Durable string values by key, in the controller's store. */
export interface KeyValuePort {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export function keyValuePort(store: Pick<Store, 'getMeta' | 'setMeta'>): KeyValuePort {
  const check = (key: string): string => {
    // The trust keys hold the CA's and the instance's private keys: no add-on reads or writes them.
    if (OWN_KEYS.has(key) || key.startsWith(TRUST_META_PREFIX))
      throw new Error(`"${key}" is a key of the controller's own: choose another`);
    return key;
  };
  return {
    get: (key) => store.getMeta(check(key)),
    set: (key, value) => store.setMeta(check(key), value),
  };
}
