/**
 * The application instance: what `GET /apskit/instance` says of it (its globals resource, the
 * version it runs) and its upgrade (`POST /apskit/instance/upgrade`), an operation like a create:
 * `waitFor` follows its "Upgrading application …" task to the end, `onProgress` seeing it run.
 */
import { LifecycleOperation } from '@apskit/core';
import type { ApsClient, SubmitOptions } from './client';
import type { Operation } from './operation';

/** The upgrade's operation kind. */
export type Upgrade = typeof LifecycleOperation.upgrade;

/** The application instance, as `GET /apskit/instance` answers. */
export interface InstanceInfo {
  readonly id: string;
  /** The application's name. */
  readonly application: string;
  /** The root (globals) resource: the one an upgrade runs on. */
  readonly globalsId: string | null;
  /**
   * The root (globals) resource itself, its settings included, as `GET /aps/2/resources/{globalsId}`
   * shows it to the caller; null when there is none or the caller does not reach it.
   */
  readonly globals: ({ readonly aps: { readonly id: string; readonly type: string } } & Record<string, unknown>) | null;
  /** The version the last successful upgrade recorded; null before the first. */
  readonly version: string | null;
  /** `open` (loopback, no tokens) or `required`. */
  readonly auth: string;
  /** Who the controller takes the caller for. */
  readonly caller: { readonly kind: string; readonly subject?: string; readonly accountId?: string };
}

export function instanceInfo(client: ApsClient, options: { signal?: AbortSignal } = {}): Promise<InstanceInfo> {
  return client.json<InstanceInfo>({ method: 'GET', path: '/apskit/instance', signal: options.signal });
}

/**
 * Upgrades the instance to `version`: the operation on the globals resource, done (200) or pending
 * (202, its task running). A missing version is an ApsClientError (400 naming `version`).
 */
export function upgrade<T>(client: ApsClient, version: string, options: SubmitOptions): Promise<Operation<T, Upgrade>> {
  return client.submit(
    LifecycleOperation.upgrade,
    { method: 'POST', path: '/apskit/instance/upgrade', body: { version } },
    options,
  );
}
