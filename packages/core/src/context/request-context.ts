/**
 * The request an APS method is answering, available to app code anywhere below the call through
 * `apsContext()`, without threading it through every signature. The runtime sets it per request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestPhase } from '../protocol/statuses';

/** The pino-compatible subset of a logger that app code gets. */
export interface ApsLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface ApsRequestContext {
  /** `APS-Controller-URI`: where the controller's `/aps/2/...` API is. */
  readonly controllerUri?: string;
  /** `APS-Instance-ID`: the application instance. */
  readonly instanceId?: string;
  /** `APS-Transaction-ID`, echoed on the response. */
  readonly transactionId?: string;
  /** `APS-Request-Phase`: `async` when the controller re-polls after a 202. */
  readonly phase: RequestPhase;
  readonly identityId?: string;
  readonly actorId?: string;
  readonly applicationId?: string;
  readonly apsVersion?: string;
  /** The service (a path segment of the endpoint) and the type it serves. */
  readonly service: string;
  readonly typeName: string;
  /** `provision`, `retrieve`, …, a link method, or the custom operation's method. */
  readonly operation: string;
  readonly resourceId?: string;
  readonly logger: ApsLogger;
}

const storage = new AsyncLocalStorage<ApsRequestContext>();

/**
 * The context of the APS request being served.
 *
 * @throws Error when called outside a request (in a test, wrap the call in `runWithApsContext`).
 */
export function apsContext(): ApsRequestContext {
  const ctx = storage.getStore();
  if (!ctx) throw new Error('apsContext() was called outside an APS request');
  return ctx;
}

/** The context, or undefined outside a request. */
export function tryApsContext(): ApsRequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `ctx` as the current APS request context (the runtime's job; useful in tests). */
export function runWithApsContext<T>(ctx: ApsRequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}
