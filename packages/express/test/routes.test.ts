/**
 * Every route of the APS endpoint protocol, over HTTP: provision, retrieve, configure, unprovision,
 * link, unlink, upgrade, custom operations (instance and static), and the async phase.
 */
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { Accepted } from '@apskit/core';
import { send, type Json } from './fixtures/http';
import { recorder } from './fixtures/recorder';
import { Address, Limit, Plain, PLAIN_TYPE, ResizeRequest, Widget, WIDGET_TYPE, Gadget } from './fixtures/types';

/** What the app's store holds: loadResource reads it. */
const store = new Map<string, Json>();
const loads: string[] = [];

let withStore: RunningEndpoint;
let withoutStore: RunningEndpoint;

beforeAll(async () => {
  withStore = await createEndpoint({
    services: { widgets: Widget, plains: Plain, gadgets: Gadget },
    loadResource: async ({ id, service, typeId }) => {
      loads.push(`${service} ${typeId} ${id}`);
      return store.get(id);
    },
  }).listen();
  // No loadResource and no APS-Controller-URI header: a resource is just its {aps: {id, type}}.
  withoutStore = await createEndpoint({ services: { widgets: Widget, plains: Plain } }).listen();
});

afterAll(async () => {
  await withStore.close();
  await withoutStore.close();
});

beforeEach(() => {
  recorder.reset();
  store.clear();
  loads.length = 0;
  store.set('w1', {
    aps: { id: 'w1', type: WIDGET_TYPE, status: 'aps:ready' },
    name: 'first',
    size: 5,
    region: 'eu',
    status: 'ready',
    address: { street: 'Main St 1', zip: '12345' },
    limits: [{ resourceId: 'r1', limit: 3 }],
  });
  store.set('p1', { aps: { id: 'p1', type: PLAIN_TYPE }, title: 'old', count: 1, region: 'eu' });
});

const widgetBody = { aps: { id: 'w9', type: WIDGET_TYPE }, name: 'ninth', size: 9, color: 'red' };

describe('provision: POST /{service}/', () => {
  it('builds an instance of the class from the body and answers 200 with it', async () => {
    const reply = await send(withStore.url, 'POST', '/widgets/', {
      body: { ...widgetBody, address: { street: 'Elm 2' }, limits: [{ resourceId: 'r', limit: 1 }] },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      ...widgetBody,
      address: { street: 'Elm 2' },
      limits: [{ resourceId: 'r', limit: 1 }],
    });
    const self = recorder.last('provision').self as Widget;
    expect(self).toBeInstanceOf(Widget);
    expect(self.describe()).toBe('widget ninth');
    expect(self.address).toBeInstanceOf(Address);
    expect(self.address?.oneLine()).toBe('Elm 2');
    expect(self.limits?.[0]).toBeInstanceOf(Limit);
  });

  it('answers with what provision() returns, when it returns something', async () => {
    recorder.on('provision', (self: Widget) => ({ ...self, status: 'ready' }));
    const reply = await send(withStore.url, 'POST', '/widgets', { body: widgetBody });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ...widgetBody, status: 'ready' });
  });

  it('answers 202 with APS-Info and APS-Retry-Timeout when provision() throws Accepted', async () => {
    recorder.on('provision', (self: Widget) => {
      throw new Accepted(self, 'Creating the widget…', 12.4);
    });
    const reply = await send(withStore.url, 'POST', '/widgets/', { body: widgetBody });
    expect(reply.status).toBe(202);
    expect(Buffer.from(reply.headers.get('APS-Info') ?? '', 'latin1').toString('utf8')).toBe('Creating the widget…');
    expect(reply.headers.get('APS-Retry-Timeout')).toBe('12');
    expect(reply.body).toEqual(widgetBody);
  });

  it('calls provisionAsync() in the async phase, and not provision()', async () => {
    const reply = await send(withStore.url, 'POST', '/widgets/', {
      body: { ...widgetBody, status: 'creating' },
      headers: { 'APS-Request-Phase': 'async' },
    });
    expect(reply.status).toBe(200);
    expect(recorder.methods()).toEqual(['provisionAsync']);
    // The async phase repeats the state the app answered with: a read-only value it set is accepted.
    expect(reply.body).toMatchObject({ status: 'creating' });
  });

  it('answers a type without provision() with the resource as sent', async () => {
    const body = { aps: { id: 'p2', type: PLAIN_TYPE }, title: 'plain', count: 2 };
    const reply = await send(withStore.url, 'POST', '/plains/', { body });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(body);
  });
});

