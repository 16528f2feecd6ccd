/**
 * Which errors are worth trying again. The polling loop retries these within its deadline and gives
 * up at once on anything else: a 4xx says the request itself is wrong, and asking again will not fix it.
 */
import { ApsClientError, ClientError } from './errors';

/** Socket-level failures that a later attempt may not meet (Node's and undici's codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** A status that says "not now" rather than "no": 5xx, 408 Request Timeout, 429 Too Many Requests. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * Whether `error` is worth retrying: the client's own errors say so themselves; for errors thrown
 * by third-party code (a vendor SDK, a bare `fetch`), network error codes, timeouts, and any
 * `status`/`statusCode` property that is a transient HTTP status.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof ApsClientError) return error.transient;
  if (error instanceof ClientError) return false; // failed or timed out: final answers
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const { code, name, status, statusCode, message } = e as Record<string, unknown>;
    if (name === 'AbortError') return false; // the caller asked to stop
    if (name === 'TimeoutError') return true; // AbortSignal.timeout: one slow answer
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (typeof status === 'number' && status > 0) return isTransientStatus(status);
    if (typeof statusCode === 'number' && statusCode > 0) return isTransientStatus(statusCode);
    // undici's fetch rejects every network failure with TypeError('fetch failed') and the reason as
    // cause. By name, not instanceof: the error may come from another realm.
    if (name === 'TypeError' && message === 'fetch failed') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
