/**
 * Strings in the order SQLite (BINARY) and PostgreSQL (COLLATE "C") sort them: by their UTF-8
 * bytes, which is code point order. JavaScript's `<` compares UTF-16 code units, which puts
 * U+E000–U+FFFF after the characters beyond U+FFFF: an in-memory store would page otherwise.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only where a surrogate meets a non-surrogate above it do code units and code points disagree.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Links in the order every store lists them: by source id, relation, then target id. */
export function compareLinks(
  a: { from: string; relation: string; to: string },
  b: { from: string; relation: string; to: string },
): number {
  return compareText(a.from, b.from) || compareText(a.relation, b.relation) || compareText(a.to, b.to);
}
