/**
 * A double of an APS controller, written from the APS docs (docs.cloudblue.com/cbc/sdk/21.0/api/rest/
 * application/deployment: "During the instance deployment, the APS controller must generate a unique
 * certificate and private key and then send them along with global application configuration
 * properties in the POST request to the root service"), sharing no code with APSKit. It has its own CA
 * and controller certificate (openssl), installs an application instance on an endpoint over HTTPS
 * with that client certificate, calls the endpoint afterwards with it, and serves `GET
 * /aps/2/resources/{id}` on its own HTTPS port, recording the client certificate each call presented.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { makeCa, makeLeaf, type Pem } from '@apskit/test-support/openssl';

export interface Reply {
  readonly status: number;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are read loosely
  readonly body: any;
}

export interface SeenCall {
  readonly path: string;
  /** SHA-256 of the client certificate presented, or undefined without one. */
  readonly fingerprint?: string;
}

export interface ControllerDouble {
  /** Its API root, `https://127.0.0.1:PORT/`: what it sends as APS-Controller-URI. */
  readonly url: string;
  readonly ca: Pem;
  /** The controller certificate: its TLS client certificate, and `aps.x509.controller` of an install. */
  readonly controller: Pem;
  /** The instance certificates it made, by instance id. */
  readonly instances: ReadonlyMap<string, Pem>;
  /** The calls its API received. */
  readonly seen: readonly SeenCall[];
  /**
   * Installs an application instance: POST `<endpoint>/<rootService>/` with the globals resource,
   * `aps.x509.self` (the new instance certificate and key, PEM) and `aps.x509.controller`.
   */
  install(endpoint: string, rootService: string, rootType: string, instanceId?: string): Promise<Reply>;
  /** A call to the endpoint as this controller, naming the instance. */
  call(endpoint: string, method: string, path: string, instanceId: string, body?: unknown): Promise<Reply>;
  close(): Promise<void>;
}

/**
 * `endpointCa`: the certificate the endpoint serves (self-signed): the double verifies the endpoint
 * against it, as a controller configured with it would.
 */
export async function startControllerDouble(dir: string, name: string, endpointCa: string): Promise<ControllerDouble> {
  const ca = makeCa(dir, `${name}-ca`);
  const controller = makeLeaf(dir, `${name}-controller`, ca);
  const instances = new Map<string, Pem>();
  const seen: SeenCall[] = [];
  // Its API asks for a client certificate and records it; it answers any resource as ready.
  const server = https.createServer(
    { key: controller.key, cert: controller.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ path: req.url ?? '', ...(peer?.fingerprint256 ? { fingerprint: peer.fingerprint256 } : {}) });
      const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ aps: { id, type: 'unknown', status: 'aps:ready' }, loadedFrom: name }));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const request = (
    endpoint: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        new URL(path, endpoint),
        {
          method,
          agent: false,
          ca: endpointCa,
          cert: controller.cert,
          key: controller.key,
          timeout: 10_000,
          headers: {
            ...headers,
            'APS-Controller-URI': url,
            'APS-Transaction-ID': randomUUID(),
            ...(text === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
        },
        (res) => {
          let out = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (out += c));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = out === '' ? undefined : JSON.parse(out);
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, text: out, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path} within 10 s`)));
      req.on('error', reject);
      req.end(text);
    });

  return {
    url,
    ca,
    controller,
    instances,
    seen,
    install: (endpoint, rootService, rootType, instanceId = randomUUID()) => {
      const instance = makeLeaf(dir, `${name}-instance-${instances.size}`, ca, {
        extensions: ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'],
      });
      instances.set(instanceId, instance);
      return request(
        endpoint,
        'POST',
        `${rootService}/`,
        { 'APS-Instance-ID': instanceId },
        {
          aps: {
            type: rootType,
            id: randomUUID(),
            x509: { self: `${instance.cert}${instance.key}`, controller: controller.cert },
          },
        },
      );
    },
    call: (endpoint, method, path, instanceId, body) =>
      request(endpoint, method, path, { 'APS-Instance-ID': instanceId }, body),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
