/**
 * `__proto__`, `constructor` and `prototype` keys in a request body never reach a prototype: where
 * properties are declared they are refused by name (400); in free-form objects they are dropped
 * before app code sees the value. The app here even deep-merges what it receives the naive way
 * (`for…in`, recursing into objects and functions), which would pollute Object.prototype if such a
 * key got through.
 */
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { apsError, send, type Json } from './fixtures/http';
import { recorder } from './fixtures/recorder';
import { Address, Plain, PLAIN_TYPE, Widget, WIDGET_TYPE } from './fixtures/types';

const UNSAFE = ['__proto__', 'constructor', 'prototype'];
/** A key spelled with a JSON escape: the same key once parsed, different bytes on the wire. */
const ESCAPED = ['\\u005f_proto__', '\\u0063onstructor', '\\u0070rototype'];

/** The classic vulnerable deep merge. */
function naiveMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key in source) {
    const value = source[key];
    if (value !== null && typeof value === 'object') {
      const existing = target[key];
      if (existing === null || (typeof existing !== 'object' && typeof existing !== 'function')) target[key] = {};
      naiveMerge(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else target[key] = value;
  }
}

function polluted(): unknown {
  return ({} as Record<string, unknown>).polluted;
}

/** Everything a method received, deep-merged the naive way; true when that polluted Object.prototype. */
function mergingPollutes(value: unknown): boolean {
  try {
    naiveMerge({}, { value } as Record<string, unknown>);
    return polluted() !== undefined;
  } finally {
    delete (Object.prototype as Record<string, unknown>).polluted;
  }
}

/** `{"<key>": {"polluted": true}}` and `{"<key>": {"prototype": {"polluted": true}}}` as raw JSON. */
function payloads(key: string): string[] {
  return [`"${key}": {"polluted": true}`, `"${key}": {"prototype": {"polluted": true}}`];
}

let running: RunningEndpoint;
const store = new Map<string, Json>();

beforeAll(async () => {
  running = await createEndpoint({
    services: { widgets: Widget, plains: Plain },
    loadResource: async ({ id }) => store.get(id),
  }).listen();
});

afterAll(() => running.close());

beforeEach(() => {
  recorder.reset();
  store.set('w1', { aps: { id: 'w1', type: WIDGET_TYPE }, name: 'first' });
  store.set('p1', { aps: { id: 'p1', type: PLAIN_TYPE }, title: 't' });
});

afterEach(() => {
  expect(polluted()).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

const head = `"aps": {"id": "w2", "type": "${WIDGET_TYPE}"}, "name": "x"`;

describe('where properties are declared, the key is refused by name', () => {
  it.each([...UNSAFE, ...ESCAPED])('%s at the top level of a resource', async (key) => {
    for (const payload of payloads(key)) {
      const reply = await send(running.url, 'POST', '/widgets/', { raw: `{${head}, ${payload}}` });
      const issues = apsError(reply, 400);
      expect(issues).toContainEqual({ field: JSON.parse(`"${key}"`), message: 'is not a declared property' });
      const configured = await send(running.url, 'PUT', '/widgets/w1', { raw: `{${payload}}` });
      expect(apsError(configured, 400)).toContainEqual({
        field: JSON.parse(`"${key}"`),
        message: 'is not a declared property',
      });
    }
    expect(recorder.calls).toEqual([]);
  });

  it.each([...UNSAFE, ...ESCAPED])('%s inside a structure', async (key) => {
    const name = JSON.parse(`"${key}"`) as string;
    for (const payload of payloads(key)) {
      const resource = `{${head}, "address": {"street": "a", ${payload}}, "limits": [{"resourceId": "r", ${payload}}]}`;
      const issues = apsError(await send(running.url, 'POST', '/widgets/', { raw: resource }), 400);
      expect(issues).toEqual(
        expect.arrayContaining([
          { field: `address.${name}`, message: 'is not a declared property' },
          { field: `limits[0].${name}`, message: 'is not a declared property' },
        ]),
      );
      const param = await send(running.url, 'POST', '/widgets/w1/resize', { raw: `{"size": 1, ${payload}}` });
      expect(apsError(param, 400)).toContainEqual({ field: `request.${name}`, message: 'is not a declared property' });
    }
    expect(recorder.calls).toEqual([]);
  });
});

describe('in a free-form object, the key is dropped before the app sees it', () => {
  it.each([...UNSAFE, ...ESCAPED])('%s in a free-form property of the resource and of a structure', async (key) => {
    for (const payload of payloads(key)) {
      recorder.reset();
      const raw = `{${head}, "extra": {"ok": 1, ${payload}}, "address": {"street": "s", "tags": {"t": 2, ${payload}}}}`;
      const reply = await send(running.url, 'POST', '/widgets/', { raw });
      expect(reply.status).toBe(200);
      const self = recorder.last('provision').self as Widget;
      expect(Object.getPrototypeOf(self)).toBe(Widget.prototype);
      expect(self.describe()).toBe('widget x');
      expect(self.address).toBeInstanceOf(Address);
      expect(Object.keys(self.extra ?? {})).toEqual(['ok']);
      expect(Object.keys(self.address?.tags ?? {})).toEqual(['t']);
      expect(Object.getPrototypeOf(self.extra)).toBe(Object.prototype);
      expect(mergingPollutes(self)).toBe(false);
      expect(reply.body).toMatchObject({ extra: { ok: 1 }, address: { tags: { t: 2 } } });
    }
  });

  it.each([...UNSAFE, ...ESCAPED])('%s in the new state to configure', async (key) => {
    for (const payload of payloads(key)) {
      // Plain (merged, as it has no configure()) declares no free-form property: refused by name.
      apsError(await send(running.url, 'PUT', '/plains/p1', { raw: `{"title": "n", ${payload}}` }), 400);
      recorder.reset();
      const reply = await send(running.url, 'PUT', '/widgets/w1', { raw: `{"extra": {${payload}}}` });
      expect(reply.status).toBe(200);
      const next = recorder.last('configure').args[0] as Widget;
      expect(Object.getPrototypeOf(next)).toBe(Widget.prototype);
      expect(Object.keys(next.extra ?? {})).toEqual([]);
      expect(mergingPollutes(next)).toBe(false);
    }
  });

  it.each([...UNSAFE, ...ESCAPED])(
    '%s in a free-form body parameter, a linked resource and an upgrade body',
    async (key) => {
      for (const payload of payloads(key)) {
        recorder.reset();
        const note = await send(running.url, 'POST', '/widgets/w1/notes', { raw: `{"text": "hi", ${payload}}` });
        expect(note.status).toBe(204);
        const received = recorder.last('addNote').args[0] as Json;
        expect(Object.keys(received)).toEqual(['text']);
        expect(mergingPollutes(received)).toBe(false);

        const link = await send(running.url, 'POST', '/widgets/w1/gadgets', {
          raw: `{"aps": {"id": "g1", ${payload}}, ${payload}}`,
        });
        expect(link.status).toBe(204);
        const linked = recorder.last('gadgetsLink').args[0] as Json;
        expect(Object.keys(linked)).toEqual(['aps']);
        expect(Object.keys(linked.aps as Json)).toEqual(['id']);
        expect(mergingPollutes(linked)).toBe(false);

        const upgrade = await send(running.url, 'POST', '/widgets/w1/upgrade', { raw: `{"to": "2", ${payload}}` });
        expect(upgrade.status).toBe(204);
        const upgradeBody = recorder.last('upgrade').args[0] as Json;
        expect(Object.keys(upgradeBody)).toEqual(['to']);
        expect(mergingPollutes(upgradeBody)).toBe(false);
      }
    },
  );
});

it('the merge used here does pollute when given such a key (so the checks above can fail)', () => {
  expect(mergingPollutes(JSON.parse('{"__proto__": {"polluted": true}}'))).toBe(true);
  expect(mergingPollutes(JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'))).toBe(true);
});