describe('retrieve: GET /{service}/{id}', () => {
  it('loads the current state with loadResource and calls retrieve() on it', async () => {
    const reply = await send(withStore.url, 'GET', '/widgets/w1');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(store.get('w1'));
    expect(loads).toEqual([`widgets ${WIDGET_TYPE} w1`]);
    const self = recorder.last('retrieve').self as Widget;
    expect(self).toBeInstanceOf(Widget);
    expect(self.name).toBe('first');
    expect(self.address).toBeInstanceOf(Address);
  });

  it('answers with what retrieve() returns', async () => {
    recorder.on('retrieve', (self: Widget) => ({ aps: { id: 'w1' }, name: self.name.toUpperCase() }));
    const reply = await send(withStore.url, 'GET', '/widgets/w1');
    expect(reply.body).toEqual({ aps: { id: 'w1' }, name: 'FIRST' });
  });

  it('gives {aps: {id, type}} for a resource loadResource does not know', async () => {
    const reply = await send(withStore.url, 'GET', '/widgets/unknown-id');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ aps: { id: 'unknown-id', type: WIDGET_TYPE } });
  });

  it('without a loadResource (and no controller URI), a resource is {aps: {id, type}}', async () => {
    const reply = await send(withoutStore.url, 'GET', '/widgets/w1');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ aps: { id: 'w1', type: WIDGET_TYPE } });
    expect(recorder.last('retrieve').self).toBeInstanceOf(Widget);
    const plain = await send(withoutStore.url, 'GET', '/plains/p7');
    expect(plain.body).toEqual({ aps: { id: 'p7', type: PLAIN_TYPE } });
  });

  it('decodes an encoded id', async () => {
    const reply = await send(withoutStore.url, 'GET', '/plains/a%20b');
    expect(reply.body).toEqual({ aps: { id: 'a b', type: PLAIN_TYPE } });
  });
});

