/**
 * `npm run bench:query`: resource queries on SQLite and (with APSKIT_BENCH_DATABASE_URL or
 * APSKIT_TEST_DATABASE_URL set) PostgreSQL, with 10,000 and 100,000 resources inserted in bulk.
 * Each query is RQL through `controller.resourceQuery` (the parse, the check against the type, the
 * typing of values) and then the store's `listResources`, page and total, as the list route runs it:
 *
 * - eq:    implementing(T)&eq(quotaMb,<v>)&limit(0,10)   (v varies; 1 in 1,000 resources match)
 * - sort:  implementing(T)&sort(-quotaMb)&limit(0,10)
 * - page:  implementing(T)&limit(0,10)                   (the total is every resource of the type)
 *
 * It prints the median and p99 of each, and the plans (EXPLAIN QUERY PLAN, EXPLAIN) of the SQL the
 * stores run for them, and writes bench/results/query.json. BENCH_RUNS sets the timed runs per query
 * (default 400, after 50 untimed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdirSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { ApsType, CoreTypes, Property, ResourceStatus } from '@apskit/core';
import { Controller, SqliteStore } from '@apskit/controller';
import {
  compileResourceQuery,
  RESOURCE_COLUMNS,
  resourceValues,
  typesOnlyFilter,
  type ResourceQuery,
  type ResourceRecord,
  type Store,
} from '@apskit/store';
import { PostgresStore } from '@apskit/store-postgres';

const TYPE = 'http://apskit.dev/bench/mailbox/1.0';
const OTHER = 'http://apskit.dev/bench/other/1.0';
const SIZES = [10_000, 100_000];
const RUNS = Number(process.env.BENCH_RUNS ?? 400);
const WARMUP = 50;
const PG_URL = process.env.APSKIT_BENCH_DATABASE_URL || process.env.APSKIT_TEST_DATABASE_URL || undefined;

@ApsType({ name: 'mailbox', id: TYPE, implements: [CoreTypes.resource] })
class Mailbox {
  @Property({ required: true })
  name!: string;

  @Property({ type: 'integer', required: true })
  quotaMb!: number;

  @Property({ type: 'boolean' })
  active?: boolean;

  @Property()
  region?: string;
}

@ApsType({ name: 'other', id: OTHER, implements: [CoreTypes.resource] })
class Other {
  @Property()
  name?: string;
}

/** Nine mailboxes in ten, quotas 0–999 spread evenly, and another type beside them. */
function resourceNo(i: number): ResourceRecord {
  const mailbox = i % 10 !== 9;
  return {
    id: `r-${String(i).padStart(7, '0')}`,
    type: mailbox ? TYPE : OTHER,
    status: ResourceStatus.ready,
    revision: 1,
    modified: 1_700_000_000_000 + i,
    properties: mailbox
      ? {
          name: `box-${i}`,
          quotaMb: (Math.floor(i / 10) * 7919) % 1000,
          active: i % 2 === 0,
          region: `region-${i % 10}`,
        }
      : { name: `other-${i}` },
  };
}

interface Figures {
  medianMs: number;
  p99Ms: number;
}

interface Result {
  store: string;
  resources: number;
  insertMs: number;
  eq: Figures;
  sort: Figures;
  page: Figures;
}

const QUERIES = {
  eq: (i: number) => `implementing(${TYPE})&eq(quotaMb,${(i * 37) % 1000})&limit(0,10)`,
  sort: () => `implementing(${TYPE})&sort(-quotaMb)&limit(0,10)`,
  page: () => `implementing(${TYPE})&limit(0,10)`,
} as const;

async function run(controller: Controller, store: Store, rql: string): Promise<number> {
  const { query, limit } = controller.resourceQuery(rql);
  const { items, total } = await store.listResources({ ...query, offset: limit?.start, limit: limit?.count });
  if (items.length === 0 || total === 0) throw new Error(`${rql}: no resources`);
  return total;
}

async function measure(controller: Controller, store: Store, make: (i: number) => string): Promise<Figures> {
  for (let i = 0; i < WARMUP; i++) await run(controller, store, make(i));
  const samples = new Float64Array(RUNS);
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await run(controller, store, make(i));
    samples[i] = Number(process.hrtime.bigint() - t) / 1e6;
  }
  samples.sort();
  const at = (q: number) => Math.round(samples[Math.min(RUNS - 1, Math.floor(q * RUNS))] * 1000) / 1000;
  return { medianMs: at(0.5), p99Ms: at(0.99) };
}

/** The SQL a store runs for an RQL query (the page and the count), from the same compiler. */
function statementsOf(controller: Controller, rql: string, dialect: 'sqlite' | 'postgres', schema = '') {
  const { query, limit } = controller.resourceQuery(rql);
  const q: ResourceQuery = { ...query, offset: limit?.start, limit: limit?.count };
  const table = (t: string) => (dialect === 'sqlite' ? t : `"${schema}".${t}`);
  const { where, orderBy, values } = compileResourceQuery(dialect, q, table('links'));
  const n = values.length;
  const tail = dialect === 'sqlite' ? 'LIMIT ? OFFSET ?' : `LIMIT $${n + 1} OFFSET $${n + 2}`;
  return {
    page: {
      sql: `SELECT ${RESOURCE_COLUMNS} FROM ${table('resources')} ${where} ${orderBy} ${tail}`,
      values: [...values, q.limit, q.offset],
    },
    // A query by type alone reads the per-type counts (see the stores' total()).
    count: typesOnlyFilter(q)
      ? {
          sql: `SELECT sum(n) FROM ${table('resource_counts')} WHERE type = ${dialect === 'sqlite' ? '?' : '$1'}`,
          values,
        }
      : { sql: `SELECT count(*) FROM ${table('resources')} ${where}`, values },
  };
}

