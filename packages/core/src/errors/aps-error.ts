import type { JsonValue } from '../decorators/options';

/** The APS error body: `{"code": 404, "error": "NotFound", "message": "…", "details": …}`. */
export interface ApsErrorBody {
  code: number;
  error: string;
  message: string;
  details?: JsonValue;
}

/**
 * What the family below takes as `details`: anything JSON but a bare string. A string in that place
 * is almost always an error name put first by mistake (`new ConflictError('StateUnchanged', 'web-1
 * is already running')` would answer "error": "Conflict" with "StateUnchanged" as its message), so
 * the compiler refuses it; an error name of your own is `new ApsError(409, 'StateUnchanged', message)`.
 */
export type ApsErrorDetails = Exclude<JsonValue, string>;

/**
 * The base of every error APSKit answers with. App code throws it (or a subclass) and the runtime
 * answers its status with the APS error body; anything else thrown becomes a 500 with no stack trace.
 */
export class ApsError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly details?: JsonValue,
  ) {
    super(message);
    this.name = error;
  }

  toJSON(): ApsErrorBody {
    const body: ApsErrorBody = { code: this.status, error: this.error, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/*
 * The family: each fixes its status and `error` name and takes `(message, details?)`, the message
 * first. For another error name, use ApsError(status, error, message, details).
 */

/** 400: the request is malformed or fails validation; `details` names the offending fields. */
export class BadRequestError extends ApsError {
  constructor(message: string, details?: ApsErrorDetails) {
    super(400, 'BadRequest', message, details);
  }
}

export class UnauthorizedError extends ApsError {
  constructor(message = 'Authentication required', details?: ApsErrorDetails) {
    super(401, 'Unauthorized', message, details);
  }
}

export class ForbiddenError extends ApsError {
  constructor(message = 'Forbidden', details?: ApsErrorDetails) {
    super(403, 'Forbidden', message, details);
  }
}

export class NotFoundError extends ApsError {
  constructor(message = 'Not found', details?: ApsErrorDetails) {
    super(404, 'NotFound', message, details);
  }
}

export class MethodNotAllowedError extends ApsError {
  constructor(message = 'Method not allowed', details?: ApsErrorDetails) {
    super(405, 'MethodNotAllowed', message, details);
  }
}

/** 409: the resource's state forbids the operation (held, busy with another task, …). */
export class ConflictError extends ApsError {
  constructor(message: string, details?: ApsErrorDetails) {
    super(409, 'Conflict', message, details);
  }
}

export class PayloadTooLargeError extends ApsError {
  constructor(message = 'Request body too large', details?: ApsErrorDetails) {
    super(413, 'PayloadTooLarge', message, details);
  }
}

export class UnprocessableEntityError extends ApsError {
  constructor(message: string, details?: ApsErrorDetails) {
    super(422, 'UnprocessableEntity', message, details);
  }
}

/** 500 with the name the APS PHP runtime uses for an unexpected failure. */
export class InternalError extends ApsError {
  constructor(message = 'Internal error', details?: ApsErrorDetails) {
    super(500, 'Exception', message, details);
  }
}

export class NotImplementedError extends ApsError {
  constructor(message: string, details?: ApsErrorDetails) {
    super(501, 'NotImplemented', message, details);
  }
}

export class ServiceUnavailableError extends ApsError {
  constructor(message = 'Service unavailable', details?: ApsErrorDetails) {
    super(503, 'ServiceUnavailable', message, details);
  }
}

/** True for an ApsError from any copy of @apskit/core loaded in the process. */
export function isApsError(value: unknown): value is ApsError {
  return value instanceof ApsError || (value instanceof Error && hasStatusAndError(value));
}

function hasStatusAndError(e: Error): boolean {
  const r = e as Error & { status?: unknown; error?: unknown; toJSON?: unknown };
  return typeof r.status === 'number' && typeof r.error === 'string' && typeof r.toJSON === 'function';
}
