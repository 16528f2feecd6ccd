/**
 * Links and queries through the typed client, against a real controller on 127.0.0.1: link, relink,
 * unlink and the list of links (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources: "Link
 * resources", "Relink resources", "Unlink resources", "Get linked resources"), and the query
 * builder's RQL as the controller answers it (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/).
 */
import { ApsClientError, createClient, type ApsClient, type Resource } from '@apskit/client';
import { startHarness, type Harness } from './fixtures/harness';
import { Archive, Domain, Mailbox, mailServices } from './fixtures/mail';

let h: Harness;
let client: ApsClient;
const quick = { initialDelay: 10, interval: 20, backoff: 1.5, maxInterval: 100, deadline: 10_000 };

let d1: Resource<Domain>;
let d2: Resource<Domain>;
let archive: Resource<Archive>;
/** By name: box-1 … box-5, all in d1. */
const boxes = new Map<string, Resource<Mailbox>>();

const mailboxes = () => client.resources(Mailbox);
const box = (name: string): string => (boxes.get(name) as Resource<Mailbox>).aps.id;
const names = (list: ReadonlyArray<{ name: string }>): string[] => list.map((r) => r.name);

beforeAll(async () => {
  h = await startHarness({ name: 'mail', services: mailServices });
  client = createClient({ baseUrl: h.url });
  d1 = (await client.resources(Domain).createAndWait({ name: 'one.example' }, quick)).resource;
  d2 = (await client.resources(Domain).createAndWait({ name: 'two.example' }, quick)).resource;
  archive = (await client.resources(Archive).createAndWait({ name: 'cold storage' }, quick)).resource;
  const specs: Array<{ name: string; quotaMb: number; plan: 'basic' | 'pro'; archived: boolean; diskMb: number }> = [
    { name: 'box-1', quotaMb: 10, plan: 'basic', archived: false, diskMb: 100 },
    { name: 'box-2', quotaMb: 500, plan: 'pro', archived: false, diskMb: 200 },
    { name: 'box-3', quotaMb: 10, plan: 'pro', archived: true, diskMb: 300 },
    { name: 'box-4', quotaMb: 2000, plan: 'pro', archived: false, diskMb: 400 },
    { name: 'box 5 (a, b)', quotaMb: 1, plan: 'basic', archived: true, diskMb: 500 },
  ];
  for (const { diskMb, ...props } of specs) {
    const done = await mailboxes().createAndWait(
      { ...props, limits: { diskMb }, domain: { aps: { id: d1.aps.id } } },
      quick,
    );
    boxes.set(props.name, done.resource);
  }
});
afterAll(() => h.close());

