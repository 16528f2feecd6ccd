/**
 * What the client throws. Every error names the request it belongs to (`requestId`) when there is
 * one, because a caller running many requests correlates failures by that id, as the synchronous
 * workflow asks.
 */
import type { ApsErrorBody } from '@apskit/core';

/** The base of the client's errors. */
export class ClientError extends Error {
  /**
   * The request this error belongs to. Writable so that the polling loop can name the request on an
   * error raised by a call that did not carry the id itself (a status read, say).
   */
  requestId: string | undefined;

  constructor(message: string, requestId?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.requestId = requestId;
  }
}

/** An error body as the controller sends it: the APS error body, and the request id it answers. */
export interface ErrorBody extends Partial<ApsErrorBody> {
  readonly requestId?: string;
}

/**
 * An HTTP call that failed: the server answered an error status, or (status 0) did not answer at
 * all. `body` is the parsed answer (the APS error body for the controller); `transient` says
 * whether the same call may succeed if made again.
 */
export class ApsClientError extends ClientError {
  constructor(
    message: string,
    /** The HTTP status; 0 when there was no answer (connection refused, reset, timed out). */
    readonly status: number,
    /** The parsed answer: JSON when it was JSON, the text otherwise, undefined when there was none. */
    readonly body: unknown,
    requestId?: string,
    options?: ErrorOptions,
  ) {
    super(message, requestId, options);
  }

  /** The APS error name (`Conflict`, `BadRequest`, …) when the body is an APS error body. */
  get error(): string | undefined {
    const name = errorBody(this.body)?.error;
    return typeof name === 'string' ? name : undefined;
  }

  /** The APS error's details (the fields a 400 names, say). */
  get details(): unknown {
    return errorBody(this.body)?.details;
  }

  /** 5xx, 408, 429 or no answer: worth trying again. 4xx otherwise: the request itself is wrong. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

function errorBody(body: unknown): ErrorBody | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as ErrorBody) : undefined;
}

/** No answer at all: connection refused or reset, DNS failure, or the per-request timeout. */
export class ConnectionError extends ApsClientError {
  constructor(message: string, requestId?: string, options?: ErrorOptions) {
    super(message, 0, undefined, requestId, options);
  }
}

/**
 * The operation ended without success: the task failed or was canceled, or (third-party APIs) the
 * error recorded against the request id. `output` is that message, as the server recorded it.
 */
export class OperationFailedError extends ClientError {
  constructor(
    message: string,
    requestId: string,
    /** The server's message: the task's latest output, or the error recorded for the request. */
    readonly output: string,
    /** The last status read (the task, for the controller), for whoever wants more than the message. */
    readonly last?: unknown,
  ) {
    super(message, requestId);
  }
}

/** The deadline passed before the operation ended. Distinct from failure: the work may still finish. */
export class OperationTimeoutError extends ClientError {
  constructor(
    message: string,
    requestId: string,
    readonly deadline: Date,
    /** How many status reads were made (0: the submit itself never got through). */
    readonly polls: number,
    /** The latest progress message seen, if any. */
    readonly lastMessage: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, requestId, options);
  }
}

/** The types a client declares and the types the server serves disagree (see `checkTypes`). */
export class TypeMismatchError extends ClientError {
  constructor(
    message: string,
    /** One line per difference: `<type id>: properties.quota: type integer here, string on the server`. */
    readonly differences: readonly string[],
  ) {
    super(message);
  }
}
