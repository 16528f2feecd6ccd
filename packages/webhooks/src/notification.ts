/**
 * The provision notification a marketplace sends, and the envelope check made before it is
 * acknowledged. Only what makes a body unusable as a notification is checked there (it is a JSON object
 * with the request id and the attempt id a result is posted with): everything about the request's
 * content (its type, its details) is checked later, while processing (contentProblem), and answered
 * with a `Fail` result, as the marketplace expects.
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
  /**
   * One of REQUEST_TYPES, as the marketplace sends it. Not checked before the acknowledgement: a type
   * this provisioner does not handle is acknowledged, then answered with a `Fail` result saying so.
   */
  readonly type: RequestType | (string & {});
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

// Ids end up in task request ids and names and in the results URL: keep them to what a log line and a
// URL can hold.
const ID = /^[\x21-\x7e]{1,200}$/;
const ID_RULE = 'must be 1 to 200 visible ASCII characters';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const isId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);

function checkId(issues: ValidationIssue[], value: unknown, field: string): void {
  if (value === undefined) issues.push({ field, message: 'is required' });
  else if (!isId(value)) issues.push({ field, message: ID_RULE });
}

/**
 * Checks what makes a parsed body usable as a notification at all: a JSON object with the two ids a
 * result is posted with (`provisionRequest.id` in the results URL, `provisionAttempt.id` in its body).
 * Nothing about the request's content is judged here (its type, its details): that is decided while
 * processing and answered with a `Fail` result, as the marketplace expects. Names every problem at once.
 */
export function checkEnvelope(body: unknown): EnvelopeCheck {
  if (!isObject(body))
    return { ok: false, message: 'Expected the provision notification as a JSON object', issues: [] };
  const issues: ValidationIssue[] = [];
  const request = body.provisionRequest;
  const attempt = body.provisionAttempt;
  if (!isObject(request)) issues.push({ field: 'provisionRequest', message: 'is required (an object)' });
  else checkId(issues, request.id, 'provisionRequest.id');
  if (!isObject(attempt)) issues.push({ field: 'provisionAttempt', message: 'is required (an object)' });
  else checkId(issues, attempt.id, 'provisionAttempt.id');
  if (issues.length === 0) return { ok: true, notification: body as ProvisionNotification };
  const message = `Invalid provision notification: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`;
  return { ok: false, message, issues };
}

/** The notification's provisionDetail.id when it is one (processing keys on it), else undefined. */
export function detailIdOf(n: ProvisionNotification): string | undefined {
  const detail: unknown = n.provisionDetail;
  const id = isObject(detail) ? detail.id : undefined;
  return isId(id) ? id : undefined;
}

/** The request type as a label for task names: the type, or what stands in for a missing or odd one. */
export function typeLabel(n: ProvisionNotification): string {
  const type: unknown = n.provisionRequest.type;
  if (typeof type !== 'string' || type === '') return 'Untyped';
  return type.length > 40 ? `${type.slice(0, 39)}…` : type;
}

/**
 * What makes an acknowledged notification impossible to process, in words for the buyer (the `Fail`
 * result's errorMessage), or undefined. `handled`: the request types this provisioner handles.
 */
export function contentProblem(n: ProvisionNotification, handled: readonly string[]): string | undefined {
  const type: unknown = n.provisionRequest.type;
  if (type === undefined || type === null || type === '')
    return 'The provision request has no type (provisionRequest.type)';
  if (typeof type !== 'string' || !handled.includes(type))
    return `This provisioner does not handle ${JSON.stringify(type)} requests; it handles ${handled.join(', ')}`;
  const detail: unknown = n.provisionDetail;
  if (detail !== undefined && detail !== null) {
    if (!isObject(detail)) return 'The provision details (provisionDetail) are not an object';
    if (detail.id !== undefined && !isId(detail.id)) return `provisionDetail.id ${ID_RULE}`;
    if (detail.details !== undefined && detail.details !== null && !isObject(detail.details))
      return 'The details entered at checkout (provisionDetail.details) are not an object';
  }
  const subscription: unknown = n.provisionRequest.subscriptionId;
  if (subscription !== undefined && subscription !== null && typeof subscription !== 'string')
    return 'The subscription id (provisionRequest.subscriptionId) is not a string';
  const quantity: unknown = n.provisionRequest.quantity;
  if (quantity !== undefined && quantity !== null && (typeof quantity !== 'number' || !Number.isFinite(quantity)))
    return 'The quantity (provisionRequest.quantity) is not a number';
  return undefined;
}