describe('links', () => {
  it('reads a required relation as a strong link, and lists it', async () => {
    const read = await mailboxes().get(box('box-1'));
    expect((read as unknown as Record<string, unknown>).domain).toEqual({
      aps: { link: 'strong', id: d1.aps.id, href: `/aps/2/resources/${d1.aps.id}` },
    });
    expect(await mailboxes().links(box('box-1'))).toEqual([
      { relation: 'domain', aps: { link: 'strong', id: d1.aps.id, href: `/aps/2/resources/${d1.aps.id}` } },
    ]);
  });

  it('links, lists and unlinks an existing resource (the sample in docs/client.md)', async () => {
    const mailboxId = box('box-2');
    const archiveId = archive.aps.id;
    // docs/client.md, "Links": the same calls.
    const mailboxes = client.resources(Mailbox);
    const linked = await mailboxes.link(mailboxId, 'archive', archiveId); // the archive, as it now is
    const links = await mailboxes.links(mailboxId); // [{ relation: 'domain', … }, { relation: 'archive', … }]
    await mailboxes.unlink(mailboxId, 'archive', archiveId);

    expect(linked.aps.id).toBe(archiveId);
    expect(linked.name).toBe('cold storage');
    expect(links.map((l) => [l.relation, l.aps.link, l.aps.id])).toEqual([
      ['domain', 'strong', d1.aps.id],
      ['archive', 'weak', archiveId],
    ]);
    expect((await mailboxes.links(mailboxId)).map((l) => l.relation)).toEqual(['domain']);
    expect((await mailboxes.get(mailboxId)) as unknown as Record<string, unknown>).not.toHaveProperty('archive');
  });

  it('shows a weak link in a read while it is there', async () => {
    await mailboxes().link(boxes.get('box-3') as Resource<Mailbox>, 'archive', archive);
    const read = (await mailboxes().get(box('box-3'))) as unknown as Record<string, unknown>;
    expect(read.archive).toEqual({
      aps: { link: 'weak', id: archive.aps.id, href: `/aps/2/resources/${archive.aps.id}` },
    });
    await mailboxes().unlink(box('box-3'), 'archive', archive.aps.id);
  });

  it('relinks a singular relation, keeping the way back in step', async () => {
    const linked = await mailboxes().link(box('box-4'), 'domain', d2.aps.id);
    expect(linked.name).toBe('two.example');
    expect((await mailboxes().links(box('box-4'))).map((l) => l.aps.id)).toEqual([d2.aps.id]);
    const inOne = names(await client.resources(Domain).linked(d1.aps.id, 'mailboxes'));
    const inTwo = names(await client.resources(Domain).linked(d2.aps.id, 'mailboxes'));
    expect(inOne).not.toContain('box-4');
    expect(inTwo).toEqual(['box-4']);
    await mailboxes().link(box('box-4'), 'domain', d1.aps.id);
  });

  it('refuses, as typed errors, what the controller refuses, and nothing changes', async () => {
    const id = box('box-1');
    const before = await mailboxes().links(id);
    const refused = async (p: Promise<unknown>): Promise<ApsClientError> => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ApsClientError);
      return e as ApsClientError;
    };

    // A resource of a type the relation does not take.
    const wrongType = await refused(mailboxes().link(id, 'archive', d2.aps.id));
    expect(wrongType).toMatchObject({ status: 400, transient: false });
    expect(wrongType.details).toEqual([
      { field: 'aps.id', message: expect.stringContaining(Domain.name.toLowerCase()) },
    ]);
    // No such resource.
    expect(await refused(mailboxes().link(id, 'archive', 'no-such-resource'))).toMatchObject({ status: 400 });
    // Linking twice.
    expect(await refused(mailboxes().link(id, 'domain', d1.aps.id))).toMatchObject({ status: 409 });
    // A required relation keeps its link.
    const required = await refused(mailboxes().unlink(id, 'domain', d1.aps.id));
    expect(required.status).toBe(409);
    expect(required.message).toContain('domain');
    // Unlinking what is not linked.
    expect(await refused(mailboxes().unlink(id, 'archive', archive.aps.id))).toMatchObject({ status: 404 });
    // The request id travels with the error.
    expect((await refused(mailboxes().link(id, 'domain', d1.aps.id, { requestId: 'link-twice' }))).requestId).toBe(
      'link-twice',
    );

    expect(await mailboxes().links(id)).toEqual(before);
  });

  it('refuses before sending anything a name that is no relation of the class', async () => {
    // `limits` is an object-valued property, which TypeScript cannot tell from a relation.
    await expect(mailboxes().link(box('box-1'), 'limits', archive.aps.id)).rejects.toThrow(
      'mailbox.limits is not a relation (@Relation); its relations: domain, archive',
    );
  });
});

