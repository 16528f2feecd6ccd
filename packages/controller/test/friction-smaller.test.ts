/**
 * Issue 22, "Smaller": what a new user met over HTTP and had to find out by experiment. The task
 * history says the delay the time scale makes; an enum error lists the declared values only (not the
 * null that means "not set"); a body-less POST says what it lacks and how to send it; a configure
 * the app refused leaves the properties as they were, with the revision counting its two writes; a
 * read-only property with a default is provisioned (the endpoint no longer refuses the default the
 * controller filled in).
 */
import { Accepted, ApsType, ConflictError, Property } from '@apskit/core';
import { api, eventually, startHarness, type Harness } from './fixtures/harness';

@ApsType({ id: 'http://example.com/friction/box/1.0' })
class Box {
  @Property({ enum: ['red', 'green'] }) color?: string;
  @Property() slow?: boolean;

  provision(): void {
    if (this.slow) throw new Accepted(this, 'Painting the box', 3);
  }
  provisionAsync(): void {}

  configure(next: Box): void {
    if (next.color === 'green') throw new ConflictError('Green boxes are sold out', { color: 'green' });
    this.color = next.color;
  }
}

/** A read-only property with a default, as a VPS's `state` would be. */
@ApsType({ id: 'http://example.com/friction/lamp/1.0' })
class Lamp {
  @Property({ readonly: true, enum: ['off', 'on'], default: 'off' }) state?: string;
}

const BOX = 'http://example.com/friction/box/1.0';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ app: { name: 'boxes', services: { boxes: Box, lamps: Lamp } }, timeScale: 0.1 });
});
afterAll(() => h.close());

it('says the delay as the time scale makes it: "next call in 0.3 s (3 s scaled by 0.1)"', async () => {
  const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: BOX }, slow: true });
  expect(created.status).toBe(202);
  const taskId = created.headers.get('APSKit-Task-ID') as string;
  const done = await eventually(
    () => api(h.url, 'GET', `/apskit/tasks/${taskId}`),
    (r) => r.body.status === 'succeeded',
  );
  const rescheduled = done.body.history.find((e: { kind: string }) => e.kind === 'rescheduled');
  expect(rescheduled.message).toBe('Painting the box (next call in 0.3 s (3 s scaled by 0.1))');
});

it('lists the declared enum values only: null, which unsets, is not named', async () => {
  const r = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: BOX }, color: 'blue' });
  expect(r.status).toBe(400);
  expect(r.body.details).toEqual([{ field: 'color', message: 'must be one of "red", "green"' }]);
});

it('a POST without a body says so, and how to send one', async () => {
  const r = await api(h.url, 'POST', '/aps/2/resources');
  expect(r.status).toBe(400);
  expect(r.body.message).toBe(
    'Expected the resource as a JSON object: the request has no JSON body (send one, with Content-Type: application/json)',
  );
  // A body without its JSON type is refused before it is read, naming the header.
  const plain = await fetch(`${h.url}/aps/2/resources`, {
    method: 'POST',
    body: JSON.stringify({ aps: { type: BOX } }),
  });
  expect(plain.status).toBe(415);
  expect(((await plain.json()) as { message: string }).message).toContain('Content-Type: application/json');
});

it('a configure the app refused (409) leaves the properties and status as they were; the revision counts its two writes', async () => {
  const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: BOX }, color: 'red' });
  const id = created.body.aps.id as string;
  const before = (await api(h.url, 'GET', `/aps/2/resources/${id}`)).body;
  const refused = await api(h.url, 'PUT', `/aps/2/resources/${id}`, { color: 'green' });
  expect(refused.status).toBe(409);
  expect(refused.body).toMatchObject({ error: 'Conflict', message: 'Green boxes are sold out' });
  const after = (await api(h.url, 'GET', `/aps/2/resources/${id}`)).body;
  expect(after).toMatchObject({ color: 'red', aps: { status: 'aps:ready' } });
  // The revision counts writes, the status's included (docs/controller.md, "Revisions"): aps:configuring
  // when the configure started, aps:ready when it ended. It never goes back, so a reader who saw the
  // configuring revision is never shown an older number for a newer state.
  expect(after.aps.revision).toBe(before.aps.revision + 2);
  const task = await api(h.url, 'GET', `/apskit/tasks/${refused.headers.get('APSKit-Task-ID')}`);
  expect(task.body).toMatchObject({ operation: 'configure', status: 'failed', output: 'Green boxes are sold out' });
});

it('a read-only property with a default is filled and provisioned; a caller still may not set it otherwise', async () => {
  const LAMP = 'http://example.com/friction/lamp/1.0';
  const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: LAMP } });
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({ state: 'off', aps: { status: 'aps:ready' } });
  const set = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: LAMP }, state: 'on' });
  expect(set.status).toBe(400);
  expect(set.body.details).toEqual([{ field: 'state', message: 'is read-only: only the application sets it' }]);
});
