/**
 * The query builder's RQL text, without a server: every operator, the order of the terms, and the
 * percent-encoding of the characters the APS RQL page reserves
 * (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/, "Reserved Characters"). What a controller does
 * with that text is in links-and-queries.test.ts.
 */
import { ApsType, CoreTypes, parseRql, Property, Relation, Structure } from '@apskit/core';
import { createClient, Query } from '@apskit/client';

@Structure()
class Limits {
  @Property({ type: 'integer' })
  diskMb?: number;

  @Property()
  note?: string;
}

@ApsType({ name: 'domain', id: 'http://apskit.test/query/domain/1.0', implements: [CoreTypes.resource] })
class Domain {
  @Property({ required: true })
  name!: string;
}

@ApsType({ name: 'mailbox', id: 'http://apskit.test/query/mailbox/1.0', implements: [CoreTypes.resource] })
class Mailbox {
  @Property({ required: true })
  name!: string;

  @Property({ type: 'integer' })
  quotaMb?: number;

  @Property({ enum: ['basic', 'pro'] })
  plan?: 'basic' | 'pro';

  @Property()
  archive?: boolean;

  @Property({ format: 'date-time' })
  created?: Date;

  @Property()
  limits?: Limits;

  @Relation(() => Domain)
  domain?: Domain;

  @Relation(() => Domain, { collection: true })
  aliases?: Domain[];
}

const client = createClient({ baseUrl: 'http://127.0.0.1:1' });
const mailboxes = client.resources(Mailbox);
const q = Query.create<Mailbox>();
// The type id as core's writer encodes it: every character but letters, digits and -_.~ (':' and '/' too).
const TYPE = 'implementing(http%3A%2F%2Fapskit.test%2Fquery%2Fmailbox%2F1.0)';
/** A string value as the builder writes it. */
const text = (value: string): string => q.eq('name', value).toString().slice('eq(name,'.length, -1);

