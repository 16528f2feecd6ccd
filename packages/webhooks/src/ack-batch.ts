/**
 * Group commit for acknowledgements. Deliveries acknowledged in the same turn of the event loop are
 * stored in one write: one job of the controller's task engine (`marketplace.intake`) holding all
 * their notifications. With SQLite synced on every commit, a burst of 200 deliveries pays a handful of
 * syncs instead of 200 (each of which holds the event loop). Every delivery is still answered 202 only
 * once its notification is on disk. The intake job then stores each notification as its attempt's own
 * job (idempotently, by attempt id), yielding to acknowledgements as it goes, and after a crash the
 * task engine runs it again like any job, so nothing acknowledged is lost.
 */
import type { Controller } from '@apskit/controller';
import type { WebhookKeys } from './keys';
import type { ProvisionNotification } from './notification';

/** What the intake job holds: the notifications acknowledged together. */
export interface IntakePayload {
  readonly notifications: ReadonlyArray<{ readonly notification: ProvisionNotification; readonly receivedAt: string }>;
}

interface Waiting {
  readonly notification: ProvisionNotification;
  readonly receivedAt: string;
  resolve(taskId: string): void;
  reject(error: unknown): void;
}

/** An acknowledged attempt not yet stored as its own job: its request, and the intake task that holds it. */
export interface PendingAcknowledgement {
  readonly provisionRequestId: string;
  readonly taskId: Promise<string>;
}

// The longest a delivery waits for others to join its write.
const MAX_DELAY_MS = 5;
// During a burst (a write less than BURST_MS ago), a write waits at least GATHER_MS for more deliveries.
const BURST_MS = 20;
const GATHER_MS = 2;

export class AckBatch {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private firstWaitingAt = 0;
  private lastFlushAt = 0;
  private readonly inFlight = new Map<string, PendingAcknowledgement>();

  /**
   * `underWay`: how many deliveries are being acknowledged now (AckGate.acknowledging). The write waits
   * (at most 5 ms) until every one of them has reached it, or none is left to come: with SQLite's
   * writes holding the event loop, a burst's deliveries are read a few at a time, and writing as soon
   * as the first is ready would make a write of each.
   */
  constructor(
    private readonly controller: Controller,
    private readonly keys: WebhookKeys,
    private readonly underWay: () => number = () => 0,
  ) {}

  /** An attempt acknowledged (or being acknowledged) by this process and not yet its own job. */
  pending(provisionAttemptId: string): PendingAcknowledgement | undefined {
    return this.inFlight.get(provisionAttemptId);
  }

  /** Stores the notification with the others of this turn; resolves with the intake task's id once on disk. */
  add(notification: ProvisionNotification): Promise<string> {
    const taskId = new Promise<string>((resolve, reject) => {
      this.waiting.push({ notification, receivedAt: new Date().toISOString(), resolve, reject });
    });
    const attemptId = notification.provisionAttempt.id;
    this.inFlight.set(attemptId, { provisionRequestId: notification.provisionRequest.id, taskId });
    // A failed write leaves nothing in flight: the delivery is answered 503 and comes again.
    taskId.catch(() => this.inFlight.delete(attemptId));
    if (!this.scheduled) {
      this.scheduled = true;
      this.firstWaitingAt = Date.now();
      // After this turn's I/O: every delivery read in it joins the write.
      setImmediate(() => this.check());
    }
    return taskId;
  }

  /** The intake job has stored the attempt as its own job. */
  stored(provisionAttemptId: string): void {
    this.inFlight.delete(provisionAttemptId);
  }

  /** Writes now if every delivery under way has joined, or the first has waited long enough. */
  private check(): void {
    const waited = Date.now() - this.firstWaitingAt;
    const gathering = this.firstWaitingAt - this.lastFlushAt < BURST_MS && waited < GATHER_MS;
    if (!gathering && (this.waiting.length >= this.underWay() || waited >= MAX_DELAY_MS)) void this.flush();
    else setTimeout(() => this.check(), 1);
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    this.lastFlushAt = Date.now();
    if (batch.length === 0) return;
    try {
      const payload: IntakePayload = {
        notifications: batch.map((w) => ({ notification: w.notification, receivedAt: w.receivedAt })),
      };
      const { task } = await this.controller.enqueueJob(this.keys.intakeKind, {
        subjectId: this.keys.intakeSubject,
        payload,
      });
      batch.forEach((w) => w.resolve(task.id));
    } catch (e) {
      batch.forEach((w) => w.reject(e));
    }
  }
}
