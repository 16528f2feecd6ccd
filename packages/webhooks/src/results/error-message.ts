/**
 * A result's `errorMessage`, fitted to the marketplace's limit without losing the reason.
 *
 * The limit (500) is counted in UTF-16 code units, as a marketplace written in JavaScript, Java or
 * .NET counts a string's length: an emoji is two units there, and a message that fits in 500 code
 * points may be refused or cut by such a marketplace. A message over the limit is fitted in this order,
 * each step only as far as needed:
 *
 * 1. long words (identifiers: ids, URLs, emails, tokens) are shortened in their middle, keeping their
 *    head and tail (`3f2a9c1e-…-9b7d0e11`), the longest first, so that the sentence around them, and
 *    with it the reason, stays whole;
 * 2. if that is not enough (a message long for its words, not its identifiers), its middle is left out,
 *    keeping its beginning (what failed) and its end (why, as most messages end with the reason).
 *
 * Cuts fall between grapheme clusters, so that neither a surrogate pair nor an emoji sequence (a flag, a
 * family, a skin tone) is ever cut in two.
 */

/** The most a result's `errorMessage` may hold, in UTF-16 code units (ARCHITECTURE.md's limit). */
export const MAX_ERROR_MESSAGE = 500;

const ELLIPSIS = '…'; // one UTF-16 unit
// A word is shortened to no fewer than this many units (head + … + tail): it stays recognizable.
const MIN_WORD = 13;
// Words up to this long are never shortened: they are the sentence, not identifiers.
const SHORT_WORD = 24;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** The first graphemes of `parts` that fit in `units` code units. */
function headOf(parts: readonly string[], units: number): string {
  let out = '';
  for (const g of parts) {
    if (out.length + g.length > units) break;
    out += g;
  }
  return out;
}

/** The last graphemes of `parts` that fit in `units` code units. */
function tailOf(parts: readonly string[], units: number): string {
  let out = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const g = parts[i]!;
    if (out.length + g.length > units) break;
    out = g + out;
  }
  return out;
}

/** `text` in at most `units` code units: its head and tail around an ellipsis (the head a little longer). */
function middleOut(text: string, units: number): string {
  if (text.length <= units) return text;
  const parts = graphemes(text);
  const room = Math.max(0, units - ELLIPSIS.length);
  const head = headOf(parts, Math.ceil(room / 2));
  const tail = tailOf(parts, room - head.length);
  return `${head}${ELLIPSIS}${tail}`;
}

/** Words (runs without whitespace) and the whitespace between them, in order. */
function tokens(text: string): string[] {
  return text.split(/(\s+)/).filter((t) => t !== '');
}

/** The message with every word longer than `cap` shortened in its middle to `cap` units. */
function capWords(words: readonly string[], cap: number): string {
  return words.map((w) => (w.length > cap && w.length > SHORT_WORD && !/^\s/.test(w) ? middleOut(w, cap) : w)).join('');
}

/**
 * Fits a message into `max` UTF-16 code units (default 500) keeping its reason: long identifiers are
 * shortened in the middle first, then, if need be, the middle of the message is left out. A message
 * that fits is returned as it is (trimmed).
 */
export function cutErrorMessage(message: string, max: number = MAX_ERROR_MESSAGE): string {
  const text = message.trim();
  if (text.length <= max) return text;
  const words = tokens(text);
  const longest = Math.max(...words.map((w) => w.length));
  if (longest > SHORT_WORD) {
    // The largest cap on word length with which the message fits (a binary search: the length of the
    // result grows with the cap).
    let low = MIN_WORD;
    let high = longest;
    if (capWords(words, low).length <= max) {
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (capWords(words, mid).length <= max) low = mid;
        else high = mid - 1;
      }
      return capWords(words, low);
    }
  }
  // Identifiers shortened as far as they go and still too long: the middle of the sentence goes.
  const shortened = longest > SHORT_WORD ? capWords(words, MIN_WORD) : text;
  return middleOut(shortened, max);
}
