/**
 * The mail hosting app as it runs: its endpoint (APSKit's runtime, over HTTPS on 127.0.0.1) and
 * APSKit's controller (its API and console over HTTPS, with a certificate of its own CA), data in
 * `dataDir`. At its first start the controller creates the application instance and installs it on
 * the endpoint (the instance certificate goes to `<dataDir>/endpoint/credentials`); from then on the
 * endpoint accepts only that controller, and calls it back (the resource loader, the domains'
 * summary writes) presenting the instance certificate. Started again on the same `dataDir`, with
 * another version, it is the same instance: `POST /apskit/instance/upgrade` then upgrades it.
 */
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { createEndpoint, type EndpointOptions, type RunningEndpoint } from '@apskit/express';
import { endpointCertificate } from './endpoint-certificate';
import * as v1_0 from './v1_0';
import * as v1_1 from './v1_1';

/** The app's versions, each a definition of its types (`services`) and its metadata (`app`). */
export const versions = { '1.0': v1_0, '1.1': v1_1 } as const;
export type Version = keyof typeof versions;

export interface MailHostingOptions {
  readonly version: Version;
  /** The SQLite file, the controller's certificates and the endpoint's certificate and credentials. */
  readonly dataDir: string;
  /** The controller's port (0: any free one). Default 0. */
  readonly port?: number;
  /** The endpoint's port. Default 0. */
  readonly endpointPort?: number;
  /** The controller's time scale: 0.01 turns the mailboxes' 30 s into 300 ms. Default 1. */
  readonly timeScale?: number;
  /** The controller's scheduler: how long it may sleep before looking for due tasks. */
  readonly pollMs?: number;
  /** The usage sync's period in seconds (scaled), or false: only `POST /apskit/usage/sync`. Default 3600. */
  readonly usageSyncSeconds?: number | false;
  /** The endpoint's logger: a pino logger, or false for none. Default: pino at APSKIT_LOG_LEVEL. */
  readonly logger?: EndpointOptions['logger'];
}

export interface RunningMailHosting {
  readonly controller: RunningController;
  readonly endpoint: RunningEndpoint;
  /** The controller's URL (https://127.0.0.1:PORT). */
  readonly url: string;
  /** What the controller's API server certificate chains to (its CA), for clients to trust. */
  readonly ca: string;
  close(): Promise<void>;
}

export async function serveMailHosting(options: MailHostingOptions): Promise<RunningMailHosting> {
  const { app, services } = versions[options.version];
  const certificate = endpointCertificate(join(options.dataDir, 'endpoint'));
  const endpoint = await createEndpoint({
    services,
    credentialsDir: join(options.dataDir, 'endpoint', 'credentials'),
    ...(options.logger !== undefined && { logger: options.logger }),
  }).listen({ port: options.endpointPort ?? 0, tls: certificate });
  try {
    const controller = new Controller({
      app,
      endpoint: { url: endpoint.url, ca: certificate.cert },
      dataDir: options.dataDir,
      ...(options.timeScale !== undefined && { timeScale: options.timeScale }),
      ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
      ...(options.usageSyncSeconds !== undefined && { usageSyncSeconds: options.usageSyncSeconds }),
    });
    const running = await serveController(controller, { port: options.port ?? 0, tls: true });
    return {
      controller: running,
      endpoint,
      url: running.url,
      ca: running.caCertificate,
      close: async () => {
        await running.close();
        await endpoint.close();
      },
    };
  } catch (e) {
    await endpoint.close();
    throw e;
  }
}
