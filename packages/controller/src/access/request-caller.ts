/**
 * The Caller the access rules apply to, for a request of the controller's API.
 *
 * Authentication (../auth, issue 18) records each request's caller before the routes run. Until it
 * is mounted in front of every route, a request it did not see is treated as `open` (what the
 * controller is without authentication: local development, administrator's rights, never the app's).
 */
import type { Response } from 'express';
import type { Caller } from '../auth/caller';
import { maybeCallerOf } from '../auth/request-caller';

const OPEN: Caller = { kind: 'open' };

export function accessCallerOf(res: Response): Caller {
  return maybeCallerOf(res) ?? OPEN;
}
