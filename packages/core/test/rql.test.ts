/**
 * The RQL parser and writer against APS's RQL page (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/):
 * every function and operator, both the function and the `prop=op=value` forms, `&`/`,`/`|`/`;`
 * and parentheses, percent-encoding of reserved characters, typed literals, and malformed queries
 * answered with their position and reason.
 */
import {
  encodeRqlText,
  encodeRqlValue,
  formatRql,
  parseRql,
  rqlValue,
  RqlSyntaxError,
  type RqlCondition,
  type RqlQuery,
  type RqlValue,
} from '@apskit/core';

/** The tree without positions, for comparing shapes. */
function bare<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (k, v: unknown) => (/^(position|sortPosition|selectPosition)$/.test(k) ? undefined : v)),
  ) as T;
}

const where = (rql: string): RqlCondition | undefined => bare(parseRql(rql).where);
const prop = (path: string) => ({ path: path.split('.') });
const val = (text: string, value: string | number | boolean | null = text) => ({ text, value });

function syntaxError(rql: string): RqlSyntaxError {
  try {
    parseRql(rql);
  } catch (e) {
    if (e instanceof RqlSyntaxError) return e;
    throw e;
  }
  throw new Error(`parsed: ${rql}`);
}

describe('RQL comparisons (function form and prop=op=value)', () => {
  it.each(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const)('%s(prop,value) and prop=%s=value', (op) => {
    const expected = { op, property: prop('quotaMb'), value: val('10', 10) };
    expect(where(`${op}(quotaMb,10)`)).toEqual(expected);
    expect(where(`quotaMb=${op}=10`)).toEqual(expected);
  });

  it('prop=value is eq', () => {
    expect(where('name=Gold')).toEqual({ op: 'eq', property: prop('name'), value: val('Gold') });
  });

  it('reads paths into structures and aps fields', () => {
    expect(where('eq(limits.diskMb,5)')).toMatchObject({ property: prop('limits.diskMb') });
    expect(where('aps.status=aps:ready')).toEqual({ op: 'eq', property: prop('aps.status'), value: val('aps:ready') });
  });

  it('like() keeps * and ? as wildcards and %2A / %3F as literal characters', () => {
    expect(where('like(name,Jo*n?)')).toEqual({
      op: 'like',
      property: prop('name'),
      pattern: ['Jo', { wildcard: '*' }, 'n', { wildcard: '?' }],
    });
    expect(where('like(name,*a%2Ab%3F*)')).toEqual({
      op: 'like',
      property: prop('name'),
      pattern: [{ wildcard: '*' }, 'a*b?', { wildcard: '*' }],
    });
    expect(where('name=like=%20x*')).toEqual({
      op: 'like',
      property: prop('name'),
      pattern: [' x', { wildcard: '*' }],
    });
  });

  it('in() and out() take a list in parentheses (or the values as further arguments), and =in= too', () => {
    const gold = { op: 'in', property: prop('name'), values: [val('Silver'), val('Gold')] };
    expect(where('in(name,(Silver,Gold))')).toEqual(gold);
    expect(where('in(name,Silver,Gold)')).toEqual(gold);
    expect(where('name=in=(Silver,Gold)')).toEqual(gold);
    expect(where('out(name,(Platinum,Gold))')).toEqual({
      op: 'out',
      property: prop('name'),
      values: [val('Platinum'), val('Gold')],
    });
    expect(where('in(name,())')).toEqual({ op: 'in', property: prop('name'), values: [] });
  });

  it('implementing(), composing() and linkedWith() take a type ID and a resource ID', () => {
    expect(where('implementing(http://aps-standard.org/samples/offer/1.0)')).toEqual({
      op: 'implementing',
      type: 'http://aps-standard.org/samples/offer/1.0',
    });
    expect(where('implementing(http%3A%2F%2Fx%2Fy%2F1.0)')).toEqual({ op: 'implementing', type: 'http://x/y/1.0' });
    expect(where('composing(http://x/y/1.0)')).toEqual({ op: 'composing', type: 'http://x/y/1.0' });
    expect(where('linkedWith(220aa29a-4ff4-460b-963d-f4a3ba093a0a)')).toEqual({
      op: 'linkedWith',
      id: '220aa29a-4ff4-460b-963d-f4a3ba093a0a',
    });
  });
});

