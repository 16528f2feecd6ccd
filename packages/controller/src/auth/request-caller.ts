/**
 * Where a request's Caller lives once authentication has found it: `res.locals.caller`, read through
 * `callerOf(res)` by every route and by the access rules. Kept on the response's locals (Express's
 * per-request store) rather than on the request so that nothing a client sends can set it.
 */
import type { Response } from 'express';
import type { Caller } from './caller';

const KEY = 'caller';

/** Records the request's caller; `authenticate()` calls it, before any route runs. */
export function setCaller(res: Response, caller: Caller): void {
  (res.locals as Record<string, unknown>)[KEY] = caller;
}

/**
 * The caller of the request `res` answers. Throws if authentication did not run in front of the
 * route: a route mounted without it is a bug to find at once, not a request to treat as anyone.
 */
export function callerOf(res: Response): Caller {
  const caller = (res.locals as Record<string, unknown>)[KEY] as Caller | undefined;
  if (caller === undefined)
    throw new Error('No caller on this request: authenticate() must run in front of the controller API routes');
  return caller;
}

/** The caller if authentication ran, else undefined (for code that also serves unauthenticated paths). */
export function maybeCallerOf(res: Response): Caller | undefined {
  return (res.locals as Record<string, unknown>)[KEY] as Caller | undefined;
}
