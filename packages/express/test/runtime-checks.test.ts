/**
 * Issue 22, F5/F6/F7: what the runtime enforces of a declaration, over HTTP, as docs/declaring-types.md
 * ("Custom operations") says: `@Param`'s `required` (false unless given), `@Operation({ response })`
 * with a class (published, not checked), and which `format` values are checked at run time.
 */
import { ApsType, Operation, Param, Property, Structure } from '@apskit/core';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { send } from './fixtures/http';

const CHECKED: Record<string, string | number> = {
  date: '2024-13-45',
  time: '25:61:00',
  'date-time': 'yesterday',
  duration: 'P1Q',
  uri: 'not a uri',
  'uri-reference': 'http://exa mple.com/\\',
  'uri-template': 'http://example.com/{unclosed',
  url: 'nope',
  email: 'not-an-email',
  hostname: '-bad-.example..com',
  ipv4: '300.1.1.1',
  ipv6: 'not:an:ip::x',
  regex: '([unclosed',
  uuid: 'not-a-uuid',
  'json-pointer': 'no-slash',
  'relative-json-pointer': '/abs',
  byte: '***',
  int32: 2 ** 40,
  int64: 1.5,
};
/** float and double take any number (their type is what is checked); the others anything. */
const UNCHECKED: Record<string, string | number> = {
  float: 1e300,
  double: -0.5,
  password: 'anything',
  binary: 'anything',
  'x-vendor-code': '???',
};

@Structure()
class Invoice {
  @Property() total?: number;
}

@ApsType({ id: 'http://example.com/billing/account/1.0' })
class BillingAccount {
  @Operation({ verb: 'POST', path: '/invoice', response: Invoice })
  invoice(
    @Param('lines', { kind: 'query', type: 'integer', required: true }) lines: number,
    @Param('note', { kind: 'query' }) note?: string,
  ): unknown {
    // Not an Invoice when asked: the response is published, not checked.
    if (note === 'odd') return { notAnInvoice: true };
    return { total: lines * 10, noteWas: note === undefined ? 'undefined' : note };
  }
}

// One property per format, named after it.
const formats = [...Object.keys(CHECKED), ...Object.keys(UNCHECKED)];
const fieldOf = (format: string): string => format.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
@ApsType({ id: 'http://example.com/billing/formats/1.0' })
class Formats {}
for (const format of formats) {
  const type = ['int32', 'int64', 'float', 'double'].includes(format) ? 'number' : 'string';
  Property({ type, format })(Formats.prototype, fieldOf(format));
}

let endpoint: RunningEndpoint;
beforeAll(async () => {
  endpoint = await createEndpoint({ services: { accounts: BillingAccount, formats: Formats } }).listen();
});
afterAll(() => endpoint.close());

describe('@Param required', () => {
  it('false unless given: a parameter not sent is undefined in the method', async () => {
    const r = await send(endpoint.url, 'POST', '/accounts/a1/invoice?lines=2');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ total: 20, noteWas: 'undefined' });
  });

  it('required: true: a request without it is a 400 naming it, the method not called', async () => {
    const r = await send(endpoint.url, 'POST', '/accounts/a1/invoice?note=x');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ details: [{ field: 'lines', message: 'is required' }] });
  });
});

it('@Operation({ response: Class }) is published, not checked at run time', async () => {
  const r = await send(endpoint.url, 'POST', '/accounts/a1/invoice?lines=1&note=odd');
  expect(r.status).toBe(200);
  expect(r.body).toEqual({ notAnInvoice: true });
});

describe('format at run time', () => {
  it.each(Object.entries(CHECKED))('%s is checked: %p is refused, naming the field', async (format, bad) => {
    const field = fieldOf(format);
    const r = await send(endpoint.url, 'POST', '/formats/', { body: { aps: { type: 'x' }, [field]: bad } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ details: [{ field, message: `must be a valid ${format}` }] });
  });

  it.each(Object.entries(UNCHECKED))('%s is published and accepted as it is', async (format, value) => {
    const field = fieldOf(format);
    const r = await send(endpoint.url, 'POST', '/formats/', { body: { aps: { type: 'x' }, [field]: value } });
    expect(r.status).toBe(200);
  });
});
