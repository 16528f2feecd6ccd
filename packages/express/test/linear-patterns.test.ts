/**
 * Issue 15 #9 over HTTP: a resource whose declared pattern backtracks exponentially on native
 * RegExp (`^([a-z0-9]+)*$`) is provisioned with a crafted name; the endpoint refuses it with 400 at
 * once, and answers the next request.
 */
import { ApsType, Property } from '@apskit/core';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { apsError, send } from './fixtures/http';

const TYPE = 'http://example.com/linear-patterns/account/1.0';

@ApsType({ id: TYPE })
class Account {
  @Property({ pattern: '^([a-z0-9]+)*$' })
  login?: string;

  provision(): void {}
}

let running: RunningEndpoint;
beforeAll(async () => {
  running = await createEndpoint({ services: { accounts: Account } }).listen();
});
afterAll(() => running.close());

it('issue 15 #9: a crafted string against a declared pattern is a quick 400, and the endpoint still answers', async () => {
  const body = (login: string): unknown => ({ aps: { id: 'a1', type: TYPE }, login });
  await send(running.url, 'POST', '/accounts/', { body: body('warm') });
  for (const login of ['a'.repeat(30) + '!', 'a'.repeat(10_000) + '!']) {
    const start = process.hrtime.bigint();
    const reply = await send(running.url, 'POST', '/accounts/', { body: body(login) });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(apsError(reply, 400)).toEqual([{ field: 'login', message: 'must match pattern "^([a-z0-9]+)*$"' }]);
    // The whole round trip, with room for a busy machine; native RegExp spends about 400 ms on 26
    // characters and "!", seconds on 30, and never ends on 10,000.
    expect(ms).toBeLessThan(250);
  }
  expect((await send(running.url, 'POST', '/accounts/', { body: body('abc123') })).status).toBe(200);
});
