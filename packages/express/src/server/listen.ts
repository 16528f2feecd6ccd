/**
 * Serves an endpoint on its own server: HTTP, or HTTPS when `tls` is given. Over HTTPS the server
 * asks every client for a certificate (an APS controller presents its own; an installed instance
 * accepts only that one) and accepts any at the TLS level: the pins, not a CA, decide who is served.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { EndpointOptions } from '../create-endpoint';
import { apsFallbacks } from './fallbacks';
import { guardProcess } from './process-guard';

export interface ListenOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Serve HTTPS with this key and certificate (PEM). Needed for installations: the controller's
   * client certificate is read from the TLS connection.
   */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Keep the process alive, logging, on an unhandled promise rejection or uncaught exception while
   * this server runs (default true; see guardProcess). `false` leaves Node's default: exit.
   */
  processGuard?: boolean;
}

export interface RunningEndpoint {
  readonly server: http.Server | https.Server;
  /** `http://127.0.0.1:PORT` (or https). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenEndpoint(
  router: Router & { options: Readonly<EndpointOptions> },
  options: ListenOptions = {},
  logger?: Logger,
): Promise<RunningEndpoint> {
  if (router.options.trustedProxy?.proxyCertificate !== undefined && !options.tls)
    throw new Error(
      'trustedProxy.proxyCertificate needs tls: the proxy presents its certificate over mutual TLS (or name its addresses)',
    );
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(router);
  app.use(...apsFallbacks());
  // Asked of every client: the installation and every request of an installed instance are judged
  // by the certificate presented, whether or not `clientCertificate` pins one up front.
  const server = options.tls
    ? https.createServer({ ...options.tls, requestCert: true, rejectUnauthorized: false }, app)
    : http.createServer(app);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  const release = options.processGuard === false ? () => undefined : guardProcess(logger);
  return {
    server,
    port,
    url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        release();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