describe('the RQL a query writes (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/)', () => {
  it("writes the issue's example: implementing(<type>) first, then the condition, sort and limit", () => {
    expect(mailboxes.rql((q) => q.eq('quotaMb', 10).sort('-quotaMb').limit(0, 20))).toBe(
      `${TYPE}&eq(quotaMb,10)&sort(-quotaMb)&limit(0,20)`,
    );
  });

  it('lists the type alone with implementing(), as list() asks', () => {
    expect(mailboxes.rql()).toBe(TYPE);
    expect(mailboxes.rql((q) => q)).toBe(TYPE);
  });

  it('writes each comparison operator', () => {
    expect(q.eq('name', 'ada').toString()).toBe('eq(name,ada)');
    expect(q.ne('plan', 'pro').toString()).toBe('ne(plan,pro)');
    expect(q.lt('quotaMb', 5).toString()).toBe('lt(quotaMb,5)');
    expect(q.le('quotaMb', 5.5).toString()).toBe('le(quotaMb,5.5)');
    expect(q.gt('quotaMb', -3).toString()).toBe('gt(quotaMb,-3)');
    expect(q.ge('quotaMb', 0).toString()).toBe('ge(quotaMb,0)');
  });

  it('writes values typed: booleans, null(), empty(), dates as ISO 8601, numbers in decimal', () => {
    expect(q.eq('archive', true).toString()).toBe('eq(archive,true)');
    expect(q.eq('archive', false).toString()).toBe('eq(archive,false)');
    expect(q.eq('quotaMb', null).toString()).toBe('eq(quotaMb,null())');
    expect(q.ne('plan', null).toString()).toBe('ne(plan,null())');
    expect(q.eq('name', '').toString()).toBe('eq(name,empty())');
    expect(q.ge('created', new Date(Date.UTC(2026, 0, 2, 3, 4, 5))).toString()).toBe(
      'ge(created,2026-01-02T03%3A04%3A05.000Z)',
    );
    expect(q.ge('created', '2026-01-02').toString()).toBe('ge(created,2026-01-02)');
    expect(q.gt('quotaMb', 1e21).toString()).toBe('gt(quotaMb,1e%2B21)');
    expect(() => q.eq('quotaMb', Number.NaN)).toThrow(RangeError);
    expect(() => q.eq('created', new Date('nope'))).toThrow(RangeError);
  });

  it('writes like() with its wildcards kept and everything else encoded', () => {
    expect(q.like('name', 'ad*').toString()).toBe('like(name,ad*)');
    expect(q.like('name', 'a?a (x)*').toString()).toBe('like(name,a?a%20%28x%29*)');
    expect(q.like('name', '50%*').toString()).toBe('like(name,50%25*)');
    expect(() => q.like('name', '')).toThrow('needs a pattern');
  });

  it('writes in() and out() with a parenthesized list', () => {
    expect(q.in('plan', ['basic', 'pro']).toString()).toBe('in(plan,(basic,pro))');
    expect(q.out('quotaMb', [1, 2, null]).toString()).toBe('out(quotaMb,(1,2,null()))');
    expect(() => q.in('plan', [])).toThrow('at least one value');
  });

  it('writes and(), or() and not(), from queries or from functions of an empty one', () => {
    expect(q.or(q.eq('plan', 'pro'), q.gt('quotaMb', 1000)).toString()).toBe('or(eq(plan,pro),gt(quotaMb,1000))');
    // At the top, an and() is written as its parts joined by & (the same query).
    expect(q.and((s) => s.eq('plan', 'pro'), q.lt('quotaMb', 10)).toString()).toBe('eq(plan,pro)&lt(quotaMb,10)');
    expect(q.or(q.eq('archive', true), q.and(q.eq('plan', 'pro'), q.lt('quotaMb', 10))).toString()).toBe(
      'or(eq(archive,true),and(eq(plan,pro),lt(quotaMb,10)))',
    );
    expect(q.not(q.eq('archive', true)).toString()).toBe('not(eq(archive,true))');
    // A sub-query of several conditions is their and().
    expect(q.or(q.eq('plan', 'pro').gt('quotaMb', 10), q.eq('archive', true)).toString()).toBe(
      'or(and(eq(plan,pro),gt(quotaMb,10)),eq(archive,true))',
    );
    // Chained conditions are and-ed by the `&` between them.
    expect(q.eq('plan', 'pro').not(q.eq('name', 'x')).toString()).toBe('eq(plan,pro)&not(eq(name,x))');
    expect(() => q.or()).toThrow('at least one condition');
    expect(() => q.or(q.sort('name'))).toThrow('conditions only');
    expect(() => q.not(q)).toThrow('has no condition');
  });

  it('reaches into structures and the aps fields', () => {
    expect(q.gt('limits.diskMb', 100).toString()).toBe('gt(limits.diskMb,100)');
    expect(q.eq('aps.status', 'aps:ready').toString()).toBe('eq(aps.status,aps%3Aready)');
    expect(q.eq('aps.id', 'f0').sort('aps.modified').toString()).toBe('eq(aps.id,f0)&sort(+aps.modified)');
  });

  it('writes linkedWith() and select() with relations', () => {
    expect(q.linkedWith('7f0e-1').toString()).toBe('linkedWith(7f0e-1)');
    expect(q.linkedWith({ aps: { id: 'a b' } }).toString()).toBe('linkedWith(a%20b)');
    expect(q.select('domain', 'aliases').toString()).toBe('select(domain,aliases)');
  });

  it('writes sort keys ascending with +, descending with -, in order', () => {
    expect(q.sort('name', '+plan', '-quotaMb').toString()).toBe('sort(+name,+plan,-quotaMb)');
    expect(q.sort('name').sort('-quotaMb').toString()).toBe('sort(+name,-quotaMb)');
  });

  it('writes limit() with and without a count (1000, as the spec says), refusing what is no position', () => {
    expect(q.limit(10).toString()).toBe('limit(10,1000)');
    expect(q.limit(0, 2).toString()).toBe('limit(0,2)');
    expect(() => q.limit(-1, 2)).toThrow(RangeError);
    expect(() => q.limit(0, 1.5)).toThrow(RangeError);
  });

  it('puts the terms in one order, whatever the order of the calls: conditions, sort, limit, select', () => {
    const rql = q.limit(0, 5).sort('-name').select('domain').eq('plan', 'pro').lt('quotaMb', 9).toString();
    expect(rql).toBe('eq(plan,pro)&lt(quotaMb,9)&sort(-name)&limit(0,5)&select(domain)');
  });

  it('is immutable: a call answers a new query and leaves the old one as it was', () => {
    const base = q.eq('plan', 'pro');
    const more = base.lt('quotaMb', 1);
    expect(base.toString()).toBe('eq(plan,pro)');
    expect(more.toString()).toBe('eq(plan,pro)&lt(quotaMb,1)');
  });

  it("percent-encodes every character of the spec's reserved list in a value", () => {
    // Space ! # % & ' ( ) , = ; [ ] (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/, Reserved Characters)
    const reserved: Array<[string, string]> = [
      [' ', '%20'],
      ['!', '%21'],
      ['#', '%23'],
      ['%', '%25'],
      ['&', '%26'],
      ["'", '%27'],
      ['(', '%28'],
      [')', '%29'],
      [',', '%2C'],
      ['=', '%3D'],
      [';', '%3B'],
      ['[', '%5B'],
      [']', '%5D'],
    ];
    for (const [ch, encoded] of reserved) expect([ch, text(`a${ch}b`)]).toEqual([ch, `a${encoded}b`]);
    expect(q.eq('name', 'value with space').toString()).toBe('eq(name,value%20with%20space)');
  });

  it('encodes + (a space to a form decoder), * and ? outside like(), and what a URL cannot carry', () => {
    expect(text('a+b')).toBe('a%2Bb');
    expect(text('a*b?')).toBe('a%2Ab%3F');
    expect(text('"<>\\^`{|}')).toBe('%22%3C%3E%5C%5E%60%7B%7C%7D');
    expect(text('é€\n')).toBe('%C3%A9%E2%82%AC%0A');
    expect(text(':/@$|')).toBe('%3A%2F%40%24%7C');
    // Left as they are: letters, digits, and - . _ ~
    expect(text('Az09-._~')).toBe('Az09-._~');
  });

  it("writes text that core's parser reads back as the same values (the controller reads it so)", () => {
    const odd = "a b!#%&'(),=;[]+*?|:/é";
    const parsed = parseRql(q.eq('name', odd).in('plan', ['basic', 'pro']).like('name', 'x*(y)?').toString());
    expect(parsed.where).toMatchObject({
      op: 'and',
      of: [
        { op: 'eq', property: { path: ['name'] }, value: { text: odd } },
        { op: 'in', values: [{ text: 'basic' }, { text: 'pro' }] },
        { op: 'like', pattern: ['x', { wildcard: '*' }, '(y)', { wildcard: '?' }] },
      ],
    });
    expect(parseRql(mailboxes.rql((q) => q.sort('-quotaMb', 'name').limit(3, 4).select('domain')))).toMatchObject({
      where: { op: 'implementing', type: 'http://apskit.test/query/mailbox/1.0' },
      sort: [
        { property: { path: ['quotaMb'] }, descending: true },
        { property: { path: ['name'] }, descending: false },
      ],
      limit: { start: 3, count: 4 },
      select: [{ path: ['domain'] }],
    });
  });
});

/** Compile-time checks (run by `tsc -p tsconfig.json`): property names and values come from the class. */
export function typeChecks(): void {
  void mailboxes.query((q) => q.eq('quotaMb', 10).sort('-quotaMb').limit(0, 20));
  void q.eq('plan', 'pro').gt('limits.diskMb', 5).like('limits.note', 'x*').eq('aps.status', 'aps:ready');
  // @ts-expect-error: no such property
  void q.eq('quota', 10);
  // @ts-expect-error: quotaMb is a number
  void q.eq('quotaMb', '10');
  // @ts-expect-error: not one of the plans
  void q.eq('plan', 'gold');
  // @ts-expect-error: like() matches text only
  void q.like('quotaMb', '1*');
  // @ts-expect-error: no such field in the structure
  void q.gt('limits.cpu', 1);
  // @ts-expect-error: sort by a property the class has
  void q.sort('-quota');
  // @ts-expect-error: select() names relations (object-valued properties), not scalars
  void q.select('quotaMb');
  // @ts-expect-error: in() takes values of the property's type
  void q.in('quotaMb', ['a']);
}
