/**
 * Thrown from `provision()`, `configure()`, `unprovision()` or their `…Async` twins to say "not done
 * yet": the runtime answers `202 Accepted` with `APS-Info: <message>` and `APS-Retry-Timeout:
 * <seconds>`, and the controller calls the `…Async` method again after that many seconds. It is the
 * `\Rest\Accepted` of the APS PHP runtime.
 *
 * @example
 * provision() {
 *   throw new Accepted(this, 'Provisioning the resource', 30);
 * }
 */
export class Accepted extends Error {
  readonly status = 202;

  constructor(
    /** The resource state to answer with (the instance being provisioned). */
    readonly resource: object,
    message: string,
    /** Seconds until the controller calls the async phase again. */
    readonly retryAfterSeconds = 30,
  ) {
    super(message);
    this.name = 'Accepted';
    if (!Number.isFinite(retryAfterSeconds) || retryAfterSeconds < 0) {
      throw new RangeError(`Accepted: retryAfterSeconds must be a non-negative number, got ${retryAfterSeconds}`);
    }
  }
}

/** True for an Accepted from any copy of @apskit/core loaded in the process. */
export function isAccepted(value: unknown): value is Accepted {
  return (
    value instanceof Accepted || (value instanceof Error && value.name === 'Accepted' && 'retryAfterSeconds' in value)
  );
}