describe('queries', () => {
  it('lists the type alone, by implementing()', async () => {
    expect(names(await mailboxes().list()).sort()).toEqual([...boxes.keys()].sort());
    expect(names(await client.resources(Domain).list()).sort()).toEqual(['one.example', 'two.example']);
  });

  it("answers the issue's example: eq, sort, limit", async () => {
    const found = await mailboxes().query((q) => q.eq('quotaMb', 10).sort('-quotaMb', 'name').limit(0, 20));
    expect(names(found)).toEqual(['box-1', 'box-3']);
  });

  it('answers the sample in docs/client.md', async () => {
    // docs/client.md, "Queries": the same query.
    const mailboxes = client.resources(Mailbox);
    const big = await mailboxes.query((q) => q.eq('plan', 'pro').ge('quotaMb', 100).sort('-quotaMb').limit(0, 20));
    expect(names(big)).toEqual(['box-4', 'box-2']);
  });

  it('compares, matches and combines', async () => {
    const m = mailboxes();
    expect(names(await m.query((q) => q.gt('quotaMb', 10).sort('quotaMb')))).toEqual(['box-2', 'box-4']);
    expect(names(await m.query((q) => q.lt('quotaMb', 10)))).toEqual(['box 5 (a, b)']);
    expect(names(await m.query((q) => q.le('quotaMb', 10).ne('plan', 'pro')))).toEqual(['box-1', 'box 5 (a, b)']);
    expect(names(await m.query((q) => q.like('name', 'box 5*')))).toEqual(['box 5 (a, b)']);
    expect(names(await m.query((q) => q.eq('name', 'box 5 (a, b)')))).toEqual(['box 5 (a, b)']);
    expect(names(await m.query((q) => q.in('quotaMb', [1, 2000]).sort('name')))).toEqual(['box 5 (a, b)', 'box-4']);
    expect(names(await m.query((q) => q.out('plan', ['pro'])))).toEqual(['box-1', 'box 5 (a, b)']);
    expect(names(await m.query((q) => q.or(q.eq('archived', true), q.ge('quotaMb', 2000)).sort('name')))).toEqual([
      'box 5 (a, b)',
      'box-3',
      'box-4',
    ]);
    expect(names(await m.query((q) => q.not(q.eq('plan', 'basic')).sort('-quotaMb')))).toEqual([
      'box-4',
      'box-2',
      'box-3',
    ]);
    expect(names(await m.query((q) => q.ge('limits.diskMb', 400).sort('limits.diskMb')))).toEqual([
      'box-4',
      'box 5 (a, b)',
    ]);
    expect(names(await m.query((q) => q.eq('aps.id', box('box-2'))))).toEqual(['box-2']);
    expect(await m.query((q) => q.eq('aps.status', 'aps:ready').limit(1, 2))).toHaveLength(2);
  });

  it('finds resources linked with another (linkedWith), and shows links only where select() asks', async () => {
    const inTwo = await mailboxes().query((q) => q.linkedWith(d2.aps.id));
    expect(inTwo).toEqual([]);
    const inOne = await mailboxes().query((q) => q.linkedWith(d1).sort('name'));
    expect(names(inOne)).toEqual(['box 5 (a, b)', 'box-1', 'box-2', 'box-3', 'box-4']);
    expect(inOne[0] as unknown as Record<string, unknown>).not.toHaveProperty('domain');
    const selected = await mailboxes().query((q) => q.eq('name', 'box-1').select('domain'));
    expect((selected[0] as unknown as Record<string, unknown>).domain).toEqual({
      aps: { link: 'strong', id: d1.aps.id, href: `/aps/2/resources/${d1.aps.id}` },
    });
  });

  it('pages a query with a Range as a list', async () => {
    const page = await mailboxes().query((q) => q.sort('name'), { range: { first: 1, last: 2 } });
    expect(names(page)).toEqual(['box-1', 'box-2']);
  });

  it('throws the 400 of a query the controller refuses as an ApsClientError', async () => {
    const error = await mailboxes()
      // Past the type check (a cast), as a client built from an out-of-date class would send it.
      .query((q) => q.eq('quota' as 'name', 'x'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApsClientError);
    expect(error).toMatchObject({ status: 400, transient: false });
    expect((error as ApsClientError).message).toContain('quota');
  });
});

/** Compile-time checks (run by `tsc -p tsconfig.json`): relation names and what a link answers come from the class. */
export function typeChecks(c: ApsClient): void {
  const m = c.resources(Mailbox);
  void m.link('id', 'archive', 'a').then((archive) => archive.name.toUpperCase() + archive.aps.id);
  void m.link('id', 'domain', { aps: { id: 'd' } }).then((domain) => domain.name.toUpperCase());
  void m.links('id').then((links) => links.map((l) => (l.relation === 'domain' ? l.aps.id : l.aps.href)));
  // @ts-expect-error: `name` holds a string, never a link
  void m.link('id', 'name', 'x');
  // @ts-expect-error: no such property
  void m.unlink('id', 'owner', 'x');
  // @ts-expect-error: a relation of another type
  void m.links('id').then((links) => links.some((l) => l.relation === 'mailboxes'));
}