describe('RQL logic', () => {
  const a = { op: 'eq', property: prop('a'), value: val('1', 1) };
  const b = { op: 'eq', property: prop('b'), value: val('2', 2) };
  const c = { op: 'eq', property: prop('c'), value: val('3', 3) };

  it('and(), or(), not() in function form', () => {
    expect(where('and(a=1,b=2)')).toEqual({ op: 'and', of: [a, b] });
    expect(where('or(eq(a,1),eq(b,2),c=3)')).toEqual({ op: 'or', of: [a, b, c] });
    expect(where('not(a=1)')).toEqual({ op: 'not', of: a });
    expect(where('not(or(a=1,b=2))')).toEqual({ op: 'not', of: { op: 'or', of: [a, b] } });
  });

  it('& and , are and; | and ; are or; & binds tighter than |; parentheses group', () => {
    expect(where('a=1&b=2')).toEqual({ op: 'and', of: [a, b] });
    expect(where('a=1,b=2')).toEqual({ op: 'and', of: [a, b] });
    expect(where('a=1|b=2')).toEqual({ op: 'or', of: [a, b] });
    expect(where('a=1;b=2')).toEqual({ op: 'or', of: [a, b] });
    expect(where('a=1|b=2&c=3')).toEqual({ op: 'or', of: [a, { op: 'and', of: [b, c] }] });
    expect(where('(a=1|b=2)&c=3')).toEqual({ op: 'and', of: [{ op: 'or', of: [a, b] }, c] });
    // The spec's own example: implementing(<type>),(prop1=eq=1|prop2=ge=2)
    expect(where('implementing(T),(a=eq=1|b=ge=2)')).toEqual({
      op: 'and',
      of: [
        { op: 'implementing', type: 'T' },
        { op: 'or', of: [a, { ...b, op: 'ge' }] },
      ],
    });
  });

  it('| and & work inside a function argument; , separates arguments there', () => {
    expect(where('and(a=1|b=2,c=3)')).toEqual({ op: 'and', of: [{ op: 'or', of: [a, b] }, c] });
  });
});

describe('RQL limit(), sort(), select()', () => {
  it('limit(start,count), and limit(start) counts 1000', () => {
    expect(bare(parseRql('limit(10,20)').limit)).toEqual({ start: 10, count: 20 });
    expect(bare(parseRql('limit(10)').limit)).toEqual({ start: 10, count: 1000 });
  });

  it('sort(+a,-b,c): ascending unless -', () => {
    expect(bare(parseRql('sort(+a,-b.c,d)').sort)).toEqual([
      { property: prop('a'), descending: false },
      { property: prop('b.c'), descending: true },
      { property: prop('d'), descending: false },
    ]);
    // A + sent percent-encoded (as a form encoder would) reads the same.
    expect(bare(parseRql('sort(%2Ba)').sort)).toEqual([{ property: prop('a'), descending: false }]);
  });

  it('select(rel,…) names relations', () => {
    expect(bare(parseRql('select(user,account)').select)).toEqual([prop('user'), prop('account')]);
  });

  it('they stand beside the conditions at the top level or in a top-level and(), in any order', () => {
    const q = bare(parseRql('limit(0,2)&implementing(T)&sort(-a)&select(u)&b=1'));
    expect(q).toEqual({
      where: {
        op: 'and',
        of: [
          { op: 'implementing', type: 'T' },
          { op: 'eq', property: prop('b'), value: val('1', 1) },
        ],
      },
      limit: { start: 0, count: 2 },
      sort: [{ property: prop('a'), descending: true }],
      select: [prop('u')],
    });
    // The spec's example: and(limit(0,2),like(name,*L*))
    expect(bare(parseRql('and(limit(0,2),like(name,*L*))'))).toEqual({
      where: { op: 'like', property: prop('name'), pattern: [{ wildcard: '*' }, 'L', { wildcard: '*' }] },
      limit: { start: 0, count: 2 },
    });
  });

  it('an empty query asks nothing', () => {
    expect(parseRql('')).toEqual({});
  });
});