describe('configure: PUT /{service}/{id}', () => {
  it('calls configure(new) with `this` the current state and the argument the new state', async () => {
    recorder.on('configure', (self: Widget, next: Widget) => ({ was: self.name, now: next.name, size: self.size }));
    const reply = await send(withStore.url, 'PUT', '/widgets/w1', { body: { name: 'renamed' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ was: 'first', now: 'renamed', size: 5 });
    const call = recorder.last('configure');
    expect(call.self).toBeInstanceOf(Widget);
    expect(call.args[0]).toBeInstanceOf(Widget);
  });

  it('answers with the current instance (as configure() left it) when configure() returns nothing', async () => {
    recorder.on('configure', (self: Widget, next: Widget) => {
      self.size = next.size;
    });
    const reply = await send(withStore.url, 'PUT', '/widgets/w1', { body: { size: 42 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: 'first', size: 42, region: 'eu' });
  });

  it('without configure(), merges the new state over the current one', async () => {
    const reply = await send(withStore.url, 'PUT', '/plains/p1', { body: { title: 'new' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ aps: { id: 'p1', type: PLAIN_TYPE }, title: 'new', count: 1, region: 'eu' });
  });

  it('without configure() or a known current state, the new state is the resource', async () => {
    const reply = await send(withoutStore.url, 'PUT', '/plains/p5', { body: { count: 7 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ aps: { id: 'p5', type: PLAIN_TYPE }, count: 7 });
  });

  it('calls configureAsync(new) in the async phase', async () => {
    recorder.on('configureAsync', (self: Widget, next: Widget) => ({ was: self.size, now: next.size }));
    const reply = await send(withStore.url, 'PUT', '/widgets/w1', {
      body: { size: 6 },
      headers: { 'APS-Request-Phase': 'async' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ was: 5, now: 6 });
    expect(recorder.methods()).toEqual(['configureAsync']);
  });

  it('answers 202 when configure() throws Accepted', async () => {
    recorder.on('configure', (self: Widget) => {
      throw new Accepted(self, 'Reconfiguring', 5);
    });
    const reply = await send(withStore.url, 'PUT', '/widgets/w1', { body: { size: 6 } });
    expect(reply.status).toBe(202);
    expect(reply.headers.get('APS-Info')).toBe('Reconfiguring');
    expect(reply.headers.get('APS-Retry-Timeout')).toBe('5');
  });
});

describe('unprovision: DELETE /{service}/{id}', () => {
  it('calls unprovision() on the current state and answers 204 when it returns nothing', async () => {
    const reply = await send(withStore.url, 'DELETE', '/widgets/w1');
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect((recorder.last('unprovision').self as Widget).name).toBe('first');
  });

  it('answers 200 with what unprovision() returns', async () => {
    recorder.on('unprovision', () => ({ removed: true }));
    const reply = await send(withStore.url, 'DELETE', '/widgets/w1');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ removed: true });
  });

  it('calls unprovisionAsync() in the async phase', async () => {
    const reply = await send(withStore.url, 'DELETE', '/widgets/w1', { headers: { 'APS-Request-Phase': 'async' } });
    expect(reply.status).toBe(204);
    expect(recorder.methods()).toEqual(['unprovisionAsync']);
  });

  it('answers 202 when unprovision() throws Accepted', async () => {
    recorder.on('unprovision', (self: Widget) => {
      throw new Accepted(self, 'Removing', 60);
    });
    const reply = await send(withStore.url, 'DELETE', '/widgets/w1');
    expect(reply.status).toBe(202);
    expect(reply.headers.get('APS-Info')).toBe('Removing');
    expect(reply.headers.get('APS-Retry-Timeout')).toBe('60');
  });

  it('answers 204 for a type without unprovision()', async () => {
    const reply = await send(withStore.url, 'DELETE', '/plains/p1');
    expect(reply.status).toBe(204);
  });
});

describe('link and unlink', () => {
  it('POST /{service}/{id}/{relation} calls <relation>Link(linked) and answers 204 on an empty result', async () => {
    const linked = { aps: { id: 'g1', type: 'http://apskit.test/gadget/1.0' }, label: 'gizmo' };
    const reply = await send(withStore.url, 'POST', '/widgets/w1/gadgets', { body: linked });
    expect(reply.status).toBe(204);
    const call = recorder.last('gadgetsLink');
    expect((call.self as Widget).name).toBe('first');
    expect(call.args[0]).toEqual(linked);
  });

  it('answers 200 with what the link callback returns', async () => {
    recorder.on('gadgetsLink', (_self: Widget, linked: Json) => ({ linked: (linked.aps as Json).id }));
    const reply = await send(withStore.url, 'POST', '/widgets/w1/gadgets', { body: { aps: { id: 'g2' } } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ linked: 'g2' });
  });

  it('DELETE /{service}/{id}/{relation}/{linkedId} calls <relation>Unlink with the linked resource', async () => {
    const reply = await send(withStore.url, 'DELETE', '/widgets/w1/gadgets/g1');
    expect(reply.status).toBe(204);
    const call = recorder.last('gadgetsUnlink');
    expect((call.self as Widget).name).toBe('first');
    expect(call.args[0]).toEqual({ aps: { id: 'g1', type: 'http://apskit.test/gadget/1.0' } });
  });

  it('answers 200 with what the unlink callback returns', async () => {
    recorder.on('gadgetsUnlink', () => ({ unlinked: true }));
    const reply = await send(withStore.url, 'DELETE', '/widgets/w1/gadgets/g1');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ unlinked: true });
  });
});

describe('upgrade: POST /{service}/{id}/upgrade', () => {
  it('calls upgrade() on the current state and answers 204 when it returns nothing', async () => {
    const reply = await send(withStore.url, 'POST', '/widgets/w1/upgrade');
    expect(reply.status).toBe(204);
    const call = recorder.last('upgrade');
    expect((call.self as Widget).name).toBe('first');
    expect(call.args).toEqual([]);
  });

  it('passes the body, and answers 200 with what upgrade() returns', async () => {
    recorder.on('upgrade', (self: Widget, body: Json) => ({ name: self.name, to: body.version }));
    const reply = await send(withStore.url, 'POST', '/widgets/w1/upgrade', { body: { version: '2.0' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ name: 'first', to: '2.0' });
  });
});

describe('custom operations', () => {
  it('GET with a path and a query parameter, converted to their APS types', async () => {
    const reply = await send(withStore.url, 'GET', '/widgets/w1/items/17?expand=true');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ itemId: 17, expand: true, of: 'first' });
    expect(recorder.last('getItem').args).toEqual([17, true]);
  });

  it('an optional query parameter left out is undefined', async () => {
    const reply = await send(withStore.url, 'GET', '/widgets/w1/items/3');
    expect(reply.body).toEqual({ itemId: 3, expand: null, of: 'first' });
  });

  it('POST with a body parameter: the method gets an instance of the structure', async () => {
    const reply = await send(withStore.url, 'POST', '/widgets/w1/resize', { body: { size: 4, factor: 2.5 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ scaled: 10, of: 'first' });
    expect(recorder.last('resize').args[0]).toBeInstanceOf(ResizeRequest);
  });

  it('PUT with a required query parameter', async () => {
    const reply = await send(withStore.url, 'PUT', '/widgets/w1/rename?to=second');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ from: 'first', to: 'second' });
  });

  it('DELETE with a path parameter; a method that returns nothing answers 204', async () => {
    const reply = await send(withStore.url, 'DELETE', '/widgets/w1/items/5');
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect(recorder.last('removeItem').args).toEqual([5]);
    // The custom DELETE route is not mistaken for unlink of a relation "items".
    expect(recorder.count('gadgetsUnlink')).toBe(0);
  });

  it('a free-form object body parameter arrives as sent', async () => {
    recorder.on('addNote', (_self: Widget, note: Json) => ({ got: note }));
    const reply = await send(withStore.url, 'POST', '/widgets/w1/notes', { body: { text: 'hi', tags: ['a'] } });
    expect(reply.body).toEqual({ got: { text: 'hi', tags: ['a'] } });
  });

  it('static GET /{service}/{path} calls the static method with the class as `this`, loading nothing', async () => {
    const reply = await send(withStore.url, 'GET', '/widgets/search?q=blue&limit=3');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ q: 'blue', limit: 3 });
    expect(recorder.last('search').self).toBe(Widget);
    expect(loads).toEqual([]);
    expect(recorder.count('retrieve')).toBe(0);
  });

  it('static POST with an array of structures as the body parameter', async () => {
    recorder.on('bulk', (_self: typeof Widget, limits: Limit[]) => ({
      isArray: Array.isArray(limits),
      structures: limits.map((l) => l instanceof Limit),
      ids: limits.map((l) => l.resourceId),
    }));
    const reply = await send(withStore.url, 'POST', '/widgets/bulk', {
      body: [
        { resourceId: 'a', limit: 1 },
        { resourceId: 'b', limit: 2 },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ isArray: true, structures: [true, true], ids: ['a', 'b'] });
  });
});
