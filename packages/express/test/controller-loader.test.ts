/**
 * The default resource loader: like the APS PHP runtime, the endpoint reads the current state of a
 * resource from the controller, `GET {controller}/aps/2/resources/{id}`. The controller is the
 * configured `controllerUri` (the APS-Controller-URI header of an unauthenticated request is not
 * believed: see issue-15-controller-uri.test.ts). A tiny fake controller on 127.0.0.1 answers.
 */
import http from 'node:http';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { apsError, closedPort, send, startFakeController, type FakeController, type Json } from './fixtures/http';
import { recorder } from './fixtures/recorder';
import { Address, Plain, Widget, WIDGET_TYPE } from './fixtures/types';

const resources = new Map<string, { status: number; body?: unknown; raw?: string }>();
let controller: FakeController;
let running: RunningEndpoint;
const others: RunningEndpoint[] = [];

/** Another endpoint of the same services, calling the controller at `controllerUri`. */
async function endpointFor(controllerUri: string): Promise<RunningEndpoint> {
  const r = await createEndpoint({ services: { widgets: Widget, plains: Plain }, controllerUri }).listen();
  others.push(r);
  return r;
}

beforeAll(async () => {
  controller = await startFakeController((url) => {
    const match = /\/aps\/2\/resources\/([^/?]+)$/.exec(url);
    return (match && resources.get(decodeURIComponent(match[1]))) ?? { status: 404, body: { code: 404 } };
  });
  running = await createEndpoint({
    services: { widgets: Widget, plains: Plain },
    controllerUri: `${controller.url}/`,
  }).listen();
});

afterAll(async () => {
  await running.close();
  await Promise.all(others.map((r) => r.close()));
  await controller.close();
});

beforeEach(() => {
  recorder.reset();
  controller.requests.length = 0;
  resources.clear();
  resources.set('w1', {
    status: 200,
    body: { aps: { id: 'w1', type: WIDGET_TYPE }, name: 'from-controller', region: 'eu', address: { street: 'S 1' } },
  });
});

// What the platform sends; the header names the configured controller, as it does in production.
const from = (uri: string, extra: Record<string, string> = {}) => ({
  headers: { 'APS-Controller-URI': uri, 'APS-Transaction-ID': 'tx-load', ...extra },
});