describe('RQL values', () => {
  const value = (text: string) => bare((parseRql(`eq(p,${text})`).where as { value: RqlValue }).value);

  it('reads numbers, true/false and null, and keeps the raw text for a string property', () => {
    expect(value('10')).toEqual({ text: '10', value: 10 });
    expect(value('-2.5e3')).toEqual({ text: '-2.5e3', value: -2500 });
    expect(value('007')).toEqual({ text: '007', value: 7 });
    expect(value('true')).toEqual({ text: 'true', value: true });
    expect(value('false')).toEqual({ text: 'false', value: false });
    expect(value('null')).toEqual({ text: 'null', value: null });
    expect(value('Gold')).toEqual({ text: 'Gold', value: 'Gold' });
    expect(value('2024-05-01T12:00:00Z')).toEqual({ text: '2024-05-01T12:00:00Z', value: '2024-05-01T12:00:00Z' });
  });

  it('null(), true(), false(), empty() are values written as functions', () => {
    expect(value('null()')).toEqual({ text: '', value: null, special: 'null' });
    expect(value('true()')).toEqual({ text: 'true', value: true, special: 'true' });
    expect(value('false()')).toEqual({ text: 'false', value: false, special: 'false' });
    expect(value('empty()')).toEqual({ text: '', value: '', special: 'empty' });
  });

  it('percent-decodes each value after the query is split, so %2C, %28, %26, %3D are characters of the value', () => {
    expect(value('a%2Cb%28c%29%26d%3De%7Cf%3Bg')).toEqual({ text: 'a,b(c)&d=e|f;g', value: 'a,b(c)&d=e|f;g' });
    expect(value('value%20with%20space')).toEqual({ text: 'value with space', value: 'value with space' });
    expect(value('%E2%82%AC%2510')).toEqual({ text: '€%10', value: '€%10' });
    expect(value('%31%30')).toEqual({ text: '10', value: 10 });
  });
});

describe('RQL writer', () => {
  it('encodes every reserved character, * and ?, and non-ASCII', () => {
    expect(encodeRqlText(" !#%&'(),=;[]*?|")).toBe('%20%21%23%25%26%27%28%29%2C%3D%3B%5B%5D%2A%3F%7C');
    expect(encodeRqlText('Zoë')).toBe('Zo%C3%AB');
    expect(encodeRqlText('a-b_c.d~e')).toBe('a-b_c.d~e');
  });

  it('writes values: null(), empty(), true/false, numbers, dates, text', () => {
    expect(encodeRqlValue(null)).toBe('null()');
    expect(encodeRqlValue('')).toBe('empty()');
    expect(encodeRqlValue(true)).toBe('true');
    expect(encodeRqlValue(-2.5)).toBe('-2.5');
    expect(encodeRqlValue(new Date(Date.UTC(2024, 4, 1)))).toBe('2024-05-01T00%3A00%3A00.000Z');
    expect(encodeRqlValue('a,b')).toBe('a%2Cb');
    expect(() => encodeRqlValue(Number.NaN)).toThrow(RangeError);
  });

  it('writes what reads back as the same query', () => {
    const queries = [
      'implementing(http://x/y/1.0)&quotaMb=gt=10&(name=a%2Cb|not(like(name,*x%2A?)))&sort(+a,-b.c)&limit(5,20)&select(user)',
      'in(name,(Silver,Gold,empty(),null()))&out(n,(1,2))&linkedWith(abc)&composing(T)',
      'eq(a,true())&ne(b,false)&lt(c,-1)&le(d,2)&ge(e,%E2%82%AC)',
    ];
    for (const text of queries) {
      const parsed = parseRql(text);
      expect(bare(parseRql(formatRql(parsed)))).toEqual(bare(parsed));
    }
  });

  it('writes a hand-built query', () => {
    const q: RqlQuery = {
      where: {
        op: 'and',
        of: [
          { op: 'implementing', type: 'http://x/y/1.0' },
          { op: 'eq', property: prop('name'), value: rqlValue('a b') },
          { op: 'in', property: prop('n'), values: [rqlValue(1), rqlValue(null), rqlValue('')] },
        ],
      },
      sort: [{ property: prop('n'), descending: true }],
      limit: { start: 0, count: 10 },
    };
    expect(formatRql(q)).toBe(
      'implementing(http%3A%2F%2Fx%2Fy%2F1.0)&eq(name,a%20b)&in(n,(1,null(),empty()))&sort(-n)&limit(0,10)',
    );
  });
});

