/**
 * Issue 15, finding #2: no caller may steer the endpoint elsewhere. The endpoint used to fetch
 * whatever APS-Controller-URI named (the resource loader, controllerClient()), following redirects:
 * an anonymous caller read internal services through it and scanned ports. Now the controller comes
 * from configuration, the header is believed only from an authenticated caller, redirects are never
 * followed, and the controller's failures are summarized. A listening socket on 127.0.0.1 stands for
 * an internal service: it must see no connection at all.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import pino from 'pino';
import { ApsType, CoreTypes, Operation, Param, Property } from '@apskit/core';
import { controllerClient, createEndpoint, type RunningEndpoint } from '@apskit/express';
import { closedPort, send, startFakeController, type Reply } from './fixtures/http';

const PROBE = 'http://apskit.test/probe/1.0';

@ApsType({ name: 'probe', id: PROBE, implements: [CoreTypes.resource] })
class Probe {
  @Property()
  name?: string;

  @Operation({ verb: 'GET', path: '/echo' })
  echo(): unknown {
    return { name: this.name ?? null };
  }

  /** Reads a resource through the controller client, as apps do (static: no resource is loaded first). */
  @Operation({ verb: 'GET', path: '/via-client', static: true })
  static async viaClient(@Param('which', { kind: 'query', type: 'string' }) which?: string): Promise<unknown> {
    return controllerClient().getResource(which ?? 'r1');
  }
}

const services = { probes: Probe };

/** A socket that counts connections: an internal service the endpoint must never reach. */
interface Internal {
  readonly port: number;
  connections: number;
  close(): Promise<void>;
}

