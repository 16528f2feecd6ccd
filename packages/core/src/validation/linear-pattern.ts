/**
 * Declared patterns, matched in linear time (issue 15 #9).
 *
 * A `pattern` comes from a declaration (`@Property({ pattern })`, `@Matches(/re/)`) or from a schema
 * that `apskit import` read, and is matched against strings a caller sends. Native RegExp backtracks:
 * `^([a-z0-9]+)*$` took 398 ms on 27 characters and doubles with each one more, so one request could
 * stop an endpoint. Every such pattern is therefore run by re2js, a port of RE2 whose matching time
 * is linear in the input.
 *
 * The semantics stay those of APS: a property's `pattern` (listed among the property attributes at
 * https://docs.cloudblue.com/cbc/sdk/20.4/api/types/type-definition/properties) is a JSON Schema
 * pattern, that is an ECMA-262 regular expression, not anchored (it may match anywhere in the string),
 * read with the `u` flag as ajv reads it. RE2's syntax differs, so a pattern is first checked by the
 * native parser (compiling is not where backtracking costs) and then translated:
 *
 * - `.` is every character but the ECMA line terminators (RE2's `.` only leaves out `\n`);
 * - `\s`/`\S` are ECMA's white space and line terminators (RE2's `\s` is ASCII only);
 * - `\uXXXX` (surrogate pairs joined), `\u{X}`, `\xXX`, `\cX`, `\0` become `\x{X}`;
 * - `[\b]` is a backspace, `[]` matches nothing and `[^]` any character, a `[` in a class is literal;
 * - a named group `(?<n>…)` becomes a plain group; `\p{Script=X}` / `\p{gc=X}` become `\p{X}`.
 *
 * What RE2 cannot do in linear time is refused, with the reason, when the model is built or the schema
 * imported, never when a request comes: lookahead and lookbehind, backreferences, and whatever RE2
 * itself refuses (a repeat count above 1000, an unknown Unicode property name).
 */
import { RE2JS } from 're2js';

/** Why a pattern cannot be run by the linear-time engine. */
export class UnsupportedPatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`pattern ${JSON.stringify(pattern)} is not supported by the linear-time engine: ${reason}`);
    this.name = 'UnsupportedPatternError';
  }
}

/** A compiled pattern: what ajv's `code.regExp` engine and class-validator need of a RegExp. */
export interface LinearPattern {
  readonly source: string;
  readonly flags: string;
  /** Whether the pattern matches anywhere in `input` (RegExp.prototype.test without `g`/`y`). */
  test(input: string): boolean;
  /**
   * The leftmost match starting at or after `from`, shaped like RegExp.prototype.exec's answer (named
   * groups are plain groups: `groups` is undefined).
   */
  exec(input: string, from?: number): RegExpExecArray | null;
  toString(): string;
}

/** ECMA-262 WhiteSpace and LineTerminator, which `\s` matches (RE2's `\s` is `[\t\n\f\r ]`). */
const SPACE: ReadonlyArray<readonly [number, number]> = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const MAX_CODE_POINT = 0x10ffff;

function hex(cp: number): string {
  return `\\x{${cp.toString(16)}}`;
}

function rangesText(ranges: ReadonlyArray<readonly [number, number]>): string {
  return ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('');
}