describe('malformed RQL: a 400 naming the position and the reason', () => {
  it.each([
    ['eq(a,1', 6, 'expected ")" to close eq('],
    ['eq(a,1))', 7, 'unexpected ")"'],
    ['eq(a b)', 4, 'reserved: write it as %20'],
    ["eq(a,'b')", 5, 'reserved: write it as %27'],
    ['a!=1', 1, 'reserved'],
    ['eq(a,%zz)', 5, '"%" must start an escape'],
    ['eq(a,%C3)', 5, 'malformed percent-encoding'],
    ['foo(1)', 0, 'unknown query function foo()'],
    ['a=1&&b=2', 4, 'expected a query function or a comparison'],
    ['a=1&', 4, 'expected a query function or a comparison, found the end of the query'],
    ['name', 4, 'expected "(" or "="'],
    ['eq(a)', 0, 'eq() takes a property and a value'],
    ['eq(a,)', 5, 'expected a value'],
    ['eq(a,(1,2))', 5, 'a single value here, not a list'],
    ['eq(a,foo())', 5, 'foo() cannot stand for a value'],
    ['a=bogus=1', 2, '"bogus" is not an operator'],
    ['eq(a..b,1)', 3, 'not a property path'],
    ['limit(a)', 6, 'limit() takes whole numbers'],
    ['limit(-1,2)', 6, 'limit() takes whole numbers'],
    ['limit(1,2,3)', 0, 'limit() takes a start and an optional count'],
    ['limit(0,1)&limit(2,3)', 11, 'limit() is given twice'],
    ['or(limit(0,1),a=1)', 3, 'cannot stand inside or()'],
    ['a=1|b=2&sort(+a)', 8, '& binds first'],
    ['sort()', 0, 'sort() needs at least one property'],
    ['sort(+)', 5, 'expects a property after "+"'],
    ['not(a=1,b=2)', 0, 'not() takes one query'],
    ['and()', 0, 'and() needs at least one query'],
    ['null()', 0, 'null() is a value, not a query'],
    ['(a=1', 4, 'to close the "(" at position 0'],
    ['in(name)', 0, 'in() takes a property and a list of values'],
    ['implementing((a,b))', 13, 'implementing() expects a type ID here, not a list'],
  ])('%s → position %d', (rql, position, reason) => {
    const e = syntaxError(rql);
    expect(e.position).toBe(position);
    expect(e.reason).toContain(reason);
    expect(e.status).toBe(400);
    expect(e.toJSON()).toMatchObject({
      code: 400,
      error: 'BadRequest',
      message: expect.stringContaining(`position ${position}`),
      details: [{ field: 'rql', position, message: e.reason }],
    });
  });
});
