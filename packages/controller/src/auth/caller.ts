/**
 * Who is calling the controller's API, as authentication found them (issue 18). Every route works
 * for a caller; access rules (../access) decide what that caller may see and do.
 *
 * - `app`: the application itself, known by its instance certificate (mutual TLS), never by a
 *   header alone. It sees and writes everything of its instance, encrypted properties included.
 * - `admin`: a provider administrator, with a bearer token of that role.
 * - `owner`: an account's owner, with a bearer token naming the account (a resource implementing
 *   the core account type); it reaches only resources that belong to that account.
 * - `open`: nothing is configured and the controller listens on a loopback address only: local
 *   development, where every caller may do what an administrator may (never what only the app may).
 */
export type Caller =
  | { readonly kind: 'app'; readonly instanceId: string }
  | { readonly kind: 'admin'; readonly subject: string }
  | { readonly kind: 'owner'; readonly subject: string; readonly accountId: string }
  | { readonly kind: 'open' };

/** The caller of in-process work that is the controller's own (the scheduler, jobs, start-up). */
export const SYSTEM_CALLER: Caller = { kind: 'admin', subject: 'apskit-controller' };
