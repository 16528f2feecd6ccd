/**
 * A webhook provisioner: the webhook intake on the port the marketplace delivers to, and, only when
 * asked, the controller's API on a listener of its own. The marketplace-facing port serves the intake
 * and nothing else: the controller API reads every resource and reruns tasks, which no marketplace
 * (nor anyone who can reach that port) should be able to do. Every answer of that port, errors
 * included, is JSON with the APS error body: no express HTML page, no stack trace.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import {
  Controller,
  serveController,
  type ControllerOptions,
  type RunningController,
  type ServeOptions,
} from '@apskit/controller';
import { apsFallbacks } from '@apskit/express';
import { authenticator } from './authentication/authenticate';
import { createWebhooks, type WebhookOptions, type Webhooks } from './webhooks';

/** Where the controller's own listener goes, when `controllerApi` asks for one. */
export interface ControllerApiListener {
  /** Default 0: a free port, read from `running.controllerUrl`. */
  readonly port?: number;
  /**
   * Default 127.0.0.1, whatever `host` the webhook port listens on: the API changes resources and
   * reruns tasks, so it stays on loopback unless you choose otherwise.
   */
  readonly host?: string;
}

export interface ProvisionerOptions extends ControllerOptions, ServeOptions {
  readonly webhooks: WebhookOptions;
  /** Where the intake is mounted. Default `/webhooks/provision`. */
  readonly webhookPath?: string;
  /** Middleware run in front of the intake (logging, an IP allow-list, rate limits, …). */
  readonly intakeMiddleware?: readonly RequestHandler[];
  /**
   * The controller's API (`/aps/2/…`, `/apskit/…`), console and health checks, as startController
   * serves them, on a listener of its own: `true` or `{ port?, host? }`. Default `false`: not served
   * at all. The webhook port never serves them. An app whose lifecycle calls the controller
   * (controllerClient, loading linked resources) needs this listener or the `controllerUri` option.
   */
  readonly controllerApi?: boolean | ControllerApiListener;
}

export interface RunningProvisioner {
  readonly controller: Controller;
  readonly webhooks: Webhooks;
  /** The marketplace-facing listener: the intake only. */
  readonly server: http.Server;
  /** The marketplace-facing listener's base URL (`http://host:port`); it serves nothing but the intake. */
  readonly url: string;
  /** Where the marketplace delivers notifications: `url` + `webhookPath`. */
  readonly webhookUrl: string;
  /** The controller's own listener, when `controllerApi` asked for one. */
  readonly controllerServer?: http.Server;
  /** The controller's API (`/aps/2/…`, `/apskit/…`) and console, when `controllerApi` asked for them; otherwise undefined. */
  readonly controllerUrl?: string;
  /** Stops both listeners (the intake first, so nothing new is acknowledged), then the controller. */
  close(): Promise<void>;
}

const urlOf = (server: http.Server, host: string): string =>
  `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;

export async function startWebhookProvisioner(options: ProvisionerOptions): Promise<RunningProvisioner> {
  const {
    webhooks: webhookOptions,
    webhookPath = '/webhooks/provision',
    intakeMiddleware = [],
    controllerApi = false,
    port,
    host = '127.0.0.1',
    shutdownGraceMs,
    ...rest
  } = options;
  // The secrets are checked before anything is opened, named as this function's options name them
  // (createWebhooks checks them again, under its own names, and then they pass).
  authenticator(webhookOptions.authentication, 'webhooks.authentication');
  const controller = new Controller(rest);
  const webhooks = createWebhooks(controller, webhookOptions);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(webhookPath, ...intakeMiddleware, webhooks.router);
  // Anything else, and any error (a malformed URI, a middleware that fails), answers the APS error body.
  app.use(...apsFallbacks());
  const server = http.createServer(app);

  // The controller first: once the intake listens, an acknowledgement can be stored.
  let api: RunningController | undefined;
  if (controllerApi !== false) {
    const listener = controllerApi === true ? {} : controllerApi;
    api = await serveController(controller, {
      port: listener.port ?? 0,
      host: listener.host ?? '127.0.0.1',
      shutdownGraceMs,
    });
  } else {
    await controller.start();
  }
  const stopController = (): Promise<void> => (api ? api.close() : controller.stop());

  const wanted = port ?? 3000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'EADDRINUSE' ? new Error(`Port ${wanted} on ${host} is already in use: choose another`) : e),
      );
      server.listen(wanted, host, () => {
        server.removeAllListeners('error');
        resolve();
      });
    });
  } catch (e) {
    await stopController();
    throw e;
  }
  const url = urlOf(server, host);
  return {
    controller,
    webhooks,
    server,
    url,
    webhookUrl: url + webhookPath,
    controllerServer: api?.server,
    controllerUrl: api?.url,
    close: async () => {
      await closeGracefully(server, shutdownGraceMs ?? 5000);
      await stopController();
    },
  };
}

/**
 * No new connections; a delivery under way may finish its acknowledgement (up to the grace period),
 * idle keep-alive connections are closed as they appear. A delivery cut off is retried by the
 * marketplace, so the grace period is a courtesy, not a guarantee.
 */
async function closeGracefully(server: http.Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(idle);
  clearTimeout(grace);
}
