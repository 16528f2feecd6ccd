/**
 * One HTTP call to the controller: JSON in and out, the request id sent and read back, and every
 * failure turned into an ApsClientError (or a ConnectionError when nothing answered), so that the
 * polling loop can tell transient failures from final ones.
 */
import { ApsHeader } from '@apskit/core';
import { ApsClientError, ConnectionError, type ErrorBody } from './errors';

/** The header that carries the caller's request id, both ways. */
export const REQUEST_ID_HEADER = ApsHeader.requestId;
/** The header naming the task a 202 started. */
export const TASK_ID_HEADER = ApsHeader.taskId;

export interface HttpOptions {
  /** The controller's URL, `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Sent with every request (authentication, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /** How long one HTTP call may take before it counts as unanswered (transient). Default 30 000 ms. */
  readonly requestTimeout?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  /** From the root: `/aps/2/resources`. */
  readonly path: string;
  readonly body?: unknown;
  readonly requestId?: string;
  readonly signal?: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON; undefined for an empty answer. */
  readonly body: unknown;
}

export class Http {
  private readonly root: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpOptions) {
    this.root = options.baseUrl.replace(/\/+$/, '');
    // Bound late, so that a test (or a polyfill) replacing globalThis.fetch is seen.
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.requestTimeout ?? 30_000;
  }

  async request(r: HttpRequest): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers, ...r.headers };
    if (r.body !== undefined) headers['content-type'] = 'application/json';
    if (r.requestId !== undefined) headers[REQUEST_ID_HEADER] = r.requestId;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = r.signal ? AbortSignal.any([r.signal, timeout]) : timeout;
    const what = `${r.method} ${r.path}`;
    let status: number;
    let answerHeaders: Headers;
    let text: string;
    try {
      const res = await this.fetch(this.root + r.path, {
        method: r.method,
        headers,
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
        signal,
      });
      status = res.status;
      answerHeaders = res.headers;
      text = await res.text(); // inside the try: a connection reset while reading is no answer too
    } catch (e) {
      // The caller's abort is not a failure to report: it passes through as the caller's own reason.
      if (r.signal?.aborted) throw r.signal.reason;
      const why = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : networkReason(e);
      throw new ConnectionError(`${what}: ${why}`, r.requestId, { cause: e });
    }
    const body = parse(text);
    if (status >= 400) {
      const err = asErrorBody(body);
      const requestId = answerHeaders.get(REQUEST_ID_HEADER) ?? err?.requestId ?? r.requestId;
      const message = typeof err?.message === 'string' ? err.message : `answered HTTP ${status}`;
      throw new ApsClientError(`HTTP ${status} from ${what}: ${message}`, status, body, requestId);
    }
    return { status, headers: answerHeaders, body };
  }
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // a proxy's HTML error page, say: kept for the error to show
  }
}

function asErrorBody(body: unknown): ErrorBody | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as ErrorBody) : undefined;
}

/**
 * `connect ECONNREFUSED 127.0.0.1:4000` rather than undici's bare `fetch failed`. Duck-typed: the
 * errors may come from another realm (a test runner's sandbox), where `instanceof Error` is false.
 */
function networkReason(e: unknown): string {
  let reason = messageOf(e) ?? String(e);
  let c = causeOf(e);
  for (let i = 0; c !== undefined && i < 5; i++) {
    reason = messageOf(c) || reason;
    c = causeOf(c);
  }
  return reason;
}

function messageOf(e: unknown): string | undefined {
  const m = e !== null && typeof e === 'object' ? (e as { message?: unknown }).message : undefined;
  return typeof m === 'string' ? m : undefined;
}

function causeOf(e: unknown): unknown {
  return e !== null && typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
}
