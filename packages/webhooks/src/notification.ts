/**
 * The provision notification a marketplace sends, and the envelope check made before it is
 * acknowledged. Only what is needed to store and route the notification is checked here (that it is
 * a JSON object with a request id, a known request type and an attempt id): the business content is
 * validated later, while processing, as the marketplace expects.
 */
import type { ValidationIssue } from '@apskit/core';

/** The request types a provisioner handles (the marketplace's `provisionRequest.type`). */
export const REQUEST_TYPES = [
  'NetNew',
  'Update',
  'Deprovision',
  'TrialCreate',
  'TrialConvert',
  'ChangeProduct',
  'Renewal',
] as const;

export type RequestType = (typeof REQUEST_TYPES)[number];

export function isRequestType(value: unknown): value is RequestType {
  return typeof value === 'string' && (REQUEST_TYPES as readonly string[]).includes(value);
}

/** What cannot change about a purchase; the same on every delivery of the request. */
export interface ProvisionRequest {
  /** The business key: the same on every retry of the request. */
  readonly id: string;
  readonly type: RequestType;
  /** The marketplace's subscription: the same on every request about it (NetNew, Update, …). */
  readonly subscriptionId?: string;
  readonly productId?: string;
  readonly productName?: string;
  readonly quantity?: number;
  readonly companyId?: string;
  readonly companyName?: string;
  readonly [field: string]: unknown;
}

/** What the buyer entered at checkout (an admin email, say). A retry after a `Fail` may bring new details. */
export interface ProvisionDetail {
  readonly id?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** One delivery of the notification: new on every retry. */
export interface ProvisionAttempt {
  readonly id: string;
  readonly [field: string]: unknown;
}

export interface ProvisionNotification {
  readonly isSimulation?: boolean;
  readonly provisionRequest: ProvisionRequest;
  readonly provisionDetail?: ProvisionDetail;
  readonly provisionAttempt: ProvisionAttempt;
  readonly [field: string]: unknown;
}

export type EnvelopeCheck =
  | { readonly ok: true; readonly notification: ProvisionNotification }
  | { readonly ok: false; readonly message: string; readonly issues: readonly ValidationIssue[] };

// Ids end up in task request ids and names: keep them to what a log line and a URL can hold.
const ID = /^[\x21-\x7e]{1,200}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkId(issues: ValidationIssue[], value: unknown, field: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (value === undefined) issues.push({ field, message: 'is required' });
  else if (typeof value !== 'string' || !ID.test(value))
    issues.push({ field, message: 'must be 1 to 200 visible ASCII characters' });
}

/** Checks the envelope of a parsed body; names every problem at once. */
export function checkEnvelope(body: unknown): EnvelopeCheck {
  if (!isObject(body))
    return { ok: false, message: 'Expected the provision notification as a JSON object', issues: [] };
  const issues: ValidationIssue[] = [];
  const request = body.provisionRequest;
  const attempt = body.provisionAttempt;
  const detail = body.provisionDetail;
  let unknownType: unknown;
  if (!isObject(request)) issues.push({ field: 'provisionRequest', message: 'is required (an object)' });
  else {
    checkId(issues, request.id, 'provisionRequest.id', true);
    if (request.type === undefined) issues.push({ field: 'provisionRequest.type', message: 'is required' });
    else if (!isRequestType(request.type)) {
      unknownType = request.type;
      issues.push({ field: 'provisionRequest.type', message: `must be one of ${REQUEST_TYPES.join(', ')}` });
    }
  }
  if (!isObject(attempt)) issues.push({ field: 'provisionAttempt', message: 'is required (an object)' });
  else checkId(issues, attempt.id, 'provisionAttempt.id', true);
  if (detail !== undefined && detail !== null) {
    if (!isObject(detail)) issues.push({ field: 'provisionDetail', message: 'must be an object' });
    else checkId(issues, detail.id, 'provisionDetail.id', false);
  }
  if (issues.length === 0) return { ok: true, notification: body as ProvisionNotification };
  const message =
    unknownType !== undefined && issues.length === 1
      ? `Unknown request type ${JSON.stringify(unknownType)}: this provisioner handles ${REQUEST_TYPES.join(', ')}`
      : `Invalid provision notification: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`;
  return { ok: false, message, issues };
}
