/**
 * RQL over HTTP (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/): `GET /aps/2/resources?<rql>` on a
 * controller listening on 127.0.0.1, on the SQLite, memory and PostgreSQL stores: each operator, value
 * typing from the schema, percent-encoding, limit() with Content-Range (and beside Range), sort,
 * select, the `?type=` shorthand kept for compatibility, and the 400s for malformed queries and
 * unknown properties.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreTypes } from '@apskit/core';
import { Controller, MemoryStore, serveController, type RunningController } from '@apskit/controller';
import { PostgresStore } from '@apskit/store-postgres';
import { requirePostgres, TEST_DATABASE_URL, uniqueName, withClient } from '@apskit/test-support/postgres';
import { api, type Reply } from './fixtures/harness';
import { ARCHIVE_TYPE, DOMAIN_TYPE, MAILBOX_TYPE, services } from './fixtures/rql-app';

jest.setTimeout(60_000);

interface Fixture {
  url: string;
  /** Resource IDs by the name they were created with. */
  id: Record<string, string>;
  /** Names by resource ID. */
  name: Record<string, string>;
  total: number;
  close(): Promise<void>;
}

type StoreKind = 'sqlite' | 'memory' | 'postgres';
const storeKinds: StoreKind[] = ['sqlite', 'memory'];
if (requirePostgres('RQL over HTTP')) storeKinds.push('postgres');

