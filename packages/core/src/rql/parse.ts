/**
 * A small recursive-descent parser for APS's RQL (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/):
 *
 *   query      := '' | or
 *   or         := and (('|' | ';') and)*
 *   and        := primary (('&' | ',') primary)*      ',' joins only outside a function's arguments
 *   primary    := '(' or ')' | name '(' args ')' | path '=' value | path '=' name '=' value
 *   value      := word | name '()' | '(' value (',' value)* ')'
 *
 * `&` binds tighter than `|` (FIQL's rule; the spec gives none). A word is cut at the delimiters
 * `( ) , & | ; =` and then percent-decoded on its own, so `%2C` is a comma inside a value, never a
 * separator. Characters the spec reserves (space, `!`, `#`, `'`, `[`, `]`) must arrive encoded.
 * `limit()`, `sort()` and `select()` may stand only where they apply to the whole query: at the top
 * level or in a top-level `and`. Every mistake is an RqlSyntaxError with its position.
 */
import {
  RQL_DEFAULT_LIMIT,
  type RqlComparison,
  type RqlCondition,
  type RqlLikePart,
  type RqlLimit,
  type RqlProperty,
  type RqlQuery,
  type RqlSortKey,
  type RqlSpecial,
  type RqlValue,
} from './ast';
import { RqlSyntaxError } from './rql-error';

interface Word {
  /** As written, percent-encoded. */
  readonly raw: string;
  readonly position: number;
}

/** A function's argument before its function gives it a meaning. */
type Arg =
  | { readonly kind: 'word'; readonly word: Word }
  | { readonly kind: 'special'; readonly special: RqlSpecial; readonly position: number }
  | { readonly kind: 'list'; readonly items: readonly Arg[]; readonly position: number };

/** A parsed piece of the query: a condition, or one of the parts that shape the list. */
type Expr =
  | { readonly op: 'and' | 'or'; readonly of: readonly Expr[]; readonly position: number }
  | { readonly op: 'not'; readonly of: Expr; readonly position: number }
  | { readonly op: 'condition'; readonly condition: RqlCondition; readonly position: number }
  | { readonly op: 'limit'; readonly limit: RqlLimit; readonly position: number }
  | { readonly op: 'sort'; readonly keys: readonly RqlSortKey[]; readonly position: number }
  | { readonly op: 'select'; readonly relations: readonly RqlProperty[]; readonly position: number };

const DELIMITERS = new Set(['(', ')', ',', '&', '|', ';', '=']);
/** Reserved by the spec and not delimiters here: they must be percent-encoded. */
const MUST_ENCODE = new Set([' ', '!', '#', "'", '[', ']']);
const COMPARISONS: ReadonlySet<string> = new Set<RqlComparison>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const SPECIALS: ReadonlySet<string> = new Set<RqlSpecial>(['null', 'true', 'false', 'empty']);
/** The operators `path=op=value` may name. */
const INFIX_OPERATORS = new Set([...COMPARISONS, 'like', 'in', 'out']);
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const NAME = /^[A-Za-z]+$/;

/** The query that RQL text asks; throws RqlSyntaxError, with the position, when it is malformed. */
export function parseRql(text: string): RqlQuery {
  if (text === '') return {};
  const parser = new Parser(text);
  const expr = parser.parseOr(true);
  parser.expectEnd();
  return splitQuery(expr);
}

/** Percent-decodes a word; a malformed escape is an error at the word. */
function decode(word: Word): string {
  try {
    return decodeURIComponent(word.raw);
  } catch {
    throw new RqlSyntaxError(word.position, `"${word.raw}" has a malformed percent-encoding`);
  }
}