function complement(ranges: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  let next = 0;
  for (const [a, b] of ranges) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

const SPACE_TEXT = rangesText(SPACE);
const NOT_SPACE_TEXT = rangesText(complement(SPACE));
const ANY = `[\\x{0}-${hex(MAX_CODE_POINT)}]`;
const NOTHING = `[^\\x{0}-${hex(MAX_CODE_POINT)}]`;
/** ECMA's `.` without the `s` flag: anything but \n, \r, U+2028 and U+2029. */
const DOT = '[^\\n\\r\\x{2028}\\x{2029}]';

const SYNTAX_CHARACTERS = new Set('^$\\.*+?()[]{}|/-');
const HEX = /^[0-9a-fA-F]+$/;
/** Unicode property keys ECMA-262 allows whose value RE2 knows by the value alone. */
const PROPERTY_KEYS = new Set(['General_Category', 'gc', 'Script', 'sc']);

class Refused extends Error {}

/**
 * Translates an ECMA-262 pattern, already known to be valid with the `u` flag, into RE2 syntax.
 * `dotAll` is the `s` flag of a `@Matches` RegExp.
 */
function translate(source: string, dotAll: boolean): string {
  const cps = Array.from(source); // code points: with the `u` flag an astral character is one atom
  let i = 0;
  let out = '';
  const peek = (k = 0): string | undefined => cps[i + k];

  const readHex = (count: number): number => {
    const digits = cps.slice(i, i + count).join('');
    if (digits.length !== count || !HEX.test(digits)) throw new Refused(`bad escape near \\${cps[i - 1]}${digits}`);
    i += count;
    return parseInt(digits, 16);
  };

  /** Reads `\u` escapes (the backslash and `u` already read): one code point, pairs joined. */
  const unicodeEscape = (): number => {
    if (peek() === '{') {
      const end = cps.indexOf('}', i);
      const digits = cps.slice(i + 1, end).join('');
      if (end < 0 || !HEX.test(digits)) throw new Refused('bad \\u{…} escape');
      i = end + 1;
      return parseInt(digits, 16);
    }
    const cp = readHex(4);
    if (cp >= 0xd800 && cp <= 0xdbff && peek() === '\\' && peek(1) === 'u' && peek(2) !== '{') {
      const low = parseInt(cps.slice(i + 2, i + 6).join(''), 16);
      if (low >= 0xdc00 && low <= 0xdfff) {
        i += 6;
        return 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      }
    }
    return cp;
  };

  /** One escape (the backslash already read), inside a class or outside. */
  const escape = (inClass: boolean): string => {
    const c = cps[i++];
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 't':
      case 'n':
      case 'v':
      case 'f':
      case 'r':
        return `\\${c}`;
      case 'b':
        return inClass ? hex(8) : '\\b';
      case 'B':
        return '\\B';
      case 's':
        return inClass ? SPACE_TEXT : `[${SPACE_TEXT}]`;
      case 'S':
        return inClass ? NOT_SPACE_TEXT : `[${NOT_SPACE_TEXT}]`;
      case '0':
        return hex(0);
      case 'c':
        return hex((cps[i++] ?? '@').codePointAt(0)! % 32);
      case 'x':
        return hex(readHex(2));
      case 'u':
        return hex(unicodeEscape());
      case 'k':
        throw new Refused('backreferences (\\k<name>) are not supported');
      case 'p':
      case 'P': {
        const end = cps.indexOf('}', i);
        if (peek() !== '{' || end < 0) throw new Refused(`bad \\${c} escape`);
        const body = cps.slice(i + 1, end).join('');
        i = end + 1;
        const eq = body.indexOf('=');
        if (eq >= 0 && !PROPERTY_KEYS.has(body.slice(0, eq)))
          throw new Refused(`the Unicode property ${body.slice(0, eq)} is not supported`);
        return `\\${c}{${eq >= 0 ? body.slice(eq + 1) : body}}`;
      }
      default:
        if (c !== undefined && c >= '1' && c <= '9') throw new Refused(`backreferences (\\${c}) are not supported`);
        if (c !== undefined && SYNTAX_CHARACTERS.has(c)) return `\\${c}`;
        throw new Refused(`the escape \\${c ?? ''} is not supported`);
    }
  };

  const characterClass = (): string => {
    let negated = false;
    if (peek() === '^') {
      negated = true;
      i++;
    }
    if (peek() === ']') {
      i++;
      return negated ? ANY : NOTHING; // ECMA: `[]` matches nothing, `[^]` anything; RE2 reads `]` as a member
    }
    let body = '';
    for (;;) {
      const c = cps[i++];
      if (c === undefined) throw new Refused('unterminated character class');
      if (c === ']') break;
      if (c === '\\') body += escape(true);
      else if (c === '[')
        body += '\\['; // literal in ECMA with `u`; RE2 would read `[:alpha:]`
      else body += c;
    }
    return `[${negated ? '^' : ''}${body}]`;
  };

  while (i < cps.length) {
    const c = cps[i++];
    if (c === '\\') out += escape(false);
    else if (c === '[') out += characterClass();
    else if (c === '.') out += dotAll ? ANY : DOT;
    else if (c === '(' && peek() === '?') {
      const next = peek(1);
      if (next === '=' || next === '!') throw new Refused('lookahead assertions (?= and (?! are not supported');
      if (next === '<' && (peek(2) === '=' || peek(2) === '!'))
        throw new Refused('lookbehind assertions (?<= and (?<! are not supported');
      if (next === '<') {
        // A named group only captures; a test needs no names, and ECMA allows names RE2 does not.
        const end = cps.indexOf('>', i);
        i = end + 1;
        out += '(';
      } else out += c;
    } else out += c;
  }
  return out;
}

/** The RegExp flags a pattern may carry: JSON Schema patterns have none, `@Matches` may have some. */
const SUPPORTED_FLAGS = /^[dgimsuy]*$/;

