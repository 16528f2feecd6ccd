/**
 * Task ids are UUIDs of version 7 (RFC 9562, section 5.7): the creation time in milliseconds comes
 * first, so that tasks made together sit together in every index keyed on a task's id (the tables'
 * primary keys, SQLite's task_events_by_task, PostgreSQL's B-trees). Tasks fall due in about the
 * order they were made, so a batch of re-polls writes a few neighbouring index pages instead of one
 * random page per task: with random (version 4) ids a commit of 16 outcomes and 16 claims wrote 31
 * pages to SQLite's WAL, with these 15 (bench/scheduler, docs/benchmarks.md).
 *
 * Still a UUID as APS ids are: 122 bits that are unique, of which 62 random. A task's id tells when
 * it was made, which its `created` field says anyway.
 */
import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 4 KB at a time (as randomUUID does): one system call per 400 ids. */
const DRAW = 10;
const pool = Buffer.alloc(DRAW * 410);
let poolAt = pool.length;
let lastMs = -1;
let counter = 0;

function randomBytes10(): Buffer {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += DRAW;
  return pool.subarray(poolAt - DRAW, poolAt);
}

/**
 * A new UUIDv7. Ids made in one millisecond still sort in the order they were made: a 12-bit
 * counter in `rand_a`, started at a random value below 2048 each millisecond (RFC 9562 section
 * 6.2, method 1); should it run out, the timestamp moves on by one millisecond.
 */
export function newTaskId(now: number = Date.now()): string {
  const rand = randomBytes10();
  if (now > lastMs) {
    lastMs = now;
    counter = ((rand[0] << 8) | rand[1]) & 0x7ff;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  // The variant (binary 10), then 62 random bits.
  b[8] = 0x80 | (rand[2] & 0x3f);
  rand.copy(b, 9, 3, 10);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