function describe(ch: string | undefined): string {
  return ch === undefined ? 'the end of the query' : `"${ch}"`;
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private fail(position: number, reason: string): never {
    throw new RqlSyntaxError(position, reason);
  }

  private expect(ch: string, what: string): void {
    if (this.peek() !== ch) this.fail(this.pos, `expected "${ch}" ${what}, found ${describe(this.peek())}`);
    this.pos++;
  }

  expectEnd(): void {
    if (this.pos < this.text.length) this.fail(this.pos, `unexpected ${describe(this.peek())}`);
  }

  /** The word at the cursor (possibly none), its escapes checked but not yet decoded. */
  private word(): Word | undefined {
    const start = this.pos;
    for (let ch = this.peek(); ch !== undefined && !DELIMITERS.has(ch); ch = this.peek()) {
      if (MUST_ENCODE.has(ch) || ch < ' ' || ch === '\u007f') {
        const code = ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
        this.fail(this.pos, `the character ${JSON.stringify(ch)} is reserved: write it as %${code}`);
      }
      if (ch === '%' && !/^%[0-9A-Fa-f]{2}/.test(this.text.slice(this.pos, this.pos + 3)))
        this.fail(this.pos, '"%" must start an escape of two hex digits (write a percent sign as %25)');
      this.pos++;
    }
    return this.pos > start ? { raw: this.text.slice(start, this.pos), position: start } : undefined;
  }

  parseOr(commaJoins: boolean): Expr {
    const first = this.parseAnd(commaJoins);
    const of = [first];
    while (this.peek() === '|' || this.peek() === ';') {
      this.pos++;
      of.push(this.parseAnd(commaJoins));
    }
    return of.length === 1 ? first : { op: 'or', of, position: first.position };
  }

  private parseAnd(commaJoins: boolean): Expr {
    const first = this.parsePrimary();
    const of = [first];
    while (this.peek() === '&' || (commaJoins && this.peek() === ',')) {
      this.pos++;
      of.push(this.parsePrimary());
    }
    return of.length === 1 ? first : { op: 'and', of, position: first.position };
  }

  private parsePrimary(): Expr {
    const start = this.pos;
    if (this.peek() === '(') {
      this.pos++;
      const inner = this.parseOr(true);
      this.expect(')', `to close the "(" at position ${start}`);
      return inner;
    }
    const name = this.word();
    if (!name) this.fail(this.pos, `expected a query function or a comparison, found ${describe(this.peek())}`);
    if (this.peek() === '(') return this.parseCall(name);
    if (this.peek() === '=') return this.parseComparison(name);
    return this.fail(
      this.pos,
      `expected "(" or "=" after "${name.raw}" (a query is a function such as eq(a,1) or a comparison such as a=1)`,
    );
  }

  /** `path=value` (eq) or `path=op=value`. */
  private parseComparison(property: Word): Expr {
    this.pos++; // '='
    const mark = this.pos;
    const op = this.word();
    if (op && this.peek() === '=') {
      if (!INFIX_OPERATORS.has(op.raw))
        this.fail(
          op.position,
          `"${op.raw}" is not an operator of path=operator=value (use one of ${[...INFIX_OPERATORS].join(', ')})`,
        );
      this.pos++;
      return this.build(op.raw, property.position, [{ kind: 'word', word: property }, this.parseValueArg()]);
    }
    this.pos = mark;
    return this.build('eq', property.position, [{ kind: 'word', word: property }, this.parseValueArg()]);
  }

  private parseCall(name: Word): Expr {
    this.pos++; // '('
    const fn = name.raw;
    if (fn === 'and' || fn === 'or' || fn === 'not') {
      const of: Expr[] = [];
      if (this.peek() !== ')') {
        for (;;) {
          of.push(this.parseOr(false));
          if (this.peek() !== ',') break;
          this.pos++;
        }
      }
      this.expect(')', `to close ${fn}(`);
      if (fn === 'not') {
        if (of.length !== 1) this.fail(name.position, `not() takes one query, not ${of.length}`);
        return { op: 'not', of: of[0] as Expr, position: name.position };
      }
      if (of.length === 0) this.fail(name.position, `${fn}() needs at least one query`);
      return { op: fn, of, position: name.position };
    }
    const args: Arg[] = [];
    if (this.peek() !== ')') {
      for (;;) {
        args.push(this.parseValueArg());
        if (this.peek() !== ',') break;
        this.pos++;
      }
    }
    this.expect(')', `to close ${fn}(`);
    return this.build(fn, name.position, args);
  }

  /** A value: a word, `null()`/`true()`/`false()`/`empty()`, or a list in parentheses. */
  private parseValueArg(): Arg {
    const start = this.pos;
    if (this.peek() === '(') {
      this.pos++;
      const items: Arg[] = [];
      if (this.peek() !== ')') {
        for (;;) {
          items.push(this.parseValueArg());
          if (this.peek() !== ',') break;
          this.pos++;
        }
      }
      this.expect(')', `to close the list at position ${start}`);
      return { kind: 'list', items, position: start };
    }
    const word = this.word();
    if (!word)
      this.fail(this.pos, `expected a value, found ${describe(this.peek())} (write the empty string as empty())`);
    if (this.peek() !== '(') return { kind: 'word', word };
    if (!SPECIALS.has(word.raw))
      this.fail(
        word.position,
        `${word.raw}() cannot stand for a value (the values written as functions are null(), true(), false() and empty())`,
      );
    this.pos++;
    this.expect(')', `after ${word.raw}(`);
    return { kind: 'special', special: word.raw as RqlSpecial, position: word.position };
  }

  /** What a function and its arguments mean. */
  private build(fn: string, position: number, args: readonly Arg[]): Expr {
    const count = (n: number, what: string): void => {
      if (args.length !== n) this.fail(position, `${fn}() takes ${what}, not ${args.length} argument(s)`);
    };
    const condition = (c: RqlCondition): Expr => ({ op: 'condition', condition: c, position });
    if (COMPARISONS.has(fn)) {
      count(2, 'a property and a value');
      return condition({
        op: fn as RqlComparison,
        property: property(args[0] as Arg, fn),
        value: value(args[1] as Arg, fn),
        position,
      });
    }
    switch (fn) {
      case 'like':
        count(2, 'a property and a pattern');
        return condition({
          op: 'like',
          property: property(args[0] as Arg, fn),
          pattern: pattern(args[1] as Arg),
          position,
        });
      case 'in':
      case 'out': {
        if (args.length < 2)
          this.fail(position, `${fn}() takes a property and a list of values, e.g. ${fn}(name,(a,b))`);
        const rest = args.slice(1);
        const items = rest.length === 1 && rest[0]?.kind === 'list' ? rest[0].items : rest;
        return condition({
          op: fn,
          property: property(args[0] as Arg, fn),
          values: items.map((a) => value(a, fn)),
          position,
        });
      }
      case 'implementing':
      case 'composing':
        count(1, 'a type ID');
        return condition({ op: fn, type: decode(wordOf(args[0] as Arg, fn, 'a type ID')), position });
      case 'linkedWith':
        count(1, 'a resource ID');
        return condition({ op: 'linkedWith', id: decode(wordOf(args[0] as Arg, fn, 'a resource ID')), position });
      case 'limit': {
        if (args.length < 1 || args.length > 2)
          this.fail(position, `limit() takes a start and an optional count, not ${args.length} argument(s)`);
        const start = whole(args[0] as Arg, 'its start');
        const n = args[1] === undefined ? RQL_DEFAULT_LIMIT : whole(args[1], 'its count');
        return { op: 'limit', limit: { start, count: n, position }, position };
      }
      case 'sort':
        if (args.length === 0) this.fail(position, 'sort() needs at least one property, e.g. sort(+name,-quotaMb)');
        return { op: 'sort', keys: args.map(sortKey), position };
      case 'select':
        if (args.length === 0) this.fail(position, 'select() needs at least one relation');
        return { op: 'select', relations: args.map((a) => property(a, fn)), position };
      default:
        if (SPECIALS.has(fn)) this.fail(position, `${fn}() is a value, not a query`);
        if (!NAME.test(fn)) this.fail(position, `"${fn}" is not a function name`);
        return this.fail(position, `unknown query function ${fn}()`);
    }
  }
}

