/**
 * Type ID versions: `http://host/path/major.minor`. APS raises the minor version when a type only
 * gains properties and the major one when it loses or changes them (kb.cloudblue.com/en/120574), so a
 * resource of `mailbox/1.2` is also what `mailbox/1.0` and `mailbox/1.1` describe.
 */

/** `http://vendor.example/mailbox/1.2` → base `http://vendor.example/mailbox`, major 1, minor 2. */
export function parseTypeId(id: string): { base: string; major: number; minor: number } | undefined {
  const m = /^(.+)\/(\d+)(?:\.(\d+))?$/.exec(id);
  return m ? { base: m[1] as string, major: Number(m[2]), minor: Number(m[3] ?? 0) } : undefined;
}

/** More minor versions than this below one type ID are not enumerated (no real type has them). */
const MAX_OLDER_MINORS = 100;

/**
 * The older IDs of a type's major version, oldest first, without the ID itself: `mailbox/1`,
 * `mailbox/1.0` and `mailbox/1.1` for `mailbox/1.2`.
 */
export function olderMinorIds(id: string): string[] {
  const parsed = parseTypeId(id);
  if (!parsed) return [];
  const older = [`${parsed.base}/${parsed.major}`];
  for (let minor = Math.max(0, parsed.minor - MAX_OLDER_MINORS); minor < parsed.minor; minor++)
    older.push(`${parsed.base}/${parsed.major}.${minor}`);
  return older.filter((o) => o !== id);
}

/** The IDs and every older minor version of each (the type IDs a resource of them answers to). */
export function withOlderMinors(ids: readonly string[]): string[] {
  return [...new Set(ids.flatMap((id) => [id, ...olderMinorIds(id)]))];
}
