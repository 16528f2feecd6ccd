/**
 * Every way a request can fail, over HTTP: validation (400 with every offending field named by its
 * path), malformed and non-object bodies, too-large bodies, errors the app throws, the async phase
 * of a type that cannot answer it, and unknown routes. Where a request is refused before the app,
 * the app's method must not have been called.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { ApsError, ConflictError, NotFoundError } from '@apskit/core';
import { apsError, fieldsOf, send, type Json } from './fixtures/http';
import { recorder } from './fixtures/recorder';
import { Plain, PLAIN_TYPE, Widget, WIDGET_TYPE } from './fixtures/types';

const store = new Map<string, Json>();
let running: RunningEndpoint;
let small: RunningEndpoint;

beforeAll(async () => {
  const services = { widgets: Widget, plains: Plain };
  running = await createEndpoint({ services, loadResource: async ({ id }) => store.get(id) }).listen();
  small = await createEndpoint({ services, bodyLimit: 256 }).listen();
});

afterAll(async () => {
  await running.close();
  await small.close();
});

beforeEach(() => {
  recorder.reset();
  store.clear();
  store.set('w1', { aps: { id: 'w1', type: WIDGET_TYPE }, name: 'first', region: 'eu', status: 'ready' });
  store.set('p1', { aps: { id: 'p1', type: PLAIN_TYPE }, title: 'old', region: 'eu' });
});

const aps = { id: 'w2', type: WIDGET_TYPE };
const provision = (body: unknown) => send(running.url, 'POST', '/widgets/', { body });
const configure = (body: unknown) => send(running.url, 'PUT', '/widgets/w1', { body });

describe('validation of a resource to provision (400, nothing called)', () => {
  afterEach(() => expect(recorder.count('provision')).toBe(0));

  it('names every property of the wrong type, nested ones by path', async () => {
    const reply = await provision({
      aps,
      name: 5,
      size: 'big',
      enabled: 'yes',
      weight: '3',
      address: { street: 7 },
      limits: [{ resourceId: 'ok' }, { resourceId: 3, limit: 1.5 }],
      gadgets: 'not-a-list',
    });
    const issues = apsError(reply, 400, 'BadRequest');
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'must be a string' },
        { field: 'size', message: 'must be an integer' },
        { field: 'enabled', message: 'must be a boolean' },
        { field: 'weight', message: 'must be a number' },
        { field: 'address.street', message: 'must be a string' },
        { field: 'limits[1].resourceId', message: 'must be a string' },
        { field: 'limits[1].limit', message: 'must be an integer' },
      ]),
    );
    expect(fieldsOf(issues)).toEqual(
      [
        'address.street',
        'enabled',
        'gadgets',
        'limits[1].limit',
        'limits[1].resourceId',
        'name',
        'size',
        'weight',
      ].sort(),
    );
    // The message says it too, for a person reading the task log.
    expect(reply.body?.message).toContain('limits[1].resourceId');
  });

  it('names every missing required property, nested ones by path', async () => {
    const reply = await provision({ aps, address: { zip: '12345' }, limits: [{ limit: 1 }] });
    const issues = apsError(reply, 400);
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'is required' },
        { field: 'address.street', message: 'is required' },
        { field: 'limits[0].resourceId', message: 'is required' },
      ]),
    );
    expect(fieldsOf(issues)).toEqual(['address.street', 'limits[0].resourceId', 'name']);
  });

  it('refuses properties the type does not declare, at every level', async () => {
    const reply = await provision({
      aps,
      name: 'x',
      colour: 'red',
      address: { street: 'a', city: 'b' },
      limits: [{ resourceId: 'r', max: 1 }],
    });
    const issues = apsError(reply, 400);
    expect(issues).toHaveLength(3);
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'colour', message: 'is not a declared property' },
        { field: 'address.city', message: 'is not a declared property' },
        { field: 'limits[0].max', message: 'is not a declared property' },
      ]),
    );
  });

  it('checks enum, pattern, format, minimum and maximum', async () => {
    const reply = await provision({
      aps,
      name: 'x',
      color: 'purple',
      slug: 'Not A Slug',
      email: 'not-an-email',
      size: 0,
      address: { street: 'a', zip: '123' },
    });
    const issues = apsError(reply, 400);
    expect(fieldsOf(issues)).toEqual(['address.zip', 'color', 'email', 'size', 'slug']);
    const byField = Object.fromEntries(issues.map((i) => [i.field, i.message]));
    expect(byField.color).toMatch(/^must be one of "red", "green", "blue"/);
    expect(byField.email).toBe('must be a valid email');
    expect(byField.size).toMatch(/>= 1/);
    expect(byField.slug).toMatch(/pattern/);

    const tooBig = apsError(await provision({ aps, name: 'x', size: 101 }), 400);
    expect(tooBig).toEqual([{ field: 'size', message: expect.stringMatching(/<= 100/) }]);
  });

  it('refuses a read-only property set by the caller', async () => {
    const issues = apsError(await provision({ aps, name: 'x', status: 'ready' }), 400);
    expect(issues).toEqual([{ field: 'status', message: 'is read-only: only the application sets it' }]);
  });

  it('runs a class-validator rule the schema cannot say (@IsPositive)', async () => {
    const issues = apsError(await provision({ aps, name: 'x', weight: -2 }), 400);
    expect(issues).toEqual([{ field: 'weight', message: 'must be a positive number' }]);
  });

  it('runs a custom @Validate constraint', async () => {
    const issues = apsError(await provision({ aps, name: 'x', evenCount: 3 }), 400);
    expect(issues).toEqual([{ field: 'evenCount', message: 'must be an even number' }]);
  });

  it('runs class-validator rules of structures inside the resource', async () => {
    const reply = await provision({
      aps,
      name: 'x',
      limits: [
        { resourceId: 'a', limit: 2 },
        { resourceId: 'b', limit: -1 },
      ],
    });
    expect(apsError(reply, 400)).toEqual([{ field: 'limits[1].limit', message: 'must be a positive number' }]);
  });

  it('lists schema and class-validator failures together, once per field', async () => {
    const reply = await provision({
      aps,
      name: 'x',
      size: 'big',
      weight: -1,
      evenCount: 1,
      status: 'ready',
      limits: [{ resourceId: 3, limit: -1 }],
    });
    expect(fieldsOf(apsError(reply, 400))).toEqual([
      'evenCount',
      'limits[0].limit',
      'limits[0].resourceId',
      'size',
      'status',
      'weight',
    ]);
    // A value of the wrong type is named once, by the schema, not again by its class-validator rule.
    const wrongType = apsError(await provision({ aps, name: 'x', weight: 'heavy' }), 400);
    expect(wrongType).toEqual([{ field: 'weight', message: 'must be a number' }]);
  });

  it('accepts optional properties left out or sent as null', async () => {
    recorder.on('provision', () => ({ ok: true }));
    const reply = await provision({ aps, name: 'x', weight: null, evenCount: null, address: null, limits: null });
    expect(reply.status).toBe(200);
    expect(recorder.count('provision')).toBe(1);
    recorder.reset(); // for the afterEach check
  });
});

describe('validation of a new state to configure (400, nothing called)', () => {
  afterEach(() => expect(recorder.count('configure')).toBe(0));

  it('names every invalid property; required ones may be left out', async () => {
    const issues = apsError(await configure({ size: 'x', color: 'pink', extra: 'not-an-object', bogus: 1 }), 400);
    expect(fieldsOf(issues)).toEqual(['bogus', 'color', 'extra', 'size']);
  });

  it('refuses a change of a final property, naming it', async () => {
    const issues = apsError(await configure({ region: 'us' }), 400);
    expect(issues).toEqual([{ field: 'region', message: 'is final: it cannot change once the resource exists' }]);
  });

  it('refuses a change of a read-only property', async () => {
    const issues = apsError(await configure({ status: 'broken' }), 400);
    expect(issues).toEqual([{ field: 'status', message: 'is read-only: only the application sets it' }]);
  });

  it('refuses a change of a final property of a type without configure()', async () => {
    const reply = await send(running.url, 'PUT', '/plains/p1', { body: { region: 'us' } });
    expect(apsError(reply, 400)).toEqual([
      { field: 'region', message: 'is final: it cannot change once the resource exists' },
    ]);
  });

  it('runs class-validator rules on the new state', async () => {
    expect(apsError(await configure({ weight: 0 }), 400)).toEqual([
      { field: 'weight', message: 'must be a positive number' },
    ]);
  });

  it('accepts a final property sent unchanged', async () => {
    recorder.on('configure', () => ({ ok: true }));
    const reply = await configure({ region: 'eu', name: 'again' });
    expect(reply.status).toBe(200);
    expect(recorder.count('configure')).toBe(1);
    recorder.reset();
  });
});

describe('validation of custom operation parameters (400, nothing called)', () => {
  afterEach(() => expect(recorder.calls).toEqual([]));

  it('a path parameter not of its type', async () => {
    const issues = apsError(await send(running.url, 'GET', '/widgets/w1/items/abc'), 400);
    expect(issues).toEqual([{ field: 'itemId', message: 'must be an integer' }]);
  });

  it('a query parameter not of its type', async () => {
    const issues = apsError(await send(running.url, 'GET', '/widgets/w1/items/1?expand=maybe'), 400);
    expect(issues).toEqual([{ field: 'expand', message: 'must be a boolean' }]);
  });

  it('a required query parameter left out', async () => {
    expect(apsError(await send(running.url, 'PUT', '/widgets/w1/rename'), 400)).toEqual([
      { field: 'to', message: 'is required' },
    ]);
    expect(apsError(await send(running.url, 'GET', '/widgets/search?limit=x'), 400)).toEqual([
      { field: 'q', message: 'is required' },
      { field: 'limit', message: 'must be an integer' },
    ]);
  });

  it('a required body left out', async () => {
    const issues = apsError(await send(running.url, 'POST', '/widgets/w1/resize'), 400);
    expect(issues).toEqual([{ field: 'request', message: 'is required' }]);
  });

  it('a body structure with every problem named under the parameter', async () => {
    const reply = await send(running.url, 'POST', '/widgets/w1/resize', { body: { size: 0, factor: 'x', more: 1 } });
    expect(fieldsOf(apsError(reply, 400))).toEqual(['request.factor', 'request.more', 'request.size']);
  });

  it('a class-validator rule of the body structure', async () => {
    const reply = await send(running.url, 'POST', '/widgets/w1/resize', { body: { size: 2, factor: -1 } });
    expect(apsError(reply, 400)).toEqual([{ field: 'request.factor', message: 'must be a positive number' }]);
  });

  it('items of an array body, by index', async () => {
    const schema = await send(running.url, 'POST', '/widgets/bulk', { body: [{ resourceId: 'a' }, { limit: 1 }] });
    expect(apsError(schema, 400)).toEqual([{ field: 'limits[1].resourceId', message: 'is required' }]);
    const rules = await send(running.url, 'POST', '/widgets/bulk', {
      body: [{ resourceId: 'a' }, { resourceId: 'b', limit: -2 }],
    });
    expect(apsError(rules, 400)).toEqual([{ field: 'limits[1].limit', message: 'must be a positive number' }]);
  });
});

describe('bodies that are not a JSON object', () => {
  afterEach(() => expect(recorder.calls).toEqual([]));

  it('malformed JSON answers 400 with the APS error body', async () => {
    const reply = await send(running.url, 'POST', '/widgets/', { raw: '{"name": "x",' });
    apsError(reply, 400, 'BadRequest');
    expect(reply.body?.message).toMatch(/^Malformed JSON body/);
  });

  it('a JSON array, a JSON string or null answers 400', async () => {
    for (const raw of ['[1, 2]', '"text"', 'null', '42']) {
      apsError(await send(running.url, 'POST', '/widgets/', { raw }), 400, 'BadRequest');
      apsError(await send(running.url, 'PUT', '/widgets/w1', { raw }), 400, 'BadRequest');
      apsError(await send(running.url, 'POST', '/widgets/w1/gadgets', { raw }), 400, 'BadRequest');
    }
  });

  it('no body, or a body that is not JSON, answers 400', async () => {
    const none = await send(running.url, 'POST', '/widgets/');
    expect(none.body?.message).toMatch(/JSON object/);
    apsError(none, 400);
    const text = await send(running.url, 'POST', '/widgets/', { raw: 'name=x', contentType: 'text/plain' });
    apsError(text, 400);
  });

  it('a body over bodyLimit answers 413 with the APS error body', async () => {
    const reply = await send(small.url, 'POST', '/widgets/', { body: { aps, name: 'x'.repeat(1000) } });
    apsError(reply, 413, 'PayloadTooLarge');
    expect(reply.body?.message).toContain('256');
    // Just under the limit is fine.
    const fits = await send(small.url, 'POST', '/widgets/', { body: { aps, name: 'x'.repeat(100) } });
    expect(fits.status).toBe(200);
    recorder.reset();
  });
});

describe('errors the app throws', () => {
  it('an ApsError subclass answers its status and body: NotFoundError is 404', async () => {
    recorder.on('retrieve', () => {
      throw new NotFoundError('No widget w1 in the store');
    });
    const reply = await send(running.url, 'GET', '/widgets/w1');
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ code: 404, error: 'NotFound', message: 'No widget w1 in the store' });
  });

  it('ConflictError is 409, with its details', async () => {
    recorder.on('configure', async () => {
      await new Promise((r) => setTimeout(r, 1));
      throw new ConflictError('The widget is busy', { task: 't-7' });
    });
    const reply = await configure({ name: 'y' });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({
      code: 409,
      error: 'Conflict',
      message: 'The widget is busy',
      details: { task: 't-7' },
    });
  });

  it('any ApsError status and name pass through', async () => {
    recorder.on('unprovision', () => {
      throw new ApsError(423, 'Locked', 'The widget is locked');
    });
    const reply = await send(running.url, 'DELETE', '/widgets/w1');
    expect(reply.status).toBe(423);
    expect(reply.body).toEqual({ code: 423, error: 'Locked', message: 'The widget is locked' });
  });

  it('any other exception answers 500 with its message, as the PHP runtime does, but never the stack', async () => {
    const throwers: Array<[() => unknown, string]> = [
      [
        () => {
          throw new Error('disk full\n    at secret (/srv/app/internal.ts:12:3)');
        },
        'disk full',
      ],
      [() => Promise.reject(new TypeError('bad state')), 'bad state'],
      [
        () => {
          throw 'a thrown string';
        },
        'Internal error: the application failed to handle the request',
      ],
    ];
    for (const [thrower, message] of throwers) {
      recorder.on('provision', thrower);
      const reply = await provision({ aps, name: 'x' });
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({ code: 500, error: 'Exception', message });
      expect(reply.text).not.toMatch(/\bat \S+ \(|\.ts:\d+|node:internal|TypeError|a thrown string/);
    }
  });

  it('with exposeErrorMessages off, a 500 says only "Internal error"', async () => {
    const secret = 'connection string postgres://admin:hunter2@db';
    const quiet = await createEndpoint({
      services: { widgets: Widget },
      logger: false,
      exposeErrorMessages: false,
    }).listen();
    try {
      recorder.on('provision', () => {
        throw new Error(secret);
      });
      const reply = await send(quiet.url, 'POST', '/widgets/', { body: { aps, name: 'x' } });
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({
        code: 500,
        error: 'Exception',
        message: 'Internal error: the application failed to handle the request',
      });
      expect(reply.text).not.toContain('hunter2');
    } finally {
      await quiet.close();
    }
  });
});

describe('the async phase of a type without the …Async method', () => {
  const async = { 'APS-Request-Phase': 'async' };

  it('answers 501 naming the missing method, for provision, configure and unprovision', async () => {
    const provisioned = await send(running.url, 'POST', '/plains/', {
      body: { aps: { id: 'p2', type: PLAIN_TYPE } },
      headers: async,
    });
    apsError(provisioned, 501, 'NotImplemented');
    expect(provisioned.body?.message).toMatch(/plain has no provisionAsync\(\)/);

    const configured = await send(running.url, 'PUT', '/plains/p1', { body: { title: 'x' }, headers: async });
    apsError(configured, 501);
    expect(configured.body?.message).toMatch(/configureAsync\(\)/);

    const unprovisioned = await send(running.url, 'DELETE', '/plains/p1', { headers: async });
    apsError(unprovisioned, 501);
    expect(unprovisioned.body?.message).toMatch(/unprovisionAsync\(\)/);
  });
});

describe('unknown routes', () => {
  afterEach(() => expect(recorder.calls).toEqual([]));

  it('a path under a known service that names no operation answers 404 with the APS body', async () => {
    for (const [method, path] of [
      ['GET', '/widgets/w1/nothing/here/at/all'],
      ['DELETE', '/widgets/w1/items/1/more'],
      ['POST', '/widgets/w1/gadgets/g1/extra'],
    ]) {
      const reply = await send(running.url, method, path, { body: method === 'GET' ? undefined : {} });
      apsError(reply, 404, 'NotFound');
      expect(reply.body?.message).toContain(path);
    }
  });

  it('a verb the path does not serve answers an APS error, never a route of another verb', async () => {
    for (const [method, path] of [
      ['PATCH', '/widgets/w1'],
      ['PUT', '/widgets/w1/items/1'],
      ['GET', '/widgets/w1/gadgets'],
    ]) {
      const reply = await send(running.url, method, path, { body: method === 'GET' ? undefined : {} });
      expect([404, 405]).toContain(reply.status);
      apsError(reply, reply.status);
      if (reply.status === 405) expect(reply.headers.get('allow')).toBeTruthy();
    }
  });

  it('an unknown relation answers 404 for link and unlink', async () => {
    const link = await send(running.url, 'POST', '/widgets/w1/nope', { body: { aps: { id: 'x' } } });
    apsError(link, 404, 'NotFound');
    expect(link.body?.message).toMatch(/"nope"/);
    apsError(await send(running.url, 'DELETE', '/widgets/w1/nope/x'), 404, 'NotFound');
    // A static operation's path is not an instance operation, nor a relation.
    const staticPath = await send(running.url, 'POST', '/widgets/w1/search', { body: {} });
    apsError(staticPath, 404, 'NotFound');
    expect(staticPath.body?.message).toMatch(/"search"/);
  });

  it('paths outside the services are left to the app the router is mounted in', async () => {
    const app = express();
    app.get('/health', (_req, res) => {
      res.json({ ok: true });
    });
    app.use('/aps', createEndpoint({ services: { widgets: Widget }, loadResource: async () => undefined }));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await send(base, 'GET', '/health')).body).toEqual({ ok: true });
      expect((await send(base, 'GET', '/aps/widgets/w5')).body).toEqual({ aps: { id: 'w5', type: WIDGET_TYPE } });
      expect((await send(base, 'GET', '/aps/other/x')).status).toBe(404);
      recorder.reset();
    } finally {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
    }
  });
});