function wordOf(arg: Arg, fn: string, what: string): Word {
  if (arg.kind !== 'word')
    throw new RqlSyntaxError(
      arg.position,
      `${fn}() expects ${what} here, not a ${arg.kind === 'list' ? 'list' : 'function'}`,
    );
  return arg.word;
}

function argPosition(arg: Arg): number {
  return arg.kind === 'word' ? arg.word.position : arg.position;
}

function property(arg: Arg, fn: string): RqlProperty {
  const word = wordOf(arg, fn, 'a property');
  const path = decode(word).split('.');
  if (path.some((p) => p === '')) throw new RqlSyntaxError(word.position, `"${word.raw}" is not a property path`);
  return { path, position: word.position };
}

function value(arg: Arg, fn: string): RqlValue {
  if (arg.kind === 'list') throw new RqlSyntaxError(arg.position, `${fn}() takes a single value here, not a list`);
  if (arg.kind === 'special') {
    const v = { null: null, true: true, false: false, empty: '' }[arg.special];
    return {
      text: arg.special === 'true' || arg.special === 'false' ? arg.special : '',
      value: v,
      special: arg.special,
      position: arg.position,
    };
  }
  const text = decode(arg.word);
  let v: RqlValue['value'] = text;
  if (NUMBER.test(text) && Number.isFinite(Number(text))) v = Number(text);
  else if (text === 'true' || text === 'false') v = text === 'true';
  else if (text === 'null') v = null;
  return { text, value: v, position: arg.word.position };
}

