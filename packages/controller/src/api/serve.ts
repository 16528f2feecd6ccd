/**
 * Serves a controller on its own HTTP server: the API (and, later, the console) on one port.
 * Starting order matters: the URL is known before the controller starts, so that the endpoint is
 * told where the controller is (APS-Controller-URI) from the first call on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Controller, type ControllerOptions } from '../controller';
import { controllerApi } from './controller-api';
import { apsFallbacks } from '@apskit/express';

export interface ServeOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface RunningController {
  readonly controller: Controller;
  readonly server: http.Server;
  readonly url: string;
  close(): Promise<void>;
}

export async function serveController(controller: Controller, options: ServeOptions = {}): Promise<RunningController> {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(controllerApi(controller));
  app.use(...apsFallbacks());
  const server = http.createServer(app);
  const host = options.host ?? '127.0.0.1';
  const wanted = options.port ?? 3000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(`Port ${wanted} on ${host} is already in use: stop what uses it, or choose another port (PORT=…)`)
          : e,
      ),
    );
    server.listen(wanted, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  controller.controllerUri ??= url;
  try {
    await controller.start();
  } catch (e) {
    server.close();
    throw e;
  }
  return {
    controller,
    server,
    url,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await controller.stop();
    },
  };
}

/** Creates a controller from options and serves it. */
export async function startController(options: ControllerOptions & ServeOptions): Promise<RunningController> {
  return serveController(new Controller(options), options);
}