function compileUncached(source: string, flags: string): LinearPattern {
  if (!SUPPORTED_FLAGS.test(flags)) {
    throw new UnsupportedPatternError(source, `the flags "${flags}" are not supported (only d, g, i, m, s, u and y)`);
  }
  try {
    // The native parser is the judge of ECMA-262 syntax; compiling is linear, only matching backtracks.
    new RegExp(source, `${flags.replace(/[dguy]/g, '')}u`);
  } catch (e) {
    throw new UnsupportedPatternError(
      source,
      `it is not a valid ECMA-262 regular expression with the u flag, as JSON Schema validators read it (${(e as Error).message})`,
    );
  }
  let translated: string;
  try {
    translated = translate(source, flags.includes('s'));
  } catch (e) {
    if (e instanceof Refused) throw new UnsupportedPatternError(source, e.message);
    throw e;
  }
  let re2: RE2JS;
  try {
    // `m` reads ^ and $ at \n only, where ECMA also takes \r, U+2028 and U+2029: a pattern with that
    // flag comes from a `@Matches` RegExp, never from a schema.
    re2 = RE2JS.compile(
      translated,
      (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('m') ? RE2JS.MULTILINE : 0),
    );
  } catch (e) {
    throw new UnsupportedPatternError(
      source,
      `RE2 refuses it: ${(e as Error).message.replace(/^error parsing regexp: /, '')}`,
    );
  }
  const shown = `/${source}/${flags}`;
  return {
    source,
    flags,
    test: (input) => re2.test(input),
    exec: (input, from = 0) => {
      const m = re2.matcher(input);
      if (from > input.length || !m.find(from)) return null;
      const found: Array<string | undefined> = [];
      for (let g = 0; g <= m.groupCount(); g++) found.push(m.group(g) ?? undefined);
      return Object.assign(found, { index: m.start(), input, groups: undefined }) as RegExpExecArray;
    },
    // ajv keys its compiled patterns by this string: it must differ between patterns.
    toString: () => shown,
  };
}

/**
 * Compiled patterns, by flags and source. Patterns come from declarations and imported schemas, a
 * bounded set; the cap only keeps a process that builds many models from holding all of them.
 */
const cache = new Map<string, LinearPattern | UnsupportedPatternError>();
const CACHE_LIMIT = 2000;

/**
 * Compiles `source` (an ECMA-262 pattern, read with the `u` flag) for the linear-time engine.
 * @throws UnsupportedPatternError saying why the engine cannot run it.
 */
export function compileLinearPattern(source: string, flags = ''): LinearPattern {
  const key = `${flags}/${source}`;
  let found = cache.get(key);
  if (found === undefined) {
    try {
      found = compileUncached(source, flags);
    } catch (e) {
      if (!(e instanceof UnsupportedPatternError)) throw e;
      found = e;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, found);
  }
  if (found instanceof UnsupportedPatternError) throw found;
  return found;
}

/** Why the linear-time engine cannot run `source`, or undefined when it can. */
export function patternProblem(source: string, flags = ''): string | undefined {
  try {
    compileLinearPattern(source, flags);
    return undefined;
  } catch (e) {
    if (e instanceof UnsupportedPatternError) return e.reason;
    throw e;
  }
}

/**
 * The engine ajv compiles `pattern` (and `patternProperties`) with: `new Ajv({ code: { regExp:
 * linearRegExp } })`. ajv passes "u" as the flags when `unicodeRegExp` is on (its default); patterns are
 * read with the `u` flag either way, as the declaration check read them.
 */
export const linearRegExp = Object.assign((pattern: string): LinearPattern => compileLinearPattern(pattern), {
  // What standalone code would require to get this engine; APSKit compiles in process only.
  code: 'require("@apskit/core").linearRegExp',
});

/**
 * A RegExp whose matching is done by the linear-time engine, for code that insists on a RegExp
 * (class-validator's `@Matches` hands its constraint to validator.js, which calls `String#match`).
 * It keeps the source and flags of the RegExp it replaces, so it reads (and is mapped to a schema)
 * the same; every RegExp.prototype method reaches the engine through `exec`, which honours
 * `lastIndex` for the `g` and `y` flags as the native one does.
 */
export class LinearRegExp extends RegExp {
  readonly #linear: LinearPattern;

  constructor(pattern: string | RegExp, flags = typeof pattern === 'string' ? '' : pattern.flags) {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    // `g` and `y` decide where a search starts, which `exec` below does; the engine needs neither.
    const linear = compileLinearPattern(source, flags.replace(/[gy]/g, ''));
    super(source, flags);
    this.#linear = linear;
  }

  override exec(input: string): RegExpExecArray | null {
    const text = String(input);
    const stateful = this.global || this.sticky;
    const from = stateful ? this.lastIndex : 0;
    const found = this.#linear.exec(text, from);
    // Sticky: only a match at `lastIndex`. The leftmost match from there starts there if one does.
    if (found === null || (this.sticky && found.index !== from)) {
      if (stateful) this.lastIndex = 0;
      return null;
    }
    if (stateful) this.lastIndex = found.index + found[0].length;
    return found;
  }
}
