import type { JsonValue } from '../decorators/options';

/** The APS error body: `{"code": 404, "error": "NotFound", "message": "…", "details": …}`. */
export interface ApsErrorBody {
  code: number;
  error: string;
  message: string;
  details?: JsonValue;
}

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

/** 400: the request is malformed or fails validation; `details` names the offending fields. */
export class BadRequestError extends ApsError {
  constructor(message: string, details?: JsonValue) {
    super(400, 'BadRequest', message, details);
  }
}

export class UnauthorizedError extends ApsError {
  constructor(message = 'Authentication required', details?: JsonValue) {
    super(401, 'Unauthorized', message, details);
  }
}

export class ForbiddenError extends ApsError {
  constructor(message = 'Forbidden', details?: JsonValue) {
    super(403, 'Forbidden', message, details);
  }
}

export class NotFoundError extends ApsError {
  constructor(message = 'Not found', details?: JsonValue) {
    super(404, 'NotFound', message, details);
  }
}

export class MethodNotAllowedError extends ApsError {
  constructor(message = 'Method not allowed', details?: JsonValue) {
    super(405, 'MethodNotAllowed', message, details);
  }
}

/** 409: the resource's state forbids the operation (held, busy with another task, …). */
export class ConflictError extends ApsError {
  constructor(message: string, details?: JsonValue) {
    super(409, 'Conflict', message, details);
  }
}

export class PayloadTooLargeError extends ApsError {
  constructor(message = 'Request body too large', details?: JsonValue) {
    super(413, 'PayloadTooLarge', message, details);
  }
}

export class UnprocessableEntityError extends ApsError {
  constructor(message: string, details?: JsonValue) {
    super(422, 'UnprocessableEntity', message, details);
  }
}

/** 500 with the name the APS PHP runtime uses for an unexpected failure. */
export class InternalError extends ApsError {
  constructor(message = 'Internal error', details?: JsonValue) {
    super(500, 'Exception', message, details);
  }
}

export class NotImplementedError extends ApsError {
  constructor(message: string, details?: JsonValue) {
    super(501, 'NotImplemented', message, details);
  }
}

export class ServiceUnavailableError extends ApsError {
  constructor(message = 'Service unavailable', details?: JsonValue) {
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