/** A like() pattern: `*` and `?` as written are wildcards; each run between them is decoded alone. */
function pattern(arg: Arg): RqlLikePart[] {
  const word = wordOf(arg, 'like', 'a pattern');
  const parts: RqlLikePart[] = [];
  let offset = 0;
  for (const piece of word.raw.split(/([*?])/)) {
    if (piece === '*' || piece === '?') parts.push({ wildcard: piece });
    else if (piece !== '') parts.push(decode({ raw: piece, position: word.position + offset }));
    offset += piece.length;
  }
  return parts;
}

function whole(arg: Arg, what: string): number {
  const position = argPosition(arg);
  const raw = arg.kind === 'word' ? arg.word.raw : '';
  const n = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n))
    throw new RqlSyntaxError(position, `limit() takes whole numbers from 0; ${what} is "${raw || '(not a number)'}"`);
  return n;
}

function sortKey(arg: Arg): RqlSortKey {
  const word = wordOf(arg, 'sort', 'a property with + or -');
  // `+` may arrive as %2B from a client that encodes it (a raw + means a space in form encoding).
  const sign = /^%2B/i.test(word.raw) ? '+' : word.raw[0];
  const signLength = /^%2B/i.test(word.raw) ? 3 : sign === '+' || sign === '-' ? 1 : 0;
  const rest: Word = { raw: word.raw.slice(signLength), position: word.position + signLength };
  if (rest.raw === '') throw new RqlSyntaxError(word.position, `sort() expects a property after "${sign}"`);
  return { property: property({ kind: 'word', word: rest }, 'sort'), descending: sign === '-' };
}

/**
 * The query's conditions, apart from `limit()`, `sort()` and `select()`, which may stand only where
 * they apply to the whole list: at the top level, or in an `and` there.
 */
function splitQuery(expr: Expr): RqlQuery {
  let limit: RqlLimit | undefined;
  let sort: Extract<Expr, { op: 'sort' }> | undefined;
  let select: Extract<Expr, { op: 'select' }> | undefined;
  const conditions: RqlCondition[] = [];
  const once = (seen: Expr | RqlLimit | undefined, e: Expr): void => {
    if (seen) throw new RqlSyntaxError(e.position, `${e.op}() is given twice`);
  };
  const top = (e: Expr): void => {
    switch (e.op) {
      case 'and':
        e.of.forEach(top);
        return;
      case 'limit':
        once(limit, e);
        limit = e.limit;
        return;
      case 'sort':
        once(sort, e);
        sort = e;
        return;
      case 'select':
        once(select, e);
        select = e;
        return;
      default:
        conditions.push(toCondition(e));
    }
  };
  top(expr);
  const where =
    conditions.length === 0
      ? undefined
      : conditions.length === 1
        ? conditions[0]
        : { op: 'and' as const, of: conditions, position: conditions[0]?.position };
  return {
    ...(where && { where }),
    ...(limit && { limit }),
    ...(sort && { sort: sort.keys, sortPosition: sort.position }),
    ...(select && { select: select.relations, selectPosition: select.position }),
  };
}

function toCondition(e: Expr): RqlCondition {
  switch (e.op) {
    case 'condition':
      return e.condition;
    case 'and':
    case 'or':
      return { op: e.op, of: e.of.map(toCondition), position: e.position };
    case 'not':
      return { op: 'not', of: toCondition(e.of), position: e.position };
    default:
      throw new RqlSyntaxError(
        e.position,
        `${e.op}() applies to the whole list: it cannot stand inside or() or not() (in a|b&limit(0,10), & binds first: write (a|b)&limit(0,10))`,
      );
  }
}
