/**
 * The simulated vendor API over HTTP, on node:http (a handful of routes needs no framework, and the
 * example then depends on @apskit/client alone):
 *
 *   POST /accounts                               create account (synchronous): { accountId, contactId }
 *   POST /trials                                 create trial                  → 202
 *   POST /trials/{tenantId}/convert              convert trial                 → 202
 *   POST /subscriptions                          create subscription           → 202
 *   POST /subscriptions/{tenantId}/amend         amend subscription            → 202
 *   POST /subscriptions/{tenantId}/suspend       suspend subscription          → 202
 *   GET  /accounts/{accountId}/tenant-status     tenant status
 *   GET  /errors?requestId=…                     the errors recorded against a request id
 *
 * Every asynchronous call carries `requestId` in its body. Errors answer `{ "error": "…" }`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Vendor, VendorRefusal, type VendorOptions } from './model';

type Route = (vendor: Vendor, params: string[], body: Record<string, unknown>, query: URLSearchParams) => unknown;

const ROUTES: Array<{ method: string; path: RegExp; status: number; run: Route }> = [
  { method: 'POST', path: /^\/accounts$/, status: 201, run: (v, _p, b) => v.createAccount(b) },
  { method: 'POST', path: /^\/trials$/, status: 202, run: (v, _p, b) => v.createTrial(b) },
  { method: 'POST', path: /^\/trials\/([^/]+)\/convert$/, status: 202, run: (v, p, b) => v.convertTrial(at(p, 0), b) },
  { method: 'POST', path: /^\/subscriptions$/, status: 202, run: (v, _p, b) => v.createSubscription(b) },
  {
    method: 'POST',
    path: /^\/subscriptions\/([^/]+)\/amend$/,
    status: 202,
    run: (v, p, b) => v.amendSubscription(at(p, 0), b),
  },
  {
    method: 'POST',
    path: /^\/subscriptions\/([^/]+)\/suspend$/,
    status: 202,
    run: (v, p, b) => v.suspendSubscription(at(p, 0), b),
  },
  { method: 'GET', path: /^\/accounts\/([^/]+)\/tenant-status$/, status: 200, run: (v, p) => v.tenantStatus(at(p, 0)) },
  { method: 'GET', path: /^\/errors$/, status: 200, run: (v, _p, _b, q) => v.errorsFor(q.get('requestId') ?? '') },
];

function at(params: string[], i: number): string {
  return decodeURIComponent(params[i] ?? '');
}

export interface RunningVendor {
  readonly vendor: Vendor;
  /** Changes when it listens again on another port; `listen()` keeps the port it had. */
  readonly url: string;
  readonly port: number;
  /** Stops listening (callers then meet "connection refused"); the vendor's state and pending work stay. */
  stopListening(): Promise<void>;
  /** Listens again, on the same port. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export async function startVendorApi(options: VendorOptions & { port?: number } = {}): Promise<RunningVendor> {
  const vendor = new Vendor(options);
  let statusReads = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://vendor');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const route = ROUTES.find((r) => r.method === req.method && r.path.test(url.pathname));
      if (!route) return send(404, { error: `No route ${req.method} ${url.pathname}` });
      if (route.path.source.includes('tenant-status') && options.statusFailureEvery) {
        if (++statusReads % options.statusFailureEvery === 0)
          return send(503, { error: 'Service temporarily unavailable' });
      }
      try {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body: unknown = raw === '' ? {} : JSON.parse(raw);
        if (body === null || typeof body !== 'object' || Array.isArray(body))
          throw new VendorRefusal(400, 'Expected a JSON object');
        const params = (route.path.exec(url.pathname) ?? []).slice(1);
        send(route.status, route.run(vendor, params, body as Record<string, unknown>, url.searchParams));
      } catch (e) {
        if (e instanceof VendorRefusal) send(e.status, { error: e.message });
        else if (e instanceof SyntaxError) send(400, { error: `Malformed JSON: ${e.message}` });
        else send(500, { error: e instanceof Error ? e.message : String(e) });
      }
    });
  };

  let server: http.Server | undefined;
  let port = options.port ?? 0;
  const listen = async (): Promise<void> => {
    const s = http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stopListening = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  };
  await listen();
  return {
    vendor,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    stopListening,
    listen,
    close: async () => {
      vendor.dispose();
      await stopListening();
    },
  };
}
