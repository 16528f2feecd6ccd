/**
 * Serves a controller on its own HTTP server: the API and the console (`/console`) on one port.
 * Starting order matters: the URL is known before the controller starts, so that the endpoint is
 * told where the controller is (APS-Controller-URI) from the first call on.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Controller, type ControllerOptions } from '../controller';
import { consoleRouter } from '../console/router';
import { bindsLoopbackOnly, openBindError } from '../auth/open-mode';
import { TokenStore } from '../auth/tokens';
import { controllerApi, type ApiAuthentication } from './controller-api';
import { requestGuard } from './guard';
import { tlsServerOptions, type ServeTlsOption } from './tls-server';
import { countRequests, healthApi } from './health';
import { apsFallbacks, type TrustedProxyOptions } from '@apskit/express';

export interface ServeOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** On close, how long requests under way may take to finish before their connections are cut. Default 5 s. */
  shutdownGraceMs?: number;
  /**
   * Serve over HTTPS (issue 18): `true` with a server certificate the controller's CA signs for the
   * loopback names, the bound host, `allowedHosts` and the host of `controllerUri` (clients trust the
   * CA: `caFile`); or `{ cert, key }` of your own. Clients are asked for a certificate, never required
   * to give one: the application presents its instance certificate, others a bearer token. Default: HTTP.
   */
  tls?: ServeTlsOption;
  /**
   * Behind a TLS-terminating proxy (docs/security.md): the application's instance certificate is
   * the one the proxy passes on in `certificateHeader` (default `x-ssl-client-cert`), believed only
   * on a connection from the proxy (`proxyCertificate`, which needs `tls`, and/or `addresses`).
   * Needs tokens: a controller behind a proxy never runs open.
   */
  trustedProxy?: TrustedProxyOptions;
}

export interface RunningController {
  readonly controller: Controller;
  readonly server: http.Server | https.Server;
  /** `https://…` when served over TLS. */
  readonly url: string;
  /** The controller's CA certificate (PEM): what signs its API's server certificate (with `tls: true`) and the instance's. */
  readonly caCertificate: string;
  /** The CA certificate's file, when the controller keeps its certificates in files (its default SQLite store). */
  readonly caFile: string | undefined;
  /** The console, a web page that shows the resources and tasks live: `<url>/console`. */
  readonly consoleUrl: string;
  /**
   * How the API authenticates: `open` (no token configured, loopback only: every caller may do
   * what an administrator may) or `required` (a bearer token, or the instance certificate).
   */
  readonly auth: ApiAuthentication;
  /** One line that says where the controller is and how its API authenticates: for a start-up log. */
  readonly banner: string;
  close(): Promise<void>;
}

export async function serveController(controller: Controller, options: ServeOptions = {}): Promise<RunningController> {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(countRequests(controller));
  // Health and metrics answer whatever Host a probe or scraper uses: they change nothing and show no data.
  app.use(healthApi(controller));
  const host = options.host ?? '127.0.0.1';
  // Who may call (issue 18): with no token configured, the API runs open, and so only on loopback;
  // refused before anything listens or starts.
  const tokens = TokenStore.configured(controller.options.tokens);
  if (tokens.size === 0 && !bindsLoopbackOnly(host)) throw openBindError(host);
  const auth: ApiAuthentication = tokens.size === 0 ? 'open' : 'required';
  if (options.trustedProxy?.proxyCertificate !== undefined && !options.tls)
    throw new Error(
      'trustedProxy.proxyCertificate needs tls: the proxy presents its certificate over mutual TLS (or name its addresses)',
    );
  app.use(controllerApi(controller, { tokens, open: auth === 'open', trustedProxy: options.trustedProxy }));
  // The console and the root answer only to the API's hosts (issue 15 #5), as the API does.
  const guard = requestGuard({
    allowedHosts: controller.options.allowedHosts,
    controllerUri: () => controller.controllerUri,
  });
  app.use('/console', guard, consoleRouter());
  // The root has nothing else to show: a developer who opens the bare URL lands on the console.
  app.get('/', guard, (_req, res) => res.redirect(302, '/console'));
  app.use(...apsFallbacks());
  const tls = options.tls ? await tlsServerOptions(controller, options.tls, host) : undefined;
  const server = tls ? https.createServer(tls, app) : http.createServer(app);
  const wanted = options.port ?? 3000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const error =
        e.code === 'EADDRINUSE'
          ? new Error(`Port ${wanted} on ${host} is already in use: stop what uses it, or choose another port (PORT=…)`)
          : e;
      // The store may be open already (for the CA, with `tls`): closed again, nothing left behind.
      void controller.stop().finally(() => reject(error));
    });
    server.listen(wanted, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  controller.controllerUri ??= url;
  try {
    await controller.start();
  } catch (e) {
    server.close();
    // A start refused half-way (globals settings the type refuses, say) leaves nothing running:
    // the scheduler stopped and the store closed, so that the process can exit.
    await controller.stop().catch(() => undefined);
    throw e;
  }
  return {
    controller,
    server,
    url,
    consoleUrl: `${url}/console`,
    caCertificate: controller.trust.caCertificate,
    caFile: controller.trust.caFile,
    auth,
    banner:
      `APSKit controller at ${url} (console ${url}/console); API ` +
      (auth === 'open'
        ? `OPEN: no token configured, listening on ${host} only, so anyone on this machine may call it as an administrator (configure tokens to require them)`
        : `requires a bearer token (${tokens.size} configured) or the instance certificate`) +
      (options.tls === true
        ? `; HTTPS with a certificate its CA signs: trust ${controller.trust.caFile ?? 'the CA (caCertificate)'} (SHA-256 ${controller.trust.caFingerprint})`
        : ''),
    close: async () => {
      // Graceful: no new connections; requests under way finish (up to the grace period), idle
      // keep-alive connections and long-lived streams are closed now; then the scheduler waits for
      // the attempts under way, so no task is left running.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      controller.events.emit('shutdown');
      // A connection whose request just finished goes idle: close those as they appear.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 5000);
      await closed;
      clearInterval(idle);
      clearTimeout(grace);
      await controller.stop();
    },
  };
}

/** Creates a controller from options and serves it. */
export async function startController(options: ControllerOptions & ServeOptions): Promise<RunningController> {
  return serveController(new Controller(options), options);
}
