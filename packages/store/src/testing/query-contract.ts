/**
 * The store contract for resource queries: each operator, nesting, paths into structures, `aps`
 * fields, property names that need quoting, sort with missing values and ties, pages with their
 * total, and link conditions. The answers are the semantics written in ../query, the same in every
 * store (the memory store's evaluator is their definition in JavaScript).
 */
import { ResourceStatus } from '@apskit/core';
import type { FieldPath, QueryValue, ResourceCondition, SortKey } from '../query';
import type { ResourceRecord } from '../records';
import { NOT_COUNTED, type ResourceQuery, type Store } from '../store';

const p = (...path: string[]): FieldPath => ({ property: path });
const aps = (field: 'id' | 'type' | 'status' | 'revision' | 'modified'): FieldPath => ({ aps: field });
const eq = (field: FieldPath, value: QueryValue): ResourceCondition => ({ op: 'eq', field, value });
const ne = (field: FieldPath, value: QueryValue): ResourceCondition => ({ op: 'ne', field, value });
const cmp = (op: 'lt' | 'le' | 'gt' | 'ge', field: FieldPath, value: QueryValue): ResourceCondition => ({
  op,
  field,
  value,
});
const like = (field: FieldPath, pattern: string): ResourceCondition => ({ op: 'like', field, pattern });
const isIn = (field: FieldPath, values: QueryValue[]): ResourceCondition => ({ op: 'in', field, values });
const out = (field: FieldPath, values: QueryValue[]): ResourceCondition => ({ op: 'out', field, values });
const and = (...of: ResourceCondition[]): ResourceCondition => ({ op: 'and', of });
const or = (...of: ResourceCondition[]): ResourceCondition => ({ op: 'or', of });
const not = (of: ResourceCondition): ResourceCondition => ({ op: 'not', of });
const typeIn = (...types: string[]): ResourceCondition => ({ op: 'typeIn', types });
const asc = (field: FieldPath): SortKey => ({ field, descending: false });
const desc = (field: FieldPath): SortKey => ({ field, descending: true });

const MAIL = 'http://example.com/mail/1.0';
const USER = 'http://example.com/user/1.0';

const resource = (
  id: string,
  type: string,
  properties: Record<string, unknown>,
  over: Partial<ResourceRecord> = {},
): ResourceRecord => ({ id, type, status: ResourceStatus.provisioning, revision: 1, modified: 0, properties, ...over });

/** The resources every query case runs on, stored in this order (their creation order). */
const RESOURCES: readonly ResourceRecord[] = [
  resource(
    'm1',
    MAIL,
    {
      name: 'alpha',
      quota: 10,
      active: true,
      limits: { diskMb: 100 },
      tags: ['x'],
      'a"b': 'quote',
      'a.b': 'dot',
      "it's": 'apostrophe',
      'back\\slash': 'backslash',
      'a[0]': 'bracket',
      ключ: 'unicode',
      $: 'dollar',
      '': 'empty',
      'line\nbreak': 'newline',
    },
    { modified: 1000 },
  ),
  resource(
    'm2',
    MAIL,
    { name: 'beta', quota: 20, active: false, limits: { diskMb: 50 }, a: { b: 'nested' } },
    { status: ResourceStatus.ready, revision: 3, modified: 2000 },
  ),
  resource('m3', MAIL, { name: 'gamma', quota: null, limits: null }, { modified: 3000 }),
  resource('m4', MAIL, { name: 'Alpha', quota: '10' }, { modified: 4000 }),
  resource('m5', MAIL, {}, { modified: 5000 }),
  resource('m6', MAIL, { name: 'delta', quota: 10, limits: { diskMb: 100 } }, { modified: 6000 }),
  resource('u1', USER, { name: 'alpha', quota: 5.5 }, { modified: 7000 }),
  resource('u2', USER, { name: 'al*ha?', code: 'a[1]%_', path: 'C:\\dir' }, { modified: 8000 }),
];

