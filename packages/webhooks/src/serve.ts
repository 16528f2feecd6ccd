/**
 * A webhook provisioner on one port: the controller's API (resources and tasks) and the webhook
 * intake, served together. The order matters as in serveController: the URL is known before the
 * controller starts, and the jobs are defined before the scheduler can take any up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { Controller, controllerApi, type ControllerOptions, type ServeOptions } from '@apskit/controller';
import { createWebhooks, type WebhookOptions, type Webhooks } from './webhooks';

export interface ProvisionerOptions extends ControllerOptions, ServeOptions {
  readonly webhooks: WebhookOptions;
  /** Where the intake is mounted. Default `/webhooks/provision`. */
  readonly webhookPath?: string;
  /** Middleware run in front of the intake (logging, an IP allow-list, rate limits, …). */
  readonly intakeMiddleware?: readonly RequestHandler[];
}

export interface RunningProvisioner {
  readonly controller: Controller;
  readonly webhooks: Webhooks;
  readonly server: http.Server;
  /** The controller's API, at `/aps/2/…` and `/apskit/…`. */
  readonly url: string;
  /** Where the marketplace delivers notifications. */
  readonly webhookUrl: string;
  close(): Promise<void>;
}

export async function startWebhookProvisioner(options: ProvisionerOptions): Promise<RunningProvisioner> {
  const {
    webhooks: webhookOptions,
    webhookPath = '/webhooks/provision',
    intakeMiddleware = [],
    port,
    host = '127.0.0.1',
    ...rest
  } = options;
  const controller = new Controller(rest);
  const webhooks = createWebhooks(controller, webhookOptions);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(webhookPath, ...intakeMiddleware, webhooks.router);
  app.use(controllerApi(controller));
  const server = http.createServer(app);
  const wanted = port ?? 3000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`Port ${wanted} on ${host} is already in use: choose another`) : e),
    );
    server.listen(wanted, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
  controller.controllerUri ??= url;
  try {
    await controller.start();
  } catch (e) {
    server.close();
    throw e;
  }
  return {
    controller,
    webhooks,
    server,
    url,
    webhookUrl: url + webhookPath,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await controller.stop();
    },
  };
}
