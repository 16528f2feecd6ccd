/**
 * What the simulated marketplace accepts as a provision result, by its own rules: a marketplace
 * written in JavaScript (or Java, or .NET) measures a string in UTF-16 code units (`string.length`),
 * so an `errorMessage` is at most 500 of those, which is fewer characters than 500 when the text has
 * emoji or other characters outside the Basic Multilingual Plane. A result past the limit is refused
 * (400), not cut: the buyer would otherwise read a message that lost its reason.
 */

/** The longest `errorMessage` the marketplace takes, in UTF-16 code units. */
export const MAX_ERROR_MESSAGE_UNITS = 500;

export interface ResultBody {
  readonly provisionAttemptId: string;
  readonly status: 'Success' | 'Fail';
  readonly errorMessage: string | null;
  readonly externalProvisionerSubscriptionId: string | null;
}

/** The result a body describes, or the reason it is refused (a 400 the provisioner should not retry). */
export function readResult(body: unknown): { ok: true; result: ResultBody } | { ok: false; message: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, message: 'The body must be a JSON object' };
  const b = body as Record<string, unknown>;
  if (typeof b.provisionAttemptId !== 'string' || b.provisionAttemptId === '')
    return { ok: false, message: 'provisionAttemptId is required' };
  if (b.status !== 'Success' && b.status !== 'Fail') return { ok: false, message: 'status must be Success or Fail' };
  const message = b.errorMessage ?? null;
  if (message !== null && typeof message !== 'string') return { ok: false, message: 'errorMessage must be a string' };
  if (b.status === 'Fail' && (message === null || message.trim() === ''))
    return { ok: false, message: 'errorMessage is required with status Fail: the buyer must be told why' };
  if (message !== null && message.length > MAX_ERROR_MESSAGE_UNITS)
    return {
      ok: false,
      message: `errorMessage must be at most ${MAX_ERROR_MESSAGE_UNITS} characters (it has ${message.length})`,
    };
  const external = b.externalProvisionerSubscriptionId ?? null;
  if (external !== null && typeof external !== 'string')
    return { ok: false, message: 'externalProvisionerSubscriptionId must be a string' };
  return {
    ok: true,
    result: {
      provisionAttemptId: b.provisionAttemptId,
      status: b.status,
      errorMessage: message,
      externalProvisionerSubscriptionId: external,
    },
  };
}
