/**
 * The intake job: the notifications acknowledged together (see AckBatch), each stored as its
 * attempt's own job. Enqueueing is idempotent by attempt id, so a run again after a crash stores each
 * attempt once. It yields to acknowledgements before every write, so that a burst is acknowledged
 * first and handed on after.
 */
import { TaskStatus } from '@apskit/core';
import type { JobDefinition } from '@apskit/controller';
import type { AckBatch, IntakePayload } from '../ack-batch';
import type { NotificationPayload, WebhookContext } from './context';

export function intakeJob(ctx: WebhookContext, batch: AckBatch): JobDefinition<IntakePayload> {
  return {
    name: (p) =>
      `${p.notifications.length} notification${p.notifications.length === 1 ? '' : 's'} acknowledged together from the ${ctx.keys.source}`,
    run: async ({ payload }) => {
      const conflicts: string[] = [];
      for (const { notification, receivedAt } of payload.notifications) {
        await ctx.gate.quiet(); // acknowledgements first
        const subject = ctx.keys.subject(notification.provisionRequest.id);
        const attempt: NotificationPayload = { notification, receivedAt };
        const { task } = await ctx.controller.enqueueJob(ctx.keys.attemptKind, {
          subjectId: subject,
          payload: attempt,
          requestId: ctx.keys.attempt(notification.provisionAttempt.id),
        });
        // The same attempt id, stored meanwhile for another request (a delivery after a restart, before
        // this job ran): the first one keeps it.
        if (task.resourceId !== subject) conflicts.push(notification.provisionAttempt.id);
        batch.stored(notification.provisionAttempt.id);
      }
      const stored = payload.notifications.length - conflicts.length;
      return {
        status: TaskStatus.succeeded,
        output:
          `Stored ${stored} attempt${stored === 1 ? '' : 's'}` +
          (conflicts.length > 0 ? `; left out, already received for another request: ${conflicts.join(', ')}` : ''),
      };
    },
  };
}
