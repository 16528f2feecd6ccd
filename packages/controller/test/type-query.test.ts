/**
 * RQL on types in memory (queryTypes, behind GET /aps/2/types; docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/):
 * implementing() and composing() through `implements`, comparisons and like() on id/name/apsVersion,
 * sort, limit, and the 400s for what types cannot answer.
 */
import { CoreTypes, type ApsSchema } from '@apskit/core';
import { queryTypes } from '../src/query/type-query';

const BASE = 'http://apskit.test/tq/base/1.0';
const MID = 'http://apskit.test/tq/mid/1.0';
const LEAF = 'http://apskit.test/tq/leaf/1.0';
const OTHER = 'http://apskit.test/tq/other/2.0';
const schemas: ApsSchema[] = [
  { name: 'base', id: BASE, apsVersion: '2.0', implements: [CoreTypes.resource] },
  { name: 'mid', id: MID, apsVersion: '2.0', implements: [BASE] },
  { name: 'leaf', id: LEAF, apsVersion: '2.0', implements: [MID] },
  { name: 'other', id: OTHER, apsVersion: '2.0' },
];
const names = (rql: string): string[] => queryTypes(schemas, rql).items.map((s) => s.name);

describe('queryTypes', () => {
  it('implementing(T): T and what implements it, through other types; the core resource type: all', () => {
    expect(names(`implementing(${BASE})`)).toEqual(['base', 'mid', 'leaf']);
    expect(names(`implementing(${MID})`)).toEqual(['mid', 'leaf']);
    expect(names(`implementing(${CoreTypes.resource})`)).toEqual(['base', 'mid', 'leaf', 'other']);
  });

  it('composing(T): T and what it implements', () => {
    expect(names(`composing(${LEAF})`)).toEqual(['base', 'mid', 'leaf']);
    expect(names(`composing(${OTHER})`)).toEqual(['other']);
  });

  it('compares id (or aps.id), name and apsVersion; like, in, out, not, sort; limit is returned', () => {
    expect(names(`id=${encodeURIComponent(OTHER)}`)).toEqual(['other']);
    expect(names(`aps.id=${OTHER}`)).toEqual(['other']);
    expect(names('like(name,*e*)')).toEqual(['base', 'leaf', 'other']);
    expect(names('like(name,?i?)')).toEqual(['mid']);
    expect(names('in(name,(leaf,mid))&sort(+name)')).toEqual(['leaf', 'mid']);
    expect(names('out(name,(leaf,mid))&sort(-name)')).toEqual(['other', 'base']);
    expect(names('not(name=base)|name=base')).toHaveLength(4);
    expect(names('gt(name,l)')).toEqual(['mid', 'leaf', 'other']);
    expect(queryTypes(schemas, 'limit(1,2)').limit).toMatchObject({ start: 1, count: 2 });
  });

  it.each([
    ['eq(colour,red)', 3, /unknown property "colour"/],
    ['sort(-colour)', 6, /unknown property "colour"/],
    ['linkedWith(x)', 0, /types have none/],
    ['name=base&select(user)', 10, /types have none/],
    ['eq(name', 7, /expected "\)"/],
  ])('%s: a 400 at position %d', (rql, position, reason) => {
    try {
      queryTypes(schemas, rql);
      throw new Error('no error');
    } catch (e) {
      expect(e).toMatchObject({ status: 400, position, reason: expect.stringMatching(reason) });
    }
  });
});
