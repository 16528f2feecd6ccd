/**
 * The endpoint serves its OpenAPI document over HTTP, at `/openapi.json` or where `openapi.path`
 * says, and not at all with `openapi: false`; the APS routes are unchanged beside it.
 */
import { toOpenApi } from '@apskit/core';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { Globals, services, validateOpenApi } from '@apskit/test-support';
import { send } from './fixtures/http';

const running: RunningEndpoint[] = [];

async function serve(options: Omit<Parameters<typeof createEndpoint>[0], 'services'> = {}): Promise<RunningEndpoint> {
  const endpoint = await createEndpoint({ services, logger: false, ...options }).listen({ host: '127.0.0.1' });
  running.push(endpoint);
  return endpoint;
}

afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

describe('GET /openapi.json', () => {
  it('answers the endpoint’s OpenAPI document, valid OpenAPI 3.1', async () => {
    const endpoint = await serve();
    const reply = await send(endpoint.url, 'GET', '/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('application/json');
    const model = createEndpoint({ services, logger: false }).model;
    expect(reply.body).toEqual(JSON.parse(JSON.stringify(toOpenApi(model, { services }))));
    expect(Object.keys(reply.body?.paths as object)).toContain('/provisionables/{id}');
    expect(validateOpenApi(reply.body)).toMatchObject({ valid: true, refs: 'resolved' });
  });

  it('keeps serving the APS routes beside it', async () => {
    const endpoint = await serve();
    const reply = await send(endpoint.url, 'POST', '/provisionables/', {
      body: { aps: { id: 'p1', type: 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0' } },
    });
    expect(reply.status).toBe(202);
    expect((await send(endpoint.url, 'GET', '/globals/g1')).status).toBe(200);
  });

  it('answers HEAD, and leaves other methods to the app', async () => {
    const endpoint = await serve();
    const head = await fetch(`${endpoint.url}/openapi.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await send(endpoint.url, 'POST', '/openapi.json', { body: {} })).status).toBe(404);
  });

  it('moves to `openapi.path`', async () => {
    const endpoint = await serve({ openapi: { path: '/docs/api.json' } });
    const reply = await send(endpoint.url, 'GET', '/docs/api.json');
    expect(reply.status).toBe(200);
    expect(reply.body?.openapi).toBe('3.1.0');
    expect((await send(endpoint.url, 'GET', '/openapi.json')).status).toBe(404);
  });

  it('is off with `openapi: false`', async () => {
    const endpoint = await serve({ openapi: false });
    expect((await send(endpoint.url, 'GET', '/openapi.json')).status).toBe(404);
  });

  it('refuses a path that does not start with /', () => {
    expect(() => createEndpoint({ services, logger: false, openapi: { path: 'openapi.json' } })).toThrow(
      'openapi.path "openapi.json" must start with "/"',
    );
  });

  it('asks for the pinned client certificate when the endpoint does', async () => {
    const endpoint = await serve({ clientCertificate: { pinned: 'AB'.repeat(32) } });
    const reply = await send(endpoint.url, 'GET', '/openapi.json');
    expect(reply.status).toBe(401);
    expect(reply.body?.error).toBe('Unauthorized');
  });

  it('leaves the path to a service that owns it', async () => {
    const endpoint = await createEndpoint({
      services: { 'openapi.json': Globals },
      logger: false,
    }).listen({ host: '127.0.0.1' });
    running.push(endpoint);
    const reply = await send(endpoint.url, 'GET', '/openapi.json');
    expect(reply.body?.openapi).toBeUndefined();
    expect(reply.body?.code).toBe(reply.status);
  });
});