const plans: Record<string, string[]> = {};

async function withController<T>(store: Store, fn: (c: Controller) => Promise<T>): Promise<T> {
  const controller = new Controller({
    app: { name: 'bench', services: { mailboxes: Mailbox, others: Other } },
    store,
    pollMs: 60_000,
  });
  await controller.start();
  try {
    return await fn(controller);
  } finally {
    await controller.stop();
  }
}

async function sqlite(size: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-bench-query-'));
  try {
    const file = join(dir, 'apskit.sqlite');
    const first = new SqliteStore(file);
    await first.init();
    await first.close();
    const t0 = Date.now();
    const db = new Database(file);
    const insert = db.prepare(`INSERT INTO resources (${RESOURCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
    db.transaction(() => {
      for (let i = 0; i < size; i++) insert.run(...resourceValues(resourceNo(i)));
    })();
    db.close();
    const insertMs = Date.now() - t0;
    const store = new SqliteStore(file);
    return await withController(store, async (controller) => {
      const figures = {
        eq: await measure(controller, store, QUERIES.eq),
        sort: await measure(controller, store, QUERIES.sort),
        page: await measure(controller, store, QUERIES.page),
      };
      const look = new Database(file, { readonly: true });
      for (const [name, make] of Object.entries(QUERIES)) {
        const s = statementsOf(controller, make(1), 'sqlite');
        for (const [part, st] of Object.entries(s)) {
          const rows = look.prepare(`EXPLAIN QUERY PLAN ${st.sql}`).all(...st.values) as Array<{ detail: string }>;
          plans[`sqlite ${size} ${name} ${part}`] = rows.map((r) => r.detail);
        }
      }
      look.close();
      return { store: 'sqlite', resources: size, insertMs, ...figures };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(url: string, size: number): Promise<Result> {
  const schema = `apskit_bench_query_${process.pid}_${size}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    const first = new PostgresStore({ connectionString: url, schema });
    await first.init();
    await first.close();
    const t0 = Date.now();
    for (let from = 0; from < size; from += 5000) {
      const rows = Array.from({ length: Math.min(5000, size - from) }, (_, k) => resourceNo(from + k));
      const column = (f: (r: ResourceRecord) => unknown) => rows.map(f);
      await admin.query(
        `INSERT INTO "${schema}".resources (${RESOURCE_COLUMNS})
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::json[])`,
        [
          column((r) => r.id),
          column((r) => r.type),
          column((r) => r.status),
          column((r) => r.revision),
          column((r) => r.modified),
          column((r) => JSON.stringify(r.properties)),
        ],
      );
    }
    const insertMs = Date.now() - t0;
    const store = new PostgresStore({ connectionString: url, schema });
    return await withController(store, async (controller) => {
      // The statistics autovacuum would gather soon after a bulk load, at once.
      await admin.query(`ANALYZE "${schema}".resources`);
      const figures = {
        eq: await measure(controller, store, QUERIES.eq),
        sort: await measure(controller, store, QUERIES.sort),
        page: await measure(controller, store, QUERIES.page),
      };
      for (const [name, make] of Object.entries(QUERIES)) {
        const s = statementsOf(controller, make(1), 'postgres', schema);
        for (const [part, st] of Object.entries(s)) {
          const { rows } = await admin.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${st.sql}`,
            st.values,
          );
          plans[`postgres ${size} ${name} ${part}`] = rows.map((r) => r['QUERY PLAN']);
        }
      }
      return { store: 'postgres', resources: size, insertMs, ...figures };
    });
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const size of SIZES) results.push(await sqlite(size));
  if (PG_URL) for (const size of SIZES) results.push(await postgres(PG_URL, size));
  else console.error('bench:query: no APSKIT_BENCH_DATABASE_URL or APSKIT_TEST_DATABASE_URL, PostgreSQL left out');
  for (const [name, lines] of Object.entries(plans)) console.log(`${name}:\n  ${lines.join('\n  ')}`);
  const ratios: Record<string, Record<string, number>> = {};
  for (const store of new Set(results.map((r) => r.store))) {
    const [small, large] = SIZES.map((n) => results.find((r) => r.store === store && r.resources === n) as Result);
    ratios[store] = Object.fromEntries(
      (['eq', 'sort', 'page'] as const).map((q) => [
        q,
        Math.round((large[q].medianMs / small[q].medianMs) * 100) / 100,
      ]),
    );
  }
  for (const r of results)
    console.log(
      `${r.store} ${r.resources}: eq ${r.eq.medianMs}/${r.eq.p99Ms} ms, sort ${r.sort.medianMs}/${r.sort.p99Ms} ms, page ${r.page.medianMs}/${r.page.p99Ms} ms (median/p99); bulk insert ${r.insertMs} ms`,
    );
  console.log('100k median / 10k median:', JSON.stringify(ratios));
  mkdirSync(join(__dirname, '../results'), { recursive: true });
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, load: os.loadavg() };
  writeFileSync(
    join(__dirname, '../results/query.json'),
    `${JSON.stringify({ results, ratios, plans, runs: RUNS, machine }, null, 2)}\n`,
  );
  console.log('wrote bench/results/query.json');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
