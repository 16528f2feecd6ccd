/**
 * The queue's statements read a few index pages however large the tables are (issue 23): with 20,000
 * resources, tasks, events, links and event subscriptions, EXPLAIN shows no sequential scan in the claim, the
 * wake-up, the matching of subscriptions, or the recording of an outcome, deletion included (it once
 * read links and subscriptions whole, on every batch). And such a deletion still removes exactly the
 * deleted resource's links (both ways) and subscriptions (as subscriber and as source).
 */
import { PostgresStore, statements } from '@apskit/store-postgres';
import { TaskEventKind, TaskStatus } from '@apskit/core';
import { TEST_DATABASE_URL, withClient } from '@apskit/test-support/postgres';
import {
  exampleEvent as ev,
  exampleResource as resource,
  exampleSubscription as subscription,
  exampleTask as task,
} from '@apskit/store/testing';
import { RECOVERED_MESSAGE, type AttemptOutcome, type TaskRecord } from '@apskit/store';
import { outcomeJson } from '../src/rows';
import { postgresStores } from './fixtures/database';

const postgres = postgresStores('the query plan tests');
const ROWS = 20_000;

/** Every node type of a JSON plan, with the relation it reads. */
function nodes(plan: unknown): string[] {
  const found: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    found.push(
      `${node['Node Type'] as string}${node['Relation Name'] ? ` on ${node['Relation Name'] as string}` : ''}`,
    );
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((plan as [{ Plan: Record<string, unknown> }])[0].Plan);
  return found;
}

(postgres ? describe : describe.skip)('PostgresStore query plans', () => {
  let store: PostgresStore;
  let claimed: TaskRecord;
  const s = () => `"${store.schema}"`;

  beforeAll(async () => {
    store = postgres!.newStore();
    await store.init();
    await store.createResourceWithTask(
      resource('gone'),
      task('t-gone', 'gone'),
      ev('t-gone', TaskEventKind.created),
      [
        { from: 'gone', relation: 'owner', to: 'kept-1' },
        { from: 'kept-2', relation: 'member', to: 'gone' },
        { from: 'kept-1', relation: 'member', to: 'kept-2' },
      ],
      [subscription('held', 'gone'), subscription('naming', 'kept-1', { sourceType: null, sourceId: 'gone' })],
    );
    await store.addSubscription(subscription('else', 'kept-1', { sourceType: null, sourceId: 'kept-2' }), 10);
    // Bulk rows, and the planner told about them, as it is on a large database.
    await withClient(TEST_DATABASE_URL!, async (client) => {
      await client.query(
        `INSERT INTO ${s()}.links (from_id, relation, to_id)
         SELECT 'x' || i, 'rel', 'y' || i FROM generate_series(1, $1) AS i`,
        [ROWS],
      );
      await client.query(
        `INSERT INTO ${s()}.subscriptions (id, subscriber_id, event, source_type, source_id, relation, handler, declared, created_at)
         SELECT 's' || i, 'x' || i, 'e', NULL, 'y' || i, NULL, 'h', false, 0 FROM generate_series(1, $1) AS i`,
        [ROWS],
      );
      await client.query(
        `INSERT INTO ${s()}.tasks (id, resource_id, operation, name, description, output, status, attempts,
           next_run_at, phase, request, created_at, updated_at)
         SELECT 'q' || i, 'x' || i, 'provision', 'n', '', '', 'scheduled', 0, 1e12 + i, 'async', '{}', 0, 0
         FROM generate_series(1, $1) AS i`,
        [ROWS],
      );
      await client.query(
        `INSERT INTO ${s()}.resources (id, type, status, revision, modified, properties)
         SELECT 'x' || i, 't', 'aps:ready', 1, 0, '{}' FROM generate_series(1, $1) AS i`,
        [ROWS],
      );
      await client.query(
        `INSERT INTO ${s()}.task_events (task_id, at, kind, message, attempt)
         SELECT 'q' || i, 0, 'created', 'created', 0 FROM generate_series(1, $1) AS i`,
        [ROWS],
      );
      await client.query(
        `ANALYZE ${s()}.resources,  ${s()}.links, ${s()}.subscriptions, ${s()}.tasks, ${s()}.task_events`,
      );
    });
    [claimed] = await store.claimDueTasks(100, 1, 'me', 1000);
  });
  afterAll(async () => {
    await store?.close();
    await postgres?.dropAll();
  });

  const outcome = (): AttemptOutcome => ({
    task: { ...claimed, status: TaskStatus.succeeded, leaseOwner: null, leaseUntil: null },
    event: ev('t-gone', TaskEventKind.succeeded),
    resource: { delete: 'gone' },
  });

  /** The plan of `text` with `values`, run and rolled back (ANALYZE runs it: its plan is the one used). */
  async function planOf(text: string, values: unknown[]): Promise<string[]> {
    return withClient(TEST_DATABASE_URL!, async (client) => {
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
          values,
        );
        return nodes(rows[0]['QUERY PLAN']);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }

  it('records an outcome that deletes a resource through indexes alone', async () => {
    const sql = statements(s());
    const plan = await planOf(sql.complete, [JSON.stringify([outcomeJson(outcome(), 0)]), 'me', 99, '[]']);
    expect(plan.filter((n) => n.startsWith('Seq Scan'))).toEqual([]);
    expect(plan).toContain('Bitmap Index Scan');
  });

  it('records outcomes and claims in one statement through indexes alone', async () => {
    const sql = statements(s());
    const values = [
      JSON.stringify([outcomeJson(outcome(), 0)]),
      'me',
      99,
      '[]',
      2e12,
      16,
      2e12 + 1000,
      RECOVERED_MESSAGE,
    ];
    expect((await planOf(sql.completeAndClaim, values)).filter((n) => n.startsWith('Seq Scan'))).toEqual([]);
  });

  it('claims, finds its next wake-up and matches subscriptions through indexes alone', async () => {
    const sql = statements(s());
    for (const [text, values] of [
      [sql.claim, [2e12, 16, 'other', 2e12 + 1000, RECOVERED_MESSAGE]],
      [sql.claimWithResources, [2e12, 16, 'other', 2e12 + 1000, RECOVERED_MESSAGE]],
      [sql.nextWakeUp, []],
      [sql.matchingSubscriptions, ['e', 'y5', ['t']]],
    ] as const)
      expect((await planOf(text, [...values])).filter((n) => n.startsWith('Seq Scan'))).toEqual([]);
  });

  it("an outcome's deletion removes the resource's links both ways and its subscriptions, nothing else", async () => {
    expect(await store.completeAttempts('me', [outcome()])).toEqual([true]);
    expect(await store.getResource('gone')).toBeUndefined();
    expect(await store.linksFrom('gone')).toEqual([]);
    expect(await store.linksFrom('kept-2')).toEqual([]);
    expect(await store.linksFrom('kept-1')).toEqual([{ from: 'kept-1', relation: 'member', to: 'kept-2' }]);
    expect(await store.listSubscriptions('gone')).toEqual([]);
    expect((await store.listSubscriptions('kept-1')).map((x) => x.id)).toEqual(['else']);
    expect(await store.linksFrom('x7')).toEqual([{ from: 'x7', relation: 'rel', to: 'y7' }]);
  });
});
