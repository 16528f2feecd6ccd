/**
 * Task ids are UUIDv7 (RFC 9562, section 5.7): read here from the RFC's layout, field by field, not
 * from the generator's code: 48 bits of Unix milliseconds, version 7, 12 bits of rand_a (a counter,
 * section 6.2 method 1), variant 10, 62 bits of rand_b.
 */
import { newTaskId } from '../src/tasks/task-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function fields(id: string): { ms: number; version: number; variant: number; randA: number } {
  const hex = id.replace(/-/g, '');
  return {
    ms: parseInt(hex.slice(0, 12), 16),
    version: parseInt(hex[12], 16),
    randA: parseInt(hex.slice(13, 16), 16),
    variant: parseInt(hex[16], 16) >> 2,
  };
}

test('a task id is a UUID of version 7 and variant 10 whose first 48 bits are the time it was made', () => {
  const now = Date.UTC(2026, 11, 3, 2, 30);
  const id = newTaskId(now);
  expect(id).toMatch(UUID);
  expect(fields(id)).toMatchObject({ ms: now, version: 7, variant: 0b10 });
});

test('task ids sort in the order they were made, within one millisecond too, and none repeats', () => {
  const ms = Date.UTC(2026, 11, 3, 2, 31);
  const ids = Array.from({ length: 3000 }, (_, i) => newTaskId(ms + Math.floor(i / 1000)));
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(ids);
  // The 62 random bits differ (a counter alone would make neighbours differ in rand_a only).
  expect(new Set(ids.map((id) => id.slice(19))).size).toBe(ids.length);
});

test('more ids in one millisecond than the 12-bit counter holds move the time on, still in order', () => {
  const ms = Date.UTC(2026, 11, 3, 2, 32);
  const ids = Array.from({ length: 5000 }, () => newTaskId(ms));
  expect([...ids].sort()).toEqual(ids);
  expect(fields(ids[0]).ms).toBe(ms);
  expect(fields(ids[ids.length - 1]).ms).toBe(ms + 1);
  // A clock that goes back (NTP) does not break the order either.
  const after = newTaskId(ms - 10_000);
  expect(after > ids[ids.length - 1]).toBe(true);
});
