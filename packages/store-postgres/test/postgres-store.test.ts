/**
 * What PostgreSQL adds to the store contract (which packages/controller/test/store-contract.test.ts
 * runs on it too): versioned migrations that several processes may apply at once, leases that
 * survive a reopen, and claims, creates and request ids that hold with several pools racing.
 */
import { PostgresStore } from '@apskit/store-postgres';
import { TEST_DATABASE_URL, withClient } from '@apskit/test-support/postgres';
import { postgresStores } from './fixtures/database';
import { exampleEvent as ev, exampleResource as resource, exampleTask as task } from '@apskit/store/testing';

const postgres = postgresStores('the store tests');

(postgres ? describe : describe.skip)('PostgresStore', () => {
  const open: PostgresStore[] = [];
  /** `count` stores (each its own pool, as separate processes have) on one fresh schema. */
  async function stores(count: number): Promise<PostgresStore[]> {
    const first = postgres!.newStore();
    const all = [
      first,
      ...Array.from(
        { length: count - 1 },
        () => new PostgresStore({ connectionString: TEST_DATABASE_URL, schema: first.schema, poolSize: 4 }),
      ),
    ];
    open.push(...all);
    await Promise.all(all.map((s) => s.init()));
    return all;
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(() => postgres?.dropAll());

  it('applies its versioned migrations once, with several processes starting at once', async () => {
    const [store] = await stores(6); // six pools initialise the same new schema concurrently
    const versions = await withClient(TEST_DATABASE_URL!, (c) =>
      c.query<{ version: number }>(`SELECT version FROM "${store.schema}".schema_migrations ORDER BY version`),
    );
    expect(versions.rows.map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('refuses a schema that a newer APSKit migrated', async () => {
    const [store] = await stores(1);
    await withClient(TEST_DATABASE_URL!, (c) =>
      c.query(`INSERT INTO "${store.schema}".schema_migrations (version, description) VALUES (999, 'future')`),
    );
    const again = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema: store.schema });
    await expect(again.init()).rejects.toThrow(/version 999, newer than/);
  });

  it('keeps running tasks running on open: only their leases hand them over', async () => {
    const [store] = await stores(1);
    await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
    await store.claimDueTasks(100, 1, 'alive-elsewhere', 10_000);
    await store.close();
    const reopened = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema: store.schema });
    open.push(reopened);
    await reopened.init();
    expect(await reopened.claimDueTasks(5_000, 10, 'me', 20_000)).toEqual([]);
    expect(await reopened.nextWakeUp()).toBe(10_000);
    expect((await reopened.claimDueTasks(10_001, 10, 'me', 20_000)).map((t) => t.id)).toEqual(['t1']);
    // The same store object opens again after a close, as a controller started again after a stop needs.
    await store.init();
    expect((await store.getTask('t1'))?.leaseOwner).toBe('me');
  });

  it('gives each due task to exactly one of several racing claimers', async () => {
    const racers = await stores(4);
    for (let i = 0; i < 300; i++) {
      const id = `t${String(i).padStart(3, '0')}`;
      await racers[0].createTask(task(id, `s${i}`, { nextRunAt: i }), ev(id, 'created'));
    }
    const got = await Promise.all(
      racers.map(async (store, n) => {
        const mine: string[] = [];
        for (;;) {
          const claimed = await store.claimDueTasks(1_000, 7, `racer-${n}`, 1_000_000);
          if (claimed.length === 0) return mine;
          mine.push(...claimed.map((t) => t.id));
        }
      }),
    );
    const all = got.flat();
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    expect(got.filter((g) => g.length > 0).length).toBeGreaterThan(1); // they did race
  });

  it('lets exactly one of racing runners take over an expired lease, and only it complete', async () => {
    const racers = await stores(3);
    await racers[0].createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
    await racers[0].claimDueTasks(100, 1, 'dead', 500);
    const taken = await Promise.all(racers.map((s, n) => s.claimDueTasks(600, 1, `racer-${n}`, 5_000)));
    const winners = taken.flatMap((t, n) => (t.length > 0 ? [n] : []));
    expect(winners).toHaveLength(1);
    const [won] = taken[winners[0]];
    const done = { ...won, status: 'succeeded' as const, leaseOwner: null, leaseUntil: null, endedAt: 700 };
    const applied = await Promise.all(
      racers.map((s, n) => s.completeAttempts(`racer-${n}`, [{ task: done, event: ev('t1', 'succeeded', 700) }])),
    );
    expect(applied.map(([a]) => a).filter(Boolean)).toHaveLength(1);
    expect((await racers[0].taskEvents('t1')).map((e) => e.kind)).toEqual(['created', 'recovered', 'succeeded']);
  });

  it('creates one active task per resource and one task per request id under races', async () => {
    const racers = await stores(4);
    await racers[0].createResourceWithTask(
      resource('r1'),
      task('t0', 'r1', { status: 'succeeded' }),
      ev('t0', 'created'),
      [],
    );
    const busy = await Promise.all(
      racers.map((s, n) => s.createTaskUnlessBusy(task(`c${n}`, 'r1'), ev(`c${n}`, 'created'), resource('r1'))),
    );
    expect(busy.filter((r) => r.created)).toHaveLength(1);
    expect(busy.filter((r) => !r.created && r.reason === 'busy')).toHaveLength(3);

    const jobs = await Promise.all(
      racers.map((s, n) => s.createTask(task(`j${n}`, 'x', { requestId: 'same' }), ev(`j${n}`, 'created'))),
    );
    expect(jobs.filter((r) => r.created)).toHaveLength(1);
    const winner = (await racers[0].findTaskByRequestId('same'))!.id;
    for (const r of jobs) if (!r.created) expect(r).toMatchObject({ reason: 'duplicate', existing: { id: winner } });

    const creates = await Promise.all(
      racers.map((s, n) =>
        s.createResourceWithTask(
          resource(`n${n}`),
          task(`k${n}`, `n${n}`, { requestId: 'create-once' }),
          ev(`k${n}`, 'created'),
          [{ from: `n${n}`, relation: 'parent', to: 'r1' }],
        ),
      ),
    );
    expect(creates.filter((r) => r.created)).toHaveLength(1);
    expect((await racers[0].listResources({})).total).toBe(2); // r1 and the one created
    expect((await racers[0].listTasks({ resourceId: 'x' })).map((t) => t.id)).toEqual([winner]);
  });

  it('keeps what it stores as given: property order, nested JSON, epoch milliseconds', async () => {
    const [store] = await stores(1);
    const properties = { z: 1, a: [1, 'two', { b: null }], m: { y: true, x: 'é\u0000' } };
    const at = Date.UTC(2100, 0, 1) + 0.25; // a scaled retry need not be a whole millisecond
    await store.createResourceWithTask(
      resource('r1', properties),
      task('t1', 'r1', { nextRunAt: at, request: { method: 'JOB', path: 'k', body: [1, { a: 2 }] } }),
      ev('t1', 'created', at),
      [],
    );
    const back = await store.getResource('r1');
    expect(JSON.stringify(back?.properties)).toBe(JSON.stringify(properties));
    const t = await store.getTask('t1');
    expect(t).toMatchObject({ nextRunAt: at, request: { method: 'JOB', path: 'k', body: [1, { a: 2 }] } });
    expect(typeof t?.createdAt).toBe('number');
    expect(await store.taskEvents('t1')).toEqual([ev('t1', 'created', at)]);
  });

  it('applies a batch of outcomes in one commit, each only where the runner holds the task', async () => {
    const [store] = await stores(1);
    for (const id of ['a', 'b', 'c'])
      await store.createResourceWithTask(resource(`r-${id}`), task(id, `r-${id}`), ev(id, 'created'), []);
    const claimed = await store.claimDueTasks(100, 2, 'me', 1_000); // a and b; c stays scheduled
    const c = (await store.getTask('c'))!;
    const outcomes = [...claimed, c].map((t) => ({
      task: { ...t, status: 'succeeded' as const, leaseOwner: null, leaseUntil: null },
      event: ev(t.id, 'succeeded'),
      resource: t.id === 'a' ? { delete: 'r-a' } : { ...resource(`r-${t.id}`), status: 'aps:ready' as const },
    }));
    expect(await store.completeAttempts('me', outcomes)).toEqual([true, true, false]);
    expect(await store.getResource('r-a')).toBeUndefined();
    expect((await store.getResource('r-b'))?.status).toBe('aps:ready');
    expect((await store.getResource('r-c'))?.status).toBe('aps:provisioning');
  });

  it('applies outcomes that touch the same task or resource one by one, in order', async () => {
    const [store] = await stores(1);
    await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
    const [claimed] = await store.claimDueTasks(100, 1, 'me', 1_000);
    const properties = { z: 1, a: 2 };
    const again = { ...claimed, status: 'scheduled' as const, nextRunAt: 2_000, leaseOwner: null, leaseUntil: null };
    const outcome = {
      task: again,
      event: ev('t1', 'rescheduled'),
      resource: { ...resource('r1', properties), revision: 2 },
    };
    expect(await store.completeAttempts('me', [outcome, outcome])).toEqual([true, false]);
    expect((await store.taskEvents('t1')).map((e) => e.kind)).toEqual(['created', 'rescheduled']);
    const back = await store.getResource('r1');
    expect(back?.revision).toBe(2);
    expect(JSON.stringify(back?.properties)).toBe(JSON.stringify(properties));
    expect(await store.getTask('t1')).toMatchObject({ status: 'scheduled', nextRunAt: 2_000, leaseOwner: null });
  });

  describe('completeAttemptsAndClaim: a batch of outcomes and the claim that follows, one statement', () => {
    /** t1 on r1 claimed by 'me', with its success to record; t2 on r2 due, not claimed. */
    async function oneRunningOneDue() {
      const [store] = await stores(1);
      await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
      await store.createResourceWithTask(resource('r2'), task('t2', 'r2', { nextRunAt: 150 }), ev('t2', 'created'), []);
      const [t1] = await store.claimDueTasks(100, 1, 'me', 10_000);
      const outcome = {
        task: { ...t1, status: 'succeeded' as const, endedAt: 200, leaseOwner: null, leaseUntil: null },
        event: ev('t1', 'succeeded', 200),
      };
      return { store, outcome };
    }

    it('claims with the snapshot from before the outcomes: a task made due again, or a follow-up, waits for the next claim', async () => {
      const [store] = await stores(1);
      await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
      await store.createResourceWithTask(resource('r2'), task('t2', 'r2', { nextRunAt: 150 }), ev('t2', 'created'), []);
      const [t1] = await store.claimDueTasks(100, 1, 'me', 10_000);
      const follow = task('f1', 'r9', { nextRunAt: 100 });
      const outcome = {
        // Due again at once (a retry), with a follow-up due already.
        task: { ...t1, status: 'scheduled' as const, nextRunAt: 200, leaseOwner: null, leaseUntil: null },
        event: ev('t1', 'rescheduled', 200),
        resource: { ...resource('r1', { step: 2 }), revision: 2 },
        followUps: [{ task: follow, event: ev('f1', 'created', 200) }],
      };
      const done = await store.completeAttemptsAndClaim('me', [outcome], { now: 300, limit: 10, leaseUntil: 20_000 });
      expect(done.applied).toEqual([true]);
      expect(done.claimed.map((t) => t.id)).toEqual(['t2']);
      expect(done.resources?.get('r2')).toEqual(await store.getResource('r2'));
      // What the outcomes wrote is there for the next claim.
      const next = await store.completeAttemptsAndClaim('me', [], { now: 300, limit: 10, leaseUntil: 20_000 });
      expect(next.claimed.map((t) => t.id).sort()).toEqual(['f1', 't1']);
      expect(next.resources?.get('r1')?.properties).toEqual({ step: 2 });
      expect(next.resources?.has('r9')).toBe(false);
      expect((await store.taskEvents('t1')).map((e) => e.kind)).toEqual(['created', 'rescheduled']);
    });

    it('never both applies an outcome and takes its task over when its own lease ran out', async () => {
      const [store] = await stores(1);
      await store.createResourceWithTask(resource('r1'), task('t1', 'r1'), ev('t1', 'created'), []);
      const [t1] = await store.claimDueTasks(100, 1, 'me', 500);
      const outcome = {
        task: { ...t1, status: 'succeeded' as const, endedAt: 900, leaseOwner: null, leaseUntil: null },
        event: ev('t1', 'succeeded', 900),
      };
      // At 1,000 the lease (to 500) ran out: the claim may take the task over, or the outcome apply.
      const done = await store.completeAttemptsAndClaim('me', [outcome], { now: 1_000, limit: 5, leaseUntil: 9_000 });
      const kinds = (await store.taskEvents('t1')).map((e) => e.kind);
      const stored = await store.getTask('t1');
      if (done.applied[0]) {
        expect(done.claimed).toEqual([]);
        expect(stored?.status).toBe('succeeded');
        expect(kinds).toEqual(['created', 'succeeded']);
      } else {
        expect(done.claimed.map((t) => t.id)).toEqual(['t1']);
        expect(stored).toMatchObject({ status: 'running', attempts: 2, leaseUntil: 9_000 });
        expect(kinds).toEqual(['created', 'recovered']);
      }
    });

    it('applies overlapping outcomes one by one, then claims, in one transaction', async () => {
      const { store, outcome } = await oneRunningOneDue();
      const done = await store.completeAttemptsAndClaim('me', [outcome, outcome], {
        now: 300,
        limit: 5,
        leaseUntil: 20_000,
      });
      expect(done.applied).toEqual([true, false]);
      expect(done.claimed.map((t) => t.id)).toEqual(['t2']);
      expect(done.resources?.get('r2')).toEqual(await store.getResource('r2'));
    });

    it('claims nothing for a limit of none or less, as claimDueTasks, whichever way the outcomes go', async () => {
      const { store, outcome } = await oneRunningOneDue();
      const none = { now: 300, limit: -1, leaseUntil: 20_000 };
      expect(await store.completeAttemptsAndClaim('me', [], none)).toEqual({ applied: [], claimed: [] });
      expect((await store.completeAttemptsAndClaim('me', [outcome, outcome], none)).claimed).toEqual([]);
      expect((await store.getTask('t1'))?.status).toBe('succeeded');
      expect((await store.getTask('t2'))?.status).toBe('scheduled');
    });
  });
});
