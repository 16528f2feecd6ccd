/**
 * The names under which a webhook intake keeps its work in the controller: job kinds, the subject
 * that groups a request's tasks (`GET /apskit/tasks?resourceId=marketplace:request:<id>`), and the
 * request ids that make every step idempotent. The ids are what remember state across deliveries and
 * crashes: an attempt's job, a request's processing, the lifecycle call and an attempt's result can
 * each be created once only.
 */

// Parts are escaped so that a separator inside an id cannot make two keys equal.
const part = (value: string): string => encodeURIComponent(value);

export class WebhookKeys {
  readonly attemptKind: string;
  readonly processKind: string;
  readonly resultKind: string;
  readonly orphanKind: string;
  readonly intakeKind: string;
  /** What the intake jobs (acknowledgements stored together) are about. */
  readonly intakeSubject: string;

  constructor(readonly source: string) {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(source))
      throw new Error(`The webhook source "${source}" must be 1 to 40 lowercase letters, digits or dashes`);
    this.attemptKind = `${source}.attempt`;
    this.processKind = `${source}.process`;
    this.resultKind = `${source}.result`;
    this.orphanKind = `${source}.orphan`;
    this.intakeKind = `${source}.intake`;
    this.intakeSubject = `${source}:intake`;
  }

  /** What every task of a provision request is about. */
  subject(provisionRequestId: string): string {
    return `${this.source}:request:${part(provisionRequestId)}`;
  }

  /** One acknowledged delivery. */
  attempt(provisionAttemptId: string): string {
    return `${this.source}:attempt:${part(provisionAttemptId)}`;
  }

  /** The processing of a request with one set of details (a retry after `Fail` may bring new ones). */
  process(provisionRequestId: string, provisionDetailId: string | undefined): string {
    return `${this.source}:process:${part(provisionRequestId)}:${part(provisionDetailId ?? '-')}`;
  }

  /** The lifecycle call (provision, configure, unprovision) that processing makes. */
  operation(provisionRequestId: string, provisionDetailId: string | undefined): string {
    return `${this.source}:operation:${part(provisionRequestId)}:${part(provisionDetailId ?? '-')}`;
  }

  /** The one result of an attempt. */
  result(provisionAttemptId: string): string {
    return `${this.source}:result:${part(provisionAttemptId)}`;
  }

  /** The orphan check that follows a refused result of an attempt (one per attempt). */
  orphan(provisionAttemptId: string): string {
    return `${this.source}:orphan:${part(provisionAttemptId)}`;
  }

  /** The unprovisioning that compensates an orphaned provisioning (one per request and set of details). */
  compensation(provisionRequestId: string, provisionDetailId: string | undefined): string {
    return `${this.source}:compensation:${part(provisionRequestId)}:${part(provisionDetailId ?? '-')}`;
  }

  /** The key (in the controller's key-value port) that maps a marketplace subscription to its APS resource. */
  subscription(subscriptionKey: string): string {
    return `${this.source}:subscription:${part(subscriptionKey)}`;
  }
}