describe('controllerResourceLoader (the default)', () => {
  it('GETs the resource from the controller, passing the transaction ID, and hydrates it', async () => {
    const reply = await send(running.url, 'GET', '/widgets/w1', from(`${controller.url}/`));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: 'from-controller', region: 'eu' });
    expect(controller.requests).toHaveLength(1);
    expect(controller.requests[0]).toMatchObject({ method: 'GET', url: '/aps/2/resources/w1' });
    expect(controller.requests[0].headers['aps-transaction-id']).toBe('tx-load');
    const self = recorder.last('retrieve').self as Widget;
    expect(self).toBeInstanceOf(Widget);
    expect(self.address).toBeInstanceOf(Address);
  });

  it('keeps the path of a controller URI, with or without its trailing slash', async () => {
    for (const uri of [`${controller.url}/base`, `${controller.url}/base/`]) {
      const endpoint = await endpointFor(uri);
      controller.requests.length = 0;
      await send(endpoint.url, 'GET', '/widgets/w1', from(uri));
      expect(controller.requests.map((r) => r.url)).toEqual(['/base/aps/2/resources/w1']);
    }
  });

  it('loads the current state for configure: a final property cannot change', async () => {
    const reply = await send(running.url, 'PUT', '/widgets/w1', { body: { region: 'us' }, ...from(controller.url) });
    expect(apsError(reply, 400)).toEqual([
      { field: 'region', message: 'is final: it cannot change once the resource exists' },
    ]);
    expect(recorder.count('configure')).toBe(0);
  });

  it('loads the state for unprovision, link and custom operations', async () => {
    recorder.on('unprovision', (self: Widget) => ({ removing: self.name }));
    const gone = await send(running.url, 'DELETE', '/widgets/w1', from(controller.url));
    expect(gone.body).toEqual({ removing: 'from-controller' });
    const item = await send(running.url, 'GET', '/widgets/w1/items/2', from(controller.url));
    expect(item.body).toEqual({ itemId: 2, expand: null, of: 'from-controller' });
    await send(running.url, 'POST', '/widgets/w1/gadgets', { body: { aps: { id: 'g' } }, ...from(controller.url) });
    expect((recorder.last('gadgetsLink').self as Widget).name).toBe('from-controller');
  });

  it('a resource the controller does not know (404) is {aps: {id, type}}', async () => {
    const reply = await send(running.url, 'GET', '/widgets/w404', from(controller.url));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ aps: { id: 'w404', type: WIDGET_TYPE } });
  });

  it('encodes the id into one path segment', async () => {
    resources.set('a/b c', { status: 200, body: { aps: { id: 'a/b c' }, name: 'odd' } });
    const reply = await send(running.url, 'GET', '/widgets/a%2Fb%20c', from(controller.url));
    expect(reply.body).toMatchObject({ name: 'odd' });
    expect(controller.requests.map((r) => r.url)).toEqual(['/aps/2/resources/a%2Fb%20c']);
  });

  it('an id of "." or ".." cannot climb out of /aps/2/resources/', async () => {
    resources.set('..', { status: 200, body: { aps: { id: '..' }, name: 'never' } });
    for (const segment of ['%2E%2E', '%2e.', '.%2E', '%2E']) {
      // fetch (and http.request with a URL) would normalise these away; a raw path is sent as it is.
      const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: running.port,
            path: `/widgets/${segment}`,
            headers: { 'APS-Controller-URI': controller.url },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({ aps: { id: decodeURIComponent(segment), type: WIDGET_TYPE } });
    }
    // Not /aps/2/ (the API root) nor /aps/2/resources/ (the collection).
    expect(controller.requests).toEqual([]);
  });

  it('a controllerUri (or APSKIT_CONTROLLER_URI) that is not an http(s) URL is refused when the endpoint is made', () => {
    for (const uri of ['not a url', 'file:///etc/passwd', 'data:text/plain,x', 'ftp://x/']) {
      expect(() => createEndpoint({ services: { widgets: Widget }, controllerUri: uri, logger: false })).toThrow(
        `createEndpoint: the controllerUri option must be an http:// or https:// URL, not "${uri}"`,
      );
    }
    const saved = process.env.APSKIT_CONTROLLER_URI;
    process.env.APSKIT_CONTROLLER_URI = 'controller.example:6308';
    try {
      expect(() => createEndpoint({ services: { widgets: Widget }, logger: false })).toThrow(
        'createEndpoint: APSKIT_CONTROLLER_URI must be an http:// or https:// URL, not "controller.example:6308"',
      );
    } finally {
      if (saved === undefined) delete process.env.APSKIT_CONTROLLER_URI;
      else process.env.APSKIT_CONTROLLER_URI = saved;
    }
  });

  it('APSKIT_CONTROLLER_URI configures the controller when the option is absent', async () => {
    const saved = process.env.APSKIT_CONTROLLER_URI;
    process.env.APSKIT_CONTROLLER_URI = controller.url;
    let endpoint: RunningEndpoint;
    try {
      endpoint = await createEndpoint({ services: { widgets: Widget }, logger: false }).listen();
    } finally {
      if (saved === undefined) delete process.env.APSKIT_CONTROLLER_URI;
      else process.env.APSKIT_CONTROLLER_URI = saved;
    }
    others.push(endpoint);
    const reply = await send(endpoint.url, 'GET', '/widgets/w1'); // no header at all
    expect(reply.body).toMatchObject({ name: 'from-controller' });
    expect(controller.requests.map((r) => r.url)).toEqual(['/aps/2/resources/w1']);
  });

  it('a controller error answers 502 with the APS error body, calling nothing', async () => {
    resources.set('w500', { status: 500, body: { code: 500, message: 'db down' } });
    const reply = await send(running.url, 'GET', '/widgets/w500', from(controller.url));
    apsError(reply, 502, 'BadGateway');
    expect(reply.body?.message).toMatch(/HTTP 500/);
    expect(recorder.calls).toEqual([]);
  });

  it('a controller that answers something other than a JSON resource is a bad gateway too', async () => {
    resources.set('wbad', { status: 200, raw: '<html>proxy error</html>' });
    resources.set('wlist', { status: 200, body: [{ aps: { id: 'wlist' } }] });
    for (const id of ['wbad', 'wlist']) {
      const reply = await send(running.url, 'GET', `/widgets/${id}`, from(controller.url));
      apsError(reply, 502, 'BadGateway');
      expect(reply.body?.message).toMatch(new RegExp(`Cannot load resource ${id}`));
    }
    expect(recorder.calls).toEqual([]);
  });

  it('an unreachable controller answers 502 with the APS error body, calling nothing', async () => {
    const port = await closedPort();
    const endpoint = await endpointFor(`http://127.0.0.1:${port}/`);
    const reply = await send(endpoint.url, 'GET', '/widgets/w1', from(`http://127.0.0.1:${port}/`));
    apsError(reply, 502, 'BadGateway');
    expect(reply.body?.message).toMatch(/^Cannot load resource w1 from the controller: unreachable/);
    const configured = await send(endpoint.url, 'PUT', '/widgets/w1', {
      body: { name: 'x' },
      ...from(`http://127.0.0.1:${port}/`),
    });
    apsError(configured, 502, 'BadGateway');
    expect(recorder.calls).toEqual([]);
  });

  it('without a configured controller nor an authenticated caller nothing is fetched: the resource is {aps: {id, type}}', async () => {
    const endpoint = await createEndpoint({ services: { widgets: Widget }, logger: false }).listen();
    others.push(endpoint);
    for (const headers of [{}, from(controller.url).headers]) {
      const reply = await send(endpoint.url, 'GET', '/widgets/w1', { headers });
      expect(reply.body).toEqual({ aps: { id: 'w1', type: WIDGET_TYPE } });
    }
    expect(controller.requests).toEqual([]);
  });

  it('provision needs no current state: nothing is fetched', async () => {
    const body: Json = { aps: { id: 'w8', type: WIDGET_TYPE }, name: 'new' };
    const reply = await send(running.url, 'POST', '/widgets/', { body, ...from(controller.url) });
    expect(reply.status).toBe(200);
    expect(controller.requests).toEqual([]);
  });
});
