/**
 * Values and names as RQL text. The APS RQL page (docs.cloudblue.com/cbc/sdk/21.0/api/rest/rql/,
 * "Reserved Characters") reserves space ! # % & ' ( ) , = ; [ ] and asks for them percent-encoded
 * (%HH) inside values; `*` and `?` are not reserved but are wildcards in `like()`.
 *
 * Beyond the page's list, this encodes what a URL's query may not carry as it is (controls,
 * non-ASCII as UTF-8 bytes, `"<>\^`{|}`), and `+`, which a form decoder would read as a space. In a
 * value other than a `like` pattern it also encodes `*` and `?`, so that no reader takes them for
 * wildcards; in a pattern they stay, being the wildcards.
 */

/** The scalars RQL values are written from. */
export type RqlScalar = string | number | boolean;

/** The page's reserved characters, and `+`. */
const RESERVED = new Set([' ', '!', '#', '%', '&', "'", '(', ')', ',', '=', ';', '[', ']', '+']);
/** Characters a URL's query may not carry as they are (RFC 3986 allows none of them). */
const URL_UNSAFE = new Set(['"', '<', '>', '\\', '^', '`', '{', '|', '}']);

function encodeChar(ch: string, keep: ReadonlySet<string>): string {
  if (keep.has(ch)) return ch;
  const code = ch.codePointAt(0) as number;
  if (code > 0x20 && code < 0x7f && !RESERVED.has(ch) && !URL_UNSAFE.has(ch) && ch !== '*' && ch !== '?') return ch;
  return Array.from(new TextEncoder().encode(ch), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

const NOTHING: ReadonlySet<string> = new Set();
const WILDCARDS: ReadonlySet<string> = new Set(['*', '?']);

/** Text as RQL writes it inside a value: reserved and unsafe characters percent-encoded. */
export function rqlText(text: string): string {
  let out = '';
  for (const ch of text) out += encodeChar(ch, NOTHING);
  return out;
}

/** A `like()` pattern: `*` and `?` left as the wildcards they are, the rest as in `rqlText`. */
export function rqlLikePattern(pattern: string): string {
  let out = '';
  for (const ch of pattern) out += encodeChar(ch, WILDCARDS);
  return out;
}

/** A property path (`quotaMb`, `contact.email`, `aps.status`): each name encoded, dots kept. */
export function rqlPath(path: string): string {
  if (path === '' || path.split('.').some((name) => name === ''))
    throw new TypeError(`"${path}" is not a property path (names joined by dots)`);
  return path.split('.').map(rqlText).join('.');
}

/**
 * A value as RQL writes it: `null`, `true`/`false`, a number in decimal, a date as its ISO 8601
 * text, a string encoded. The controller types a value by the property it is compared with, so
 * `eq(name,10)` on a string property compares with the string "10".
 */
export function rqlValue(value: RqlScalar | Date | null): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`RQL has no value for ${value}`);
    return rqlText(String(value));
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('RQL has no value for an invalid Date');
    return rqlText(value.toISOString());
  }
  return rqlText(value);
}
