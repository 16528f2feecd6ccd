/**
 * Issue 22, F4: what `this` and the arguments are in each `…Async` phase, as docs/endpoint.md ("The
 * async phase") says, seen by the app over HTTP through the embedded controller.
 */
import { Accepted, ApsType, Property } from '@apskit/core';
import { api, eventually, startHarness, type Harness } from './fixtures/harness';

const seen: Record<string, unknown> = {};
const copy = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

@ApsType({ id: 'http://example.com/phases/server/1.0' })
class Server {
  @Property() size?: string;
  @Property({ readonly: true }) progress?: string;

  provision(): void {
    this.progress = 'ordered';
    throw new Accepted(this, 'Ordering', 0);
  }
  provisionAsync(...args: unknown[]): void {
    seen.provisionAsync = { this: copy(this), args: copy(args) };
    this.progress = 'installed';
  }
  configure(next: Server): void {
    seen.configure = { this: copy(this), next: copy(next) };
    this.progress = `resizing to ${next.size}`; // what the app answers is stored with the 202
    throw new Accepted(this, 'Resizing', 0);
  }
  configureAsync(next: Server): void {
    seen.configureAsync = { this: copy(this), next: copy(next) };
    this.size = next.size;
    this.progress = 'resized';
  }
  unprovision(): void {
    throw new Accepted(this, 'Removing', 0);
  }
  unprovisionAsync(...args: unknown[]): void {
    seen.unprovisionAsync = { this: copy(this), args: copy(args) };
  }
}

const SERVER = 'http://example.com/phases/server/1.0';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ app: { name: 'phases', services: { servers: Server } } });
});
afterAll(() => h.close());

async function settle(taskId: string | null): Promise<void> {
  await eventually(
    () => api(h.url, 'GET', `/apskit/tasks/${taskId}`),
    (r) => r.body.status === 'succeeded',
  );
}

it('provisionAsync, configureAsync, unprovisionAsync: `this` is the stored state (what the 202 answered), configureAsync gets the new state again', async () => {
  const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: SERVER }, size: 'small' });
  await settle(created.headers.get('APSKit-Task-ID'));
  expect(seen.provisionAsync).toMatchObject({ this: { size: 'small', progress: 'ordered' }, args: [] });
  const id = created.body.aps.id as string;
  expect((seen.provisionAsync as { this: { aps: { id: string } } }).this.aps.id).toBe(id);

  // configure: `this` the current state, `next` the new one; configureAsync: `this` what configure
  // answered with its 202 (stored), `next` the same new state again.
  const put = await api(h.url, 'PUT', `/aps/2/resources/${id}`, { size: 'large' });
  expect(put.status).toBe(202);
  await settle(put.headers.get('APSKit-Task-ID'));
  expect(seen.configure).toMatchObject({ this: { size: 'small', progress: 'installed' }, next: { size: 'large' } });
  expect(seen.configureAsync).toMatchObject({
    this: { size: 'small', progress: 'resizing to large' },
    next: { size: 'large' },
  });
  expect((await api(h.url, 'GET', `/aps/2/resources/${id}`)).body).toMatchObject({
    size: 'large',
    progress: 'resized',
  });

  // unprovisionAsync: `this` the stored resource, no argument.
  const del = await api(h.url, 'DELETE', `/aps/2/resources/${id}`);
  expect(del.status).toBe(202);
  await settle(del.headers.get('APSKit-Task-ID'));
  expect(seen.unprovisionAsync).toMatchObject({ this: { size: 'large', progress: 'resized' }, args: [] });
});