async function internalService(): Promise<Internal> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.end(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n{"secret":"internal"}\n',
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    set connections(n: number) {
      state.connections = n;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const closers: Array<() => Promise<void>> = [];
let savedEnv: string | undefined;

beforeAll(() => {
  // The tests decide the configuration; a developer's environment must not.
  savedEnv = process.env.APSKIT_CONTROLLER_URI;
  delete process.env.APSKIT_CONTROLLER_URI;
});

afterAll(async () => {
  if (savedEnv !== undefined) process.env.APSKIT_CONTROLLER_URI = savedEnv;
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve(controllerUri?: string): Promise<RunningEndpoint> {
  const running = await createEndpoint({ services, logger: false, controllerUri }).listen();
  closers.push(() => running.close());
  return running;
}

/** Every operation that reads state or calls the controller, with the header naming `uri`. */
async function everyOperation(base: string, uri: string): Promise<Array<[string, number, unknown]>> {
  const headers = { 'APS-Controller-URI': uri, 'APS-Transaction-ID': 'tx-probe' };
  const requests: Array<[string, string, unknown?]> = [
    ['GET', '/probes/r1'],
    ['PUT', '/probes/r1', { name: 'n' }],
    ['DELETE', '/probes/r1'],
    ['POST', '/probes/r1/upgrade'],
    ['GET', '/probes/r1/echo'],
    ['GET', '/probes/via-client'],
  ];
  const answers: Array<[string, number, unknown]> = [];
  for (const [method, path, body] of requests) {
    const reply: Reply = await send(base, method, path, { headers, body });
    answers.push([`${method} ${path}`, reply.status, reply.body]);
  }
  return answers;
}

describe('issue 15 #2: an unauthenticated APS-Controller-URI', () => {
  it('issue 15 #2: is never fetched (retrieve, configure, unprovision, upgrade, a custom operation, controllerClient), and an open port answers exactly like a closed one', async () => {
    const internal = await internalService();
    closers.push(() => internal.close());
    const closed = await closedPort();
    const endpoint = await serve();

    const open = await everyOperation(endpoint.url, `http://127.0.0.1:${internal.port}/`);
    const shut = await everyOperation(endpoint.url, `http://127.0.0.1:${closed}/`);
    const odd = await everyOperation(endpoint.url, `http://127.0.0.1:${internal.port}/aps/2/resources/../../../`);

    expect(internal.connections).toBe(0);
    expect(open).toEqual(shut); // nothing tells the caller whether the port is open
    expect(odd).toEqual(shut);
    expect(open).toEqual([
      ['GET /probes/r1', 200, { aps: { id: 'r1', type: PROBE } }],
      ['PUT /probes/r1', 200, { aps: { id: 'r1', type: PROBE }, name: 'n' }],
      ['DELETE /probes/r1', 204, undefined],
      ['POST /probes/r1/upgrade', 204, undefined],
      ['GET /probes/r1/echo', 200, { name: null }],
      [
        'GET /probes/via-client',
        500,
        {
          code: 500,
          error: 'Exception',
          message: expect.stringContaining('configure the endpoint with `controllerUri` (or APSKIT_CONTROLLER_URI)'),
        },
      ],
    ]);
  });

  it('issue 15 #2: an ignored header is logged at warn once (so a deployment learns it needs controllerUri), then at debug', async () => {
    const lines: Array<{ level: number; msg: string; controllerUri?: string }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const endpoint = await createEndpoint({ services, logger }).listen({ processGuard: false });
    closers.push(() => endpoint.close());
    for (let i = 0; i < 3; i++) {
      await send(endpoint.url, 'GET', '/probes/r1', { headers: { 'APS-Controller-URI': `http://10.0.0.1:${i}/` } });
    }
    const ignored = lines.filter((l) => l.msg.startsWith('APS-Controller-URI ignored'));
    expect(ignored.map((l) => [l.level, l.controllerUri])).toEqual([
      [40, 'http://10.0.0.1:0/'],
      [20, 'http://10.0.0.1:1/'],
      [20, 'http://10.0.0.1:2/'],
    ]);
    expect(ignored[0]?.msg).toMatch(/configure controllerUri or APSKIT_CONTROLLER_URI/);
  });

  it('issue 15 #2: file:, data: and non-URL values are ignored the same way', async () => {
    const endpoint = await serve();
    for (const uri of ['file:///etc/passwd', 'data:application/json,{"name":"forged"}', 'not a url', 'ftp://x/']) {
      const reply = await send(endpoint.url, 'GET', '/probes/r1', { headers: { 'APS-Controller-URI': uri } });
      expect([uri, reply.status, reply.body]).toEqual([uri, 200, { aps: { id: 'r1', type: PROBE } }]);
    }
  });

  it('issue 15 #2: a configured controllerUri wins over the header: the configured controller is called, the named socket is not', async () => {
    const internal = await internalService();
    closers.push(() => internal.close());
    const controller = await startFakeController((url) =>
      url === '/aps/2/resources/r1'
        ? { status: 200, body: { aps: { id: 'r1', type: PROBE }, name: 'from the configured controller' } }
        : { status: 404, body: { code: 404, error: 'NotFound', message: 'no' } },
    );
    closers.push(() => controller.close());
    const endpoint = await serve(controller.url);
    const forged = { 'APS-Controller-URI': `http://127.0.0.1:${internal.port}/` };

    const read = await send(endpoint.url, 'GET', '/probes/r1/echo', { headers: forged });
    expect(read.body).toEqual({ name: 'from the configured controller' });
    const viaClient = await send(endpoint.url, 'GET', '/probes/via-client', { headers: forged });
    expect(viaClient.body).toMatchObject({ name: 'from the configured controller' });
    expect(controller.requests.map((r) => r.url)).toEqual(['/aps/2/resources/r1', '/aps/2/resources/r1']);
    expect(internal.connections).toBe(0);
  });
});

describe('issue 15 #2: the trusted controller', () => {
  it('issue 15 #2: a redirect from the configured controller is not followed, by the loader nor by controllerClient', async () => {
    const target = await internalService();
    closers.push(() => target.close());
    const redirecting = http.createServer((req, res) => {
      res.statusCode = 302;
      res.setHeader('Location', `http://127.0.0.1:${target.port}${req.url ?? '/'}`);
      res.end();
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          redirecting.closeAllConnections();
          redirecting.close(() => r());
        }),
    );
    const endpoint = await serve(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/`);

    const loaded = await send(endpoint.url, 'GET', '/probes/r1');
    expect(loaded.status).toBe(502);
    expect(loaded.body).toEqual({
      code: 502,
      error: 'BadGateway',
      message: 'Cannot load resource r1 from the controller: it answered with a redirect, which is not followed',
    });
    const viaClient = await send(endpoint.url, 'GET', '/probes/via-client');
    expect(viaClient.body).toEqual({
      code: 502,
      error: 'BadGateway',
      message:
        'The controller did not answer GET /aps/2/resources/r1: it answered with a redirect, which is not followed',
    });
    expect(target.connections).toBe(0);
  });

  it("issue 15 #2: the controller's failures are summarized: a non-APS body is never passed on, an APS error keeps its status and name with a bounded message", async () => {
    const controller = await startFakeController((url) => {
      if (url.endsWith('/html')) return { status: 500, raw: '<html>internal admin page: secret=42</html>' };
      if (url.endsWith('/long'))
        return { status: 404, body: { code: 404, error: 'NotFound', message: `gone ${'x'.repeat(5000)}\nline 2` } };
      if (url.endsWith('/odd-name')) return { status: 409, body: { code: 409, error: '<script>', message: 'busy' } };
      return { status: 404, body: { code: 404, error: 'NotFound', message: 'no' } };
    });
    closers.push(() => controller.close());
    const endpoint = await serve(controller.url);

    const html = await send(endpoint.url, 'GET', '/probes/via-client?which=html');
    expect(html.status).toBe(500);
    expect(html.body).toEqual({
      code: 500,
      error: 'ControllerError',
      message: 'The controller answered HTTP 500 to GET /aps/2/resources/html',
    });

    const long = await send(endpoint.url, 'GET', '/probes/via-client?which=long');
    expect(long.status).toBe(404);
    expect(long.body?.error).toBe('NotFound');
    const message = long.body?.message as string;
    expect(message.startsWith('gone xxx')).toBe(true);
    expect(message.length).toBeLessThanOrEqual(501);
    expect(message).not.toContain('line 2');

    const oddName = await send(endpoint.url, 'GET', '/probes/via-client?which=odd-name');
    expect(oddName.status).toBe(409);
    expect(oddName.body?.error).toBe('ControllerError');
    expect(oddName.body?.message).toBe('The controller answered HTTP 409 to GET /aps/2/resources/odd-name');
  });

  it('issue 15 #2: an in-process dispatch() is the embedded controller: its header is believed, unless the adapter says it is not trusted', async () => {
    const controller = await startFakeController(() => ({
      status: 200,
      body: { aps: { id: 'r1', type: PROBE }, name: 'in process' },
    }));
    closers.push(() => controller.close());
    const endpoint = createEndpoint({ services, logger: false });
    const call = (trusted?: boolean) =>
      endpoint.dispatch({
        method: 'GET',
        path: '/probes/r1/echo',
        headers: { 'aps-controller-uri': controller.url },
        query: {},
        body: undefined,
        ...(trusted === undefined ? {} : { trusted }),
      });
    expect((await call()).body).toEqual({ name: 'in process' });
    expect(controller.requests).toHaveLength(1);
    expect((await call(false)).body).toEqual({ name: null });
    expect(controller.requests).toHaveLength(1);
    // Even a trusted header is fetched only as http(s).
    const file = await endpoint.dispatch({
      method: 'GET',
      path: '/probes/r1',
      headers: { 'aps-controller-uri': 'file:///etc/passwd' },
      query: {},
      body: undefined,
    });
    expect(file.status).toBe(400);
    expect(file.body).toEqual({
      code: 400,
      error: 'BadRequest',
      message: 'APS-Controller-URI is not an http(s) URL: file:///etc/passwd',
    });
  });
});
