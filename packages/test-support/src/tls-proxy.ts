/**
 * A test double of a TLS-terminating reverse proxy, written from nginx's documentation and sharing
 * no APSKit code (node:https only): it terminates TLS from a client, asking for its certificate
 * (`ssl_verify_client optional_no_ca`), and forwards each request upstream, over HTTPS presenting
 * its own client certificate (`proxy_ssl_certificate`) or over plain HTTP, with the client's
 * certificate in a header (`proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;`: the
 * URL-encoded PEM, and no header when the client presented none). As nginx does, a header of that
 * name sent by the client is never passed on.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface TlsProxyOptions {
  /** The proxy's own server certificate and key (PEM), which its clients are given to trust. */
  readonly server: { readonly cert: string; readonly key: string };
  /** Where it forwards: `https://127.0.0.1:PORT` or `http://…`. */
  readonly upstream: string;
  /** The upstream's server certificate (or its CA), for HTTPS upstreams. */
  readonly upstreamCa?: string;
  /** The certificate it presents upstream over mutual TLS; none when undefined. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
  /** Default `x-ssl-client-cert`. */
  readonly header?: string;
  /**
   * How the client's certificate is written in the header. Default `escaped-pem` (nginx
   * `$ssl_client_escaped_cert`); `base64-der` (HAProxy `%[ssl_c_der,base64]`); or a fixed value
   * sent on every request (a broken proxy).
   */
  readonly encoding?: 'escaped-pem' | 'base64-der' | { readonly fixed: string };
}

export interface TlsProxy {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

function pemOf(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export async function tlsProxyDouble(options: TlsProxyOptions): Promise<TlsProxy> {
  const header = (options.header ?? 'x-ssl-client-cert').toLowerCase();
  const upstream = new URL(options.upstream);
  const secure = upstream.protocol === 'https:';
  const server = https.createServer(
    { cert: options.server.cert, key: options.server.key, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const headers: http.OutgoingHttpHeaders = { ...req.headers };
      delete headers[header];
      delete headers.connection;
      headers.host = upstream.host;
      const encoding = options.encoding ?? 'escaped-pem';
      if (typeof encoding === 'object') headers[header] = encoding.fixed;
      else if (peer?.raw) {
        headers[header] = encoding === 'base64-der' ? peer.raw.toString('base64') : encodeURIComponent(pemOf(peer.raw));
      }
      const forward = (secure ? https : http).request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
          agent: false,
          ...(secure
            ? { ca: options.upstreamCa, cert: options.clientCertificate?.cert, key: options.clientCertificate?.key }
            : {}),
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bad gateway: ${e.message}`);
      });
      req.pipe(forward);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
