/**
 * A migration that has run on a database never changes. Version 1's SQL is made from @apskit/core's
 * task statuses, so this pins the statuses it was made with: a new status fails here until a
 * migration of its own widens the CHECK.
 */
import { TASK_STATUSES } from '@apskit/core';
import { MIGRATIONS } from '@apskit/store-postgres';

const VERSION_1_TASK_STATUSES = ['scheduled', 'running', 'succeeded', 'failed', 'canceled'];

describe('the migrations', () => {
  it('made version 1 with the task statuses of its day, which are still all there are', () => {
    const sql = MIGRATIONS.find((m) => m.version === 1)!.sql('"s"');
    const list = VERSION_1_TASK_STATUSES.map((s) => `'${s}'`).join(', ');
    expect(sql).toContain(`CHECK (status IN (${list}))`);
    expect(sql).toContain(`WHERE status = 'scheduled'`);
    expect(sql).toContain(`WHERE status = 'running'`);
    expect([...TASK_STATUSES]).toEqual(VERSION_1_TASK_STATUSES);
  });
});
