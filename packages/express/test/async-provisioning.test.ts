/**
 * The APS async-provisioning sample (shared/seeds/async-provisioning-sample.txt) served over HTTP:
 * provision() answers 202 "Provisioning the resource" with a 30-second retry, and provisionAsync()
 * flips a coin: heads is another 202 "Still provisioning", tails is 200 with the resource.
 */
import { createEndpoint, type ApsEndpoint, type RunningEndpoint } from '@apskit/express';
import { Globals, Provisionable } from '@apskit/test-support';
import { send } from './fixtures/http';

const PROVISIONABLE = 'http://aps-standard.org/samples/async-provisioning/provisionable/1.0';
const resource = {
  aps: { id: 'b7a1c0de-0000-4000-8000-000000000001', type: PROVISIONABLE, status: 'aps:provisioning' },
  globals: { aps: { id: 'b7a1c0de-0000-4000-8000-0000000000aa' } },
};
const controllerHeaders = {
  'APS-Controller-URI': 'https://controller.invalid:6308/',
  'APS-Instance-ID': 'instance-1',
  'APS-Transaction-ID': 'tx-seed-1',
};

let endpoint: ApsEndpoint;
let running: RunningEndpoint;
const realFlip = Provisionable.flipCoin;

beforeAll(async () => {
  // loadResource is never needed by provision; it is given so no request goes to the invalid URI.
  endpoint = createEndpoint({
    services: { provisionables: Provisionable, globals: Globals },
    loadResource: async () => undefined,
  });
  running = await endpoint.listen();
});

afterAll(async () => {
  Provisionable.flipCoin = realFlip;
  await running.close();
});

afterEach(() => {
  Provisionable.flipCoin = realFlip;
});

describe('the async-provisioning sample', () => {
  it('answers the first provision with 202, the task message and a 30-second retry', async () => {
    const reply = await send(running.url, 'POST', '/provisionables/', { body: resource, headers: controllerHeaders });
    expect(reply.status).toBe(202);
    expect(reply.headers.get('APS-Info')).toBe('Provisioning the resource');
    expect(reply.headers.get('APS-Retry-Timeout')).toBe('30');
    expect(reply.headers.get('APS-Transaction-ID')).toBe('tx-seed-1');
    expect(reply.body).toEqual(resource);
  });

  it('answers the async phase with 202 "Still provisioning" when the coin lands heads', async () => {
    let flips = 0;
    Provisionable.flipCoin = () => {
      flips++;
      return true;
    };
    const reply = await send(running.url, 'POST', '/provisionables/', {
      body: resource,
      headers: { ...controllerHeaders, 'APS-Request-Phase': 'async' },
    });
    expect(flips).toBe(1);
    expect(reply.status).toBe(202);
    expect(reply.headers.get('APS-Info')).toBe('Still provisioning');
    expect(reply.headers.get('APS-Retry-Timeout')).toBe('30');
    expect(reply.body).toEqual(resource);
  });

  it('answers the async phase with 200 and the resource when the coin lands tails', async () => {
    Provisionable.flipCoin = () => false;
    const reply = await send(running.url, 'POST', '/provisionables/', {
      body: resource,
      headers: { ...controllerHeaders, 'APS-Request-Phase': 'async' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('APS-Info')).toBeNull();
    expect(reply.headers.get('APS-Retry-Timeout')).toBeNull();
    expect(reply.body).toEqual(resource);
  });

  it('reads the phase header case-insensitively, as HTTP headers are', async () => {
    Provisionable.flipCoin = () => false;
    const reply = await send(running.url, 'POST', '/provisionables', {
      body: resource,
      headers: { 'aps-request-phase': 'ASYNC' },
    });
    expect(reply.status).toBe(200);
  });

  it('keeps re-polling until tails: heads, heads, then tails', async () => {
    const coins = [true, true, false];
    Provisionable.flipCoin = () => coins.shift() as boolean;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await send(running.url, 'POST', '/provisionables/', {
        body: resource,
        headers: { ...controllerHeaders, 'APS-Request-Phase': 'async' },
      });
      statuses.push(reply.status);
    }
    expect(statuses).toEqual([202, 202, 200]);
  });
});