async function start(storeKind: StoreKind): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-rql-'));
  const schema = uniqueName('apskit_rql');
  const store =
    storeKind === 'memory'
      ? { store: new MemoryStore() }
      : storeKind === 'postgres'
        ? { store: new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }) }
        : { dataDir: dir };
  const controller = new Controller({
    app: { name: 'rql-app', services },
    ...store,
    timeScale: 0.01,
    pollMs: 50,
  });
  const running: RunningController = await serveController(controller, { port: 0 });
  const url = running.url;
  const id: Record<string, string> = {};
  const name: Record<string, string> = {};
  const create = async (body: Record<string, unknown>): Promise<void> => {
    const r = await api(url, 'POST', '/aps/2/resources', body);
    expect(r.status).toBe(200);
    id[body.name as string] = r.body.aps.id;
    name[r.body.aps.id] = body.name as string;
  };
  await create({ aps: { type: DOMAIN_TYPE }, name: 'example.com' });
  await create({ aps: { type: DOMAIN_TYPE }, name: 'other.org' });
  const domain = (n: string) => ({ aps: { id: id[n] } });
  await create({
    aps: { type: MAILBOX_TYPE },
    name: 'alice',
    quotaMb: 10,
    ratio: 0.5,
    active: true,
    code: '10',
    limits: { diskMb: 100, label: 'small' },
    tags: ['a'],
    domain: domain('example.com'),
  });
  await create({
    aps: { type: MAILBOX_TYPE },
    name: 'bob',
    quotaMb: 20,
    ratio: 1.5,
    active: false,
    code: '20',
    limits: { diskMb: 200, label: 'big' },
    domain: domain('other.org'),
  });
  await create({ aps: { type: MAILBOX_TYPE }, name: 'carol,jr', quotaMb: 30, active: true, code: '007' });
  await create({ aps: { type: MAILBOX_TYPE }, name: 'Zoë (*) x' });
  await create({ aps: { type: ARCHIVE_TYPE }, name: 'old', quotaMb: 5, retention: '1y' });
  const all = await api(url, 'GET', '/aps/2/resources');
  return {
    url,
    id,
    name,
    total: all.body.length, // the globals and the seven above
    close: async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
      if (storeKind === 'postgres')
        await withClient(TEST_DATABASE_URL as string, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}

describe.each(storeKinds)('RQL on GET /aps/2/resources (%s store)', (storeKind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await start(storeKind);
  });
  afterAll(() => f.close());

  const get = (rql: string, headers: Record<string, string> = {}): Promise<Reply> =>
    api(f.url, 'GET', `/aps/2/resources?${rql}`, undefined, headers);
  /** The names a query answers, in the order it answers them. */
  const names = async (rql: string): Promise<string[]> => {
    const r = await get(rql);
    expect({ rql, status: r.status, body: r.status === 200 ? undefined : r.body }).toEqual({
      rql,
      status: 200,
      body: undefined,
    });
    return (r.body as Array<{ aps: { id: string } }>).map((x) => f.name[x.aps.id] ?? `(${x.aps.id})`);
  };
  const mailboxes = `implementing(${MAILBOX_TYPE})`;

  it('implementing(T): T and the types that implement it; the core resource type: everything', async () => {
    expect(await names(mailboxes)).toEqual(['alice', 'bob', 'carol,jr', 'Zoë (*) x', 'old']);
    expect(await names(`implementing(${ARCHIVE_TYPE})`)).toEqual(['old']);
    expect(await names(`implementing(${encodeURIComponent(DOMAIN_TYPE)})`)).toEqual(['example.com', 'other.org']);
    expect(await names(`implementing(${CoreTypes.resource})`)).toHaveLength(f.total);
    expect(await names('implementing(http://apskit.test/none/1.0)')).toEqual([]);
    expect(await names('implementing(archive)')).toEqual(['old']); // a served type's APS name
  });

  it.each([
    ['eq(quotaMb,20)', ['bob']],
    ['quotaMb=20', ['bob']],
    ['quotaMb=eq=20', ['bob']],
    ['ne(quotaMb,20)', ['alice', 'carol,jr', 'Zoë (*) x', 'old']],
    ['lt(quotaMb,20)', ['alice', 'old']],
    ['quotaMb=le=20', ['alice', 'bob', 'old']],
    ['gt(quotaMb,10)', ['bob', 'carol,jr']],
    ['ge(quotaMb,10)', ['alice', 'bob', 'carol,jr']],
    ['eq(quotaMb,null())', ['Zoë (*) x']],
    ['quotaMb=null', ['Zoë (*) x']],
    ['lt(ratio,1)', ['alice']],
    ['ratio=ge=1.5', ['bob']],
    ['active=true', ['alice', 'carol,jr']],
    ['eq(active,false())', ['bob']],
    ['like(name,*o*)', ['bob', 'carol,jr', 'Zoë (*) x', 'old']],
    ['like(name,?ob)', ['bob']],
    // Percent-encoded, * and ? are literal characters (the RQL page: they are special in like() only as such).
    ['like(name,*%2A*)', ['Zoë (*) x']],
    ['like(name,*%3F*)', []],
    ['name=like=a*', ['alice']],
    ['in(name,(alice,old))', ['alice', 'old']],
    ['name=in=(alice,nobody)', ['alice']],
    ['out(quotaMb,(10,20))', ['carol,jr', 'Zoë (*) x', 'old']],
    ['and(gt(quotaMb,5),lt(quotaMb,30))', ['alice', 'bob']],
    ['gt(quotaMb,5)&lt(quotaMb,30)', ['alice', 'bob']],
    ['gt(quotaMb,5),lt(quotaMb,30)', ['alice', 'bob']],
    ['or(eq(name,alice),eq(quotaMb,5))', ['alice', 'old']],
    ['(name=alice|quotaMb=5)', ['alice', 'old']],
    ['(name=alice;quotaMb=5)', ['alice', 'old']],
    ['not(quotaMb=le=20)', ['carol,jr', 'Zoë (*) x']],
    ['eq(limits.diskMb,200)', ['bob']],
    ['limits.label=like=s*', ['alice']],
  ])('%s', async (rql, expected) => {
    expect(await names(`${mailboxes}&${rql}`)).toEqual(expected);
  });

  it('types a value from the property: a string property takes 10 and 007 as strings', async () => {
    expect(await names(`${mailboxes}&code=10`)).toEqual(['alice']);
    expect(await names(`${mailboxes}&code=007`)).toEqual(['carol,jr']);
    expect(await names(`${mailboxes}&gt(code,15)`)).toEqual(['bob']); // "20" > "15" as text; "007" < "15"
  });

  it('percent-decodes each value on its own: %2C, %28, %2A, %20 and UTF-8 are characters of the value', async () => {
    expect(await names('name=carol%2Cjr')).toEqual(['carol,jr']);
    expect(await names('eq(name,Zo%C3%AB%20%28%2A%29%20x)')).toEqual(['Zoë (*) x']);
    expect(await names('in(name,(carol%2Cjr,old))')).toEqual(['carol,jr', 'old']);
  });

  it('reads aps.id, aps.type, aps.status and aps.modified (an ISO date)', async () => {
    expect(await names(`aps.id=${f.id.bob}`)).toEqual(['bob']);
    expect(await names(`eq(aps.type,${ARCHIVE_TYPE})`)).toEqual(['old']);
    expect(await names(`${mailboxes}&aps.revision=ge=1&sort(-aps.revision,+aps.id)`)).toHaveLength(5);
    expect(await names(`${mailboxes}&aps.status=aps:ready&quotaMb=5`)).toEqual(['old']);
    expect(await names(`${mailboxes}&gt(aps.modified,2000-01-01T00:00:00Z)`)).toHaveLength(5);
    expect(await names(`${mailboxes}&lt(aps.modified,2000-01-01)`)).toEqual([]);
  });

  it('linkedWith(id): the resources linked with it, either way', async () => {
    expect(await names(`${mailboxes}&linkedWith(${f.id['example.com']})`)).toEqual(['alice']);
    expect(await names(`linkedWith(${f.id.bob})`)).toEqual(['other.org']);
  });

  it('sort(+a,-b): in that order, ties and no sort in creation order', async () => {
    expect(await names(`${mailboxes}&sort(-quotaMb)`)).toEqual(['carol,jr', 'bob', 'alice', 'old', 'Zoë (*) x']);
    expect(await names(`${mailboxes}&sort(+active,-name)`)).toEqual(['old', 'Zoë (*) x', 'bob', 'carol,jr', 'alice']);
    expect(await names(`${mailboxes}&sort(%2Blimits.diskMb)&ne(limits.diskMb,null())`)).toEqual(['alice', 'bob']);
  });

  it('limit(start,count) pages, with its Content-Range; limit() wins over a Range header', async () => {
    const first = await get(`${mailboxes}&sort(+name)&limit(0,2)`);
    expect(first.status).toBe(200);
    expect(first.body.map((x: { aps: { id: string } }) => f.name[x.aps.id])).toEqual(['Zoë (*) x', 'alice']);
    expect(first.headers.get('content-range')).toBe('items 0-1/5');
    const next = await get(`limit(2,2)&${mailboxes}&sort(+name)`, { Range: 'items=0-0' });
    expect(next.body.map((x: { aps: { id: string } }) => f.name[x.aps.id])).toEqual(['bob', 'carol,jr']);
    expect(next.headers.get('content-range')).toBe('items 2-3/5');
    const rest = await get(`${mailboxes}&limit(3)`);
    expect(rest.body).toHaveLength(2);
    expect(rest.headers.get('content-range')).toBe('items 3-4/5');
    const past = await get(`${mailboxes}&limit(10,5)`);
    expect(past.body).toEqual([]);
    expect(past.headers.get('content-range')).toBe('items */5');
    // Without limit(), Range still pages the query.
    const ranged = await get(`${mailboxes}&sort(+name)`, { Range: 'items=1-2' });
    expect(ranged.body.map((x: { aps: { id: string } }) => f.name[x.aps.id])).toEqual(['alice', 'bob']);
    expect(ranged.headers.get('content-range')).toBe('items 1-2/5');
  });

  it("docs/controller.md's sample: implementing, sort, limit and select together", async () => {
    const r = await get(`implementing(${MAILBOX_TYPE})&sort(-quotaMb)&limit(0,2)&select(domain)`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-range')).toBe('items 0-1/5');
    expect(r.body.map((x: { name: string }) => x.name)).toEqual(['carol,jr', 'bob']);
    expect(r.body[1].domain).toEqual({
      aps: { link: 'weak', id: f.id['other.org'], href: `/aps/2/resources/${f.id['other.org']}` },
    });
  });

  it('limit(0,0) answers no items and the total', async () => {
    const r = await get(`${mailboxes}&limit(0,0)`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
    expect(r.headers.get('content-range')).toBe('items */5');
  });

  it('select(rel): list items show the links it names', async () => {
    const selected = await get(`name=alice&select(domain)`);
    expect(selected.status).toBe(200);
    expect(selected.body[0].domain).toEqual({
      aps: { link: 'weak', id: f.id['example.com'], href: `/aps/2/resources/${f.id['example.com']}` },
    });
    expect(selected.body[0].name).toBe('alice');
  });

  it('a list item shows no links unless select() names them', async () => {
    const plain = await get(`name=alice`);
    expect(plain.status).toBe(200);
    expect(plain.body[0].name).toBe('alice');
    expect(plain.body[0].domain).toBeUndefined();
  });

  it('keeps ?type=<id or name> (APSKit before RQL): that type only, not the types implementing it', async () => {
    expect(await names(`type=${MAILBOX_TYPE}`)).toEqual(['alice', 'bob', 'carol,jr', 'Zoë (*) x']);
    expect(await names(`type=${encodeURIComponent(ARCHIVE_TYPE)}`)).toEqual(['old']);
    expect(await names('type=archive')).toEqual(['old']);
    const unknown = await get('type=nope');
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'aps.type', message: 'is not a type this application serves' }]);
  });

  it.each([
    ['eq(name,alice', 13, 'rql', /expected "\)" to close eq\(/],
    ['name=alice&&quotaMb=1', 11, 'rql', /expected a query function or a comparison/],
    ['eq(name,a%2)', 9, 'rql', /escape of two hex digits/],
    ['bogus(1)', 0, 'rql', /unknown query function bogus\(\)/],
    ['or(limit(0,1),name=alice)', 3, 'rql', /cannot stand inside or\(\)/],
  ])('malformed RQL %s: 400 naming the position and the reason', async (rql, position, field, message) => {
    const r = await get(rql);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: 400,
      error: 'BadRequest',
      message: expect.stringContaining(`position ${position}`),
    });
    expect(r.body.details).toEqual([{ field, position, message: expect.stringMatching(message) }]);
  });

  it.each([
    [`${mailboxes}&eq(colour,red)`, 'colour', 'colour', /not a property of mailbox, archive/],
    [`implementing(${ARCHIVE_TYPE})&active=true`, 'active', 'active', /not a property of archive/],
    ['eq(limits.weight,1)', 'limits.weight', 'limits.weight', /not a property of/],
    ['eq(limits,1)', 'limits', 'limits', /is a structure in mailbox/],
    ['eq(tags,a)', 'tags', 'tags', /is an array in mailbox/],
    ['eq(domain,x)', 'domain', 'domain', /is a relation of mailbox/],
    ['eq(aps.color,x)', 'aps.color', 'aps.color', /use aps\.id, aps\.type/],
    ['sort(-colour)', 'colour', 'colour', /not a property/],
    ['name=alice&select(colour)', 'colour', 'colour', /is not a relation/],
    ['like(quotaMb,1*)', 'quotaMb', 'quotaMb', /like\(\) matches strings/],
    ['quotaMb=abc', 'quotaMb', 'abc', /is an integer: "abc" is not one/],
    ['quotaMb=1.5', 'quotaMb', '1.5', /is an integer/],
    ['ratio=x', 'ratio', 'x', /is a number/],
    ['active=yes', 'active', 'yes', /is a boolean/],
    ['gt(aps.modified,yesterday)', 'aps.modified', 'yesterday', /is a date/],
  ])('%s: 400 naming the property %s and the position of %s', async (rql, field, at, message) => {
    const r = await get(rql);
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([{ field, position: expect.any(Number), message: expect.stringMatching(message) }]);
    const position = r.body.details[0].position as number;
    expect(r.body.message).toContain(`position ${position}`);
    expect(rql.slice(position).startsWith(at)).toBe(true);
  });
});