/** Registers the query cases in the current describe; `store()` is the test's initialised store. */
export function queryContract(store: () => Store): void {
  async function seeded(): Promise<Store> {
    const s = store();
    // Every case runs with the indexes a controller asks for, names that need quoting among them
    // (made twice: a second start finds them made). The answers are the same without them.
    const indexed = [
      ['name'],
      ['quota'],
      ['active'],
      ['a"b'],
      ['a.b'],
      ["it's"],
      ['back\\slash'],
      ['limits', 'diskMb'],
    ];
    await s.ensurePropertyIndexes?.(indexed);
    await s.ensurePropertyIndexes?.(indexed);
    for (const r of RESOURCES) await s.putResource(r);
    await s.link({ from: 'm1', relation: 'users', to: 'u1' });
    await s.link({ from: 'u2', relation: 'owner', to: 'm2' });
    return s;
  }

  /** Checks the ids a query answers, in order; `label` names the case in a failure. */
  async function expectIds(s: Store, label: string, query: ResourceQuery, expected: string[]): Promise<void> {
    const { items } = await s.listResources(query);
    expect({ label, ids: items.map((r) => r.id) }).toEqual({ label, ids: expected });
  }

  /** Checks the ids a condition matches (with no sort: creation order). */
  const matches = (s: Store, label: string, where: ResourceCondition, expected: string[]) =>
    expectIds(s, label, { where }, expected);

  it('eq, ne and in/out: missing and null alike, a number never equal to a string or a boolean', async () => {
    const s = await seeded();
    await matches(s, 'eq string', eq(p('name'), 'alpha'), ['m1', 'u1']);
    await matches(s, 'eq is case-sensitive', eq(p('name'), 'ALPHA'), []);
    await matches(s, 'eq number', eq(p('quota'), 10), ['m1', 'm6']);
    await matches(s, 'eq fraction', eq(p('quota'), 5.5), ['u1']);
    await matches(s, 'eq string "10"', eq(p('quota'), '10'), ['m4']);
    await matches(s, 'eq null: missing or null', eq(p('quota'), null), ['m3', 'm5', 'u2']);
    await matches(s, 'eq true', eq(p('active'), true), ['m1']);
    await matches(s, 'eq false', eq(p('active'), false), ['m2']);
    await matches(s, 'a boolean is not 1', eq(p('active'), 1), []);
    await matches(s, 'a boolean is not 0', eq(p('active'), 0), []);
    await matches(s, 'ne: distinct from, missing included', ne(p('quota'), 10), ['m2', 'm3', 'm4', 'm5', 'u1', 'u2']);
    await matches(s, 'ne null: has a value', ne(p('quota'), null), ['m1', 'm2', 'm4', 'm6', 'u1']);
    await matches(s, 'an array equals nothing', eq(p('tags'), 'x'), []);
    await matches(s, 'a structure is not null', eq(p('limits'), null), ['m3', 'm4', 'm5', 'u1', 'u2']);
    await matches(s, 'in', isIn(p('quota'), [10, 20]), ['m1', 'm2', 'm6']);
    await matches(s, 'in with null', isIn(p('quota'), [null, 5.5]), ['m3', 'm5', 'u1', 'u2']);
    await matches(s, 'in mixed types', isIn(p('quota'), ['10', 20]), ['m2', 'm4']);
    await matches(s, 'out', out(p('quota'), [10, 20]), ['m3', 'm4', 'm5', 'u1', 'u2']);
    await matches(s, 'out with null', out(p('quota'), [null]), ['m1', 'm2', 'm4', 'm6', 'u1']);
  });

  it('lt, le, gt, ge: within one JSON type only, never with missing or null', async () => {
    const s = await seeded();
    await matches(s, 'lt number', cmp('lt', p('quota'), 20), ['m1', 'm6', 'u1']);
    await matches(s, 'le number', cmp('le', p('quota'), 20), ['m1', 'm2', 'm6', 'u1']);
    await matches(s, 'gt number', cmp('gt', p('quota'), 5.5), ['m1', 'm2', 'm6']);
    await matches(s, 'ge number', cmp('ge', p('quota'), 5.5), ['m1', 'm2', 'm6', 'u1']);
    await matches(s, 'gt fraction', cmp('gt', p('quota'), 9.75), ['m1', 'm2', 'm6']);
    await matches(s, 'lt string', cmp('lt', p('name'), 'beta'), ['m1', 'm4', 'u1', 'u2']);
    await matches(s, 'ge string', cmp('ge', p('name'), 'beta'), ['m2', 'm3', 'm6']);
    await matches(s, 'gt string "1" (strings only)', cmp('gt', p('quota'), '1'), ['m4']);
    await matches(s, 'lt null', cmp('lt', p('quota'), null), []);
    await matches(s, 'ge null', cmp('ge', p('quota'), null), []);
    await matches(s, 'lt boolean', cmp('lt', p('active'), true), ['m2']);
    await matches(s, 'ge boolean', cmp('ge', p('active'), false), ['m1', 'm2']);
    await matches(s, 'not lt: missing included', not(cmp('lt', p('quota'), 20)), ['m2', 'm3', 'm4', 'm5', 'u2']);
  });

  it('like: whole strings, case-sensitive, * and ? only, nothing else special', async () => {
    const s = await seeded();
    await matches(s, 'prefix', like(p('name'), 'al*'), ['m1', 'u1', 'u2']);
    await matches(s, 'one character', like(p('name'), '?lpha'), ['m1', 'm4', 'u1']);
    await matches(s, 'whole string', like(p('name'), 'lph'), []);
    await matches(s, 'inside', like(p('name'), '*lph*'), ['m1', 'm4', 'u1']);
    await matches(s, 'case-sensitive', like(p('name'), 'ALPHA'), []);
    await matches(s, '% is itself', like(p('name'), 'al%'), []);
    await matches(s, '_ is itself', like(p('name'), 'al_ha'), []);
    await matches(s, '* and ? match themselves too', like(p('name'), 'al*ha?'), ['u2']);
    await matches(s, '[ ] % _ literal', like(p('code'), 'a[1]%_'), ['u2']);
    await matches(s, '[ then *', like(p('code'), 'a[*'), ['u2']);
    await matches(s, 'strings only', like(p('quota'), '1*'), ['m4']);
    const escaped = (field: FieldPath, pattern: string): ResourceCondition => ({
      op: 'like',
      field,
      pattern,
      escaped: true,
    });
    await matches(s, 'escaped: \\* and \\? are themselves', escaped(p('name'), 'al\\*ha\\?'), ['u2']);
    await matches(s, 'escaped: \\* is not a wildcard', escaped(p('name'), 'al\\*'), []);
    await matches(s, 'escaped: wildcards beside', escaped(p('name'), '*\\*?a\\?'), ['u2']);
    await matches(s, 'escaped: \\\\ is a backslash', escaped(p('path'), 'C:\\\\*'), ['u2']);
    await matches(s, 'not escaped: a backslash is itself', like(p('path'), 'C:\\*'), ['u2']);
    await matches(s, 'escaped: [ % _ literal', escaped(p('code'), 'a\\[1]%\\_'), ['u2']);
    await matches(s, 'not escaped: \\ is itself', like(p('name'), 'al\\*'), []);
    await matches(s, 'not like: missing included', not(like(p('name'), '*a')), ['m5', 'u2']);
  });

  it('and, or, not nest; typeIn; and() matches all, or() none', async () => {
    const s = await seeded();
    await matches(s, 'typeIn one', typeIn(USER), ['u1', 'u2']);
    await matches(
      s,
      'typeIn two',
      typeIn(MAIL, USER),
      RESOURCES.map((r) => r.id),
    );
    await matches(s, 'typeIn none', typeIn(), []);
    await matches(
      s,
      'and()',
      and(),
      RESOURCES.map((r) => r.id),
    );
    await matches(s, 'or()', or(), []);
    await matches(s, 'nested', and(typeIn(MAIL), or(eq(p('quota'), 20), not(cmp('lt', p('quota'), 15)))), [
      'm2',
      'm3',
      'm4',
      'm5',
    ]);
    await matches(s, 'not not', not(not(eq(p('name'), 'beta'))), ['m2']);
    await matches(
      s,
      'or of ands',
      or(and(typeIn(USER), eq(p('name'), 'alpha')), and(typeIn(MAIL), eq(p('active'), false))),
      ['m2', 'u1'],
    );
    await matches(s, 'not of or', not(or(typeIn(MAIL), eq(p('name'), 'alpha'))), ['u2']);
    await expectIds(s, 'with type', { type: MAIL, where: eq(p('name'), 'alpha') }, ['m1']);
  });

  it('paths into structures, aps fields, and property names that need quoting', async () => {
    const s = await seeded();
    await matches(s, 'structure field', eq(p('limits', 'diskMb'), 100), ['m1', 'm6']);
    await matches(s, 'structure field gt', cmp('gt', p('limits', 'diskMb'), 60), ['m1', 'm6']);
    await matches(s, 'through null or missing', eq(p('limits', 'diskMb'), null), ['m3', 'm4', 'm5', 'u1', 'u2']);
    await matches(
      s,
      'through a string',
      eq(p('name', 'length'), null),
      RESOURCES.map((r) => r.id),
    );
    await matches(s, 'nested a.b', eq(p('a', 'b'), 'nested'), ['m2']);
    await matches(s, 'flat "a.b"', eq(p('a.b'), 'dot'), ['m1']);
    await matches(s, 'flat "a.b" is not a → b', eq(p('a.b'), 'nested'), []);
    await matches(s, 'double quote', eq(p('a"b'), 'quote'), ['m1']);
    await matches(s, 'apostrophe', eq(p("it's"), 'apostrophe'), ['m1']);
    await matches(s, 'backslash', eq(p('back\\slash'), 'backslash'), ['m1']);
    await matches(s, 'brackets', eq(p('a[0]'), 'bracket'), ['m1']);
    await matches(s, 'unicode', eq(p('ключ'), 'unicode'), ['m1']);
    await matches(s, 'dollar', eq(p('$'), 'dollar'), ['m1']);
    await matches(s, 'empty name', eq(p(''), 'empty'), ['m1']);
    await matches(s, 'line break', eq(p('line\nbreak'), 'newline'), ['m1']);
    await matches(
      s,
      'sql in a name',
      eq(p("x') OR 1=1 --"), null),
      RESOURCES.map((r) => r.id),
    );
    await matches(s, 'aps.id', eq(aps('id'), 'm2'), ['m2']);
    await matches(s, 'aps.type', eq(aps('type'), USER), ['u1', 'u2']);
    await matches(s, 'aps.status', eq(aps('status'), ResourceStatus.ready), ['m2']);
    await matches(s, 'aps.revision', cmp('gt', aps('revision'), 1), ['m2']);
    await matches(s, 'aps.revision is a number', eq(aps('revision'), '3'), []);
    await matches(s, 'aps.modified', cmp('ge', aps('modified'), 7000), ['u1', 'u2']);
    await matches(s, 'aps.id like', like(aps('id'), 'u*'), ['u1', 'u2']);
  });

  it('sorts with missing and null first ascending, last descending, ties in creation order (newest first after a descending key)', async () => {
    const s = await seeded();
    // m4's quota is a string: left out, since the order across JSON types is each store's own.
    const mail = and(typeIn(MAIL), ne(aps('id'), 'm4'));
    await expectIds(s, 'asc', { where: mail, sort: [asc(p('quota'))] }, ['m3', 'm5', 'm1', 'm6', 'm2']);
    await expectIds(s, 'desc', { where: mail, sort: [desc(p('quota'))] }, ['m2', 'm6', 'm1', 'm5', 'm3']);
    await expectIds(s, 'asc, then desc', { where: mail, sort: [asc(p('quota')), desc(p('name'))] }, [
      'm3',
      'm5',
      'm6',
      'm1',
      'm2',
    ]);
    await expectIds(
      s,
      'desc, then asc: ties oldest first',
      { where: mail, sort: [desc(p('quota')), asc(p('active'))] },
      ['m2', 'm6', 'm1', 'm3', 'm5'],
    );
    await expectIds(s, 'structure field', { where: mail, sort: [desc(p('limits', 'diskMb'))] }, [
      'm6',
      'm1',
      'm2',
      'm5',
      'm3',
    ]);
    await expectIds(s, 'strings', { where: typeIn(MAIL), sort: [asc(p('name'))] }, [
      'm5',
      'm4',
      'm1',
      'm2',
      'm6',
      'm3',
    ]);
    await expectIds(s, 'aps field', { sort: [desc(aps('modified'))] }, [
      'u2',
      'u1',
      'm6',
      'm5',
      'm4',
      'm3',
      'm2',
      'm1',
    ]);
    await expectIds(s, 'aps revision, ties', { where: typeIn(MAIL), sort: [desc(aps('revision'))] }, [
      'm2',
      'm6',
      'm5',
      'm4',
      'm3',
      'm1',
    ]);
    await expectIds(s, 'tricky name', { sort: [desc(p('a"b'))] }, ['m1', 'u2', 'u1', 'm6', 'm5', 'm4', 'm3', 'm2']);
  });

  it('pages with offset and limit, the total counted with the same filter', async () => {
    const s = await seeded();
    const mail = and(typeIn(MAIL), ne(aps('id'), 'm4'));
    const page = await s.listResources({ where: mail, sort: [asc(p('quota'))], offset: 1, limit: 2 });
    expect({ ids: page.items.map((r) => r.id), total: page.total }).toEqual({ ids: ['m5', 'm1'], total: 5 });
    const past = await s.listResources({ where: mail, offset: 10, limit: 2 });
    expect({ ids: past.items.map((r) => r.id), total: past.total }).toEqual({ ids: [], total: 5 });
    const none = await s.listResources({ where: eq(p('name'), 'nobody'), limit: 10 });
    expect(none).toEqual({ items: [], total: 0 });
    const typed = await s.listResources({ type: USER, offset: 1, limit: 5 });
    expect({ ids: typed.items.map((r) => r.id), total: typed.total }).toEqual({ ids: ['u2'], total: 2 });
    const zero = await s.listResources({ where: typeIn(MAIL), limit: 0 });
    expect({ ids: zero.items.map((r) => r.id), total: zero.total }).toEqual({ ids: [], total: 6 });
    // Whole records come back, as stored.
    expect((await s.listResources({ where: eq(aps('id'), 'm2') })).items).toEqual([RESOURCES[1]]);
  });

  it('total: false answers the same page with no total counted (NOT_COUNTED)', async () => {
    const s = await seeded();
    // A keyset walk by id, as the usage sync pages: the same items as with the total, in order.
    const walk = async (total?: false): Promise<{ pages: string[][]; totals: number[] }> => {
      const pages: string[][] = [];
      const totals: number[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await s.listResources({
          where: after === undefined ? undefined : cmp('gt', aps('id'), after),
          sort: [asc(aps('id'))],
          limit: 3,
          ...(total === false ? { total } : {}),
        });
        pages.push(page.items.map((r) => r.id));
        totals.push(page.total);
        if (page.items.length < 3) return { pages, totals };
        after = page.items[page.items.length - 1].id;
      }
    };
    const counted = await walk();
    const uncounted = await walk(false);
    expect(uncounted.pages).toEqual(counted.pages);
    expect(counted.pages.flat()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'u1', 'u2']);
    expect(counted.totals).toEqual([8, 5, 2]);
    expect(uncounted.totals).toEqual([NOT_COUNTED, NOT_COUNTED, NOT_COUNTED]);
    // By type alone (the stores' per-type counts) too.
    expect(await s.listResources({ type: USER, limit: 1, total: false })).toEqual({
      items: [RESOURCES.find((r) => r.id === 'u1')],
      total: NOT_COUNTED,
    });
  });

  it('totals of queries by type alone follow inserts, rewrites, type changes and deletes', async () => {
    const s = await seeded();
    const total = async (query: ResourceQuery) => (await s.listResources({ ...query, limit: 1 })).total;
    const totals = async () => [
      await total({}),
      await total({ type: MAIL }),
      await total({ where: typeIn(USER) }),
      await total({ where: typeIn(MAIL, USER, MAIL) }),
      await total({ where: and(typeIn(MAIL, USER), typeIn(USER)) }),
      await total({ where: and(typeIn(MAIL), typeIn(USER)) }),
      await total({ type: USER, where: typeIn(MAIL) }),
    ];
    expect(await totals()).toEqual([8, 6, 2, 8, 2, 0, 0]);
    await s.putResource({ ...RESOURCES[0], revision: 2 }); // a rewrite: no new resource
    await s.putResource({ ...RESOURCES[1], type: USER, revision: 4 }, 3); // m2 becomes a user
    await s.deleteResource('m3');
    await s.deleteResource('nobody');
    expect(await totals()).toEqual([7, 4, 3, 7, 3, 0, 0]);
    await s.putResource(resource('u3', USER, {}));
    expect(await totals()).toEqual([8, 4, 4, 8, 4, 0, 0]);
    expect((await s.listResources({ where: typeIn(USER), limit: 10 })).items.map((r) => r.id)).toEqual([
      'm2',
      'u1',
      'u2',
      'u3',
    ]);
  });

  it('linkedWith (either direction) and linkedFrom (the members of a relation)', async () => {
    const s = await seeded();
    await matches(s, 'linkedWith, from side', { op: 'linkedWith', id: 'm1' }, ['u1']);
    await matches(s, 'linkedWith, to side', { op: 'linkedWith', id: 'u1' }, ['m1']);
    await matches(s, 'linkedWith the other way', { op: 'linkedWith', id: 'm2' }, ['u2']);
    await matches(s, 'linkedWith nothing', { op: 'linkedWith', id: 'nobody' }, []);
    await matches(s, 'linkedFrom', { op: 'linkedFrom', from: 'm1', relation: 'users' }, ['u1']);
    await matches(s, 'linkedFrom, other relation', { op: 'linkedFrom', from: 'm1', relation: 'owner' }, []);
    await matches(s, 'linkedFrom is one way', { op: 'linkedFrom', from: 'u1', relation: 'users' }, []);
    await matches(s, 'not linkedWith', and(typeIn(USER), not({ op: 'linkedWith', id: 'm1' })), ['u2']);
    await matches(
      s,
      'linked, or',
      or({ op: 'linkedWith', id: 'm1' }, { op: 'linkedFrom', from: 'u2', relation: 'owner' }),
      ['m2', 'u1'],
    );
    await s.changeLinks([{ from: 'm1', relation: 'users', to: 'u1' }], [{ from: 'm1', relation: 'users', to: 'u2' }]);
    await matches(s, 'after a relink', { op: 'linkedFrom', from: 'm1', relation: 'users' }, ['u2']);
  });
}
