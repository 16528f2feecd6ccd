/**
 * A marketplace as another company would write it from the seed (webhook-provisioning-scenarios.txt),
 * sharing no code with @apskit/webhooks: its own Standard Webhooks signing (node:crypto), its own
 * length rule for errorMessage (at most 500 UTF-16 code units, as a JavaScript, Java or .NET service
 * counts a string; a longer one is refused with 400), its own bookkeeping of attempts.
 *
 * - It sends a provision notification and records a ProvisionAttempt. An answer of 200, 201 or 202
 *   within `ackTimeoutMs` marks the attempt Acknowledged; anything else (another status, no answer in
 *   time, no connection) marks it Failed, and the marketplace retries with a new attempt, up to three
 *   times (four attempts in all), `retryDelayMs` apart.
 * - `lateAcknowledgements = n` makes it treat the next n acknowledgements as having come after its
 *   timeout (the provisioner stored them; the marketplace failed them), without waiting for real time.
 * - Results: `POST /provision-requests/{id}/results`. An attempt it does not know: 404. An attempt it
 *   failed (not acknowledged): 422. A second result for an attempt: 409. Otherwise 201, kept.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttemptState = 'sending' | 'acknowledged' | 'failed';

export interface DoubleAttempt {
  readonly id: string;
  state: AttemptState;
  /** What the provisioner answered (0: no answer in time or no connection). */
  answered?: number;
  /** Why it failed, when it did. */
  failure?: string;
}

export interface DoubleResult {
  readonly provisionAttemptId: string;
  readonly status: string;
  readonly errorMessage?: string;
  readonly externalProvisionerSubscriptionId?: string;
}

export interface DoubleRequest {
  readonly id: string;
  readonly notification: Record<string, unknown>;
  readonly attempts: DoubleAttempt[];
  /** Results it accepted (201). */
  readonly results: DoubleResult[];
  /** Every answer it gave to a result post, in order: [attemptId, HTTP status]. */
  readonly answers: Array<[string, number]>;
  /** Set once the last attempt is acknowledged or the retries are used up. */
  done: Promise<void>;
}

export interface DoubleOptions {
  /** The provisioner's webhook URL (settable later: `double.webhookUrl`). */
  webhookUrl?: string;
  /** `whsec_<base64>` as Standard Webhooks writes it. */
  signingSecret: string;
  ackTimeoutMs?: number;
  retryDelayMs?: number;
}

const ACCEPTABLE = new Set([200, 201, 202]);
const MAX_RETRIES = 3;
const MAX_ERROR_MESSAGE_UTF16 = 500;

export class MarketplaceDouble {
  readonly requests = new Map<string, DoubleRequest>();
  /** The next n acknowledgements are treated as late (the marketplace's timeout has passed). */
  lateAcknowledgements = 0;
  /** The next n deliveries go to a path the provisioner does not serve (its answer: not acceptable). */
  misdirectedDeliveries = 0;
  private server: http.Server | undefined;
  url = '';
  webhookUrl: string;

  constructor(private readonly options: DoubleOptions) {
    this.webhookUrl = options.webhookUrl ?? '';
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get resultsUrl(): string {
    return `${this.url}/provision-requests/{provisionRequestId}/results`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  /** A NetNew (or other) purchase: the notification is sent, and retried as the seed says. */
  purchase(
    fields: { type?: string; details?: Record<string, unknown>; subscriptionId?: string; quantity?: number } = {},
  ): DoubleRequest {
    const requestId = randomUUID();
    const detailId = randomUUID();
    const notification = {
      isSimulation: false,
      provisionRequest: {
        id: requestId,
        type: fields.type ?? 'NetNew',
        subscriptionId: fields.subscriptionId ?? randomUUID(),
        productId: randomUUID(),
        productName: 'Space',
        quantity: fields.quantity ?? 3,
        companyName: 'Double Company',
      },
      provisionDetail: { id: detailId, provisionRequestId: requestId, details: fields.details ?? {} },
    };
    const request: DoubleRequest = {
      id: requestId,
      notification,
      attempts: [],
      results: [],
      answers: [],
      done: Promise.resolve(),
    };
    this.requests.set(requestId, request);
    request.done = this.sendWithRetries(request);
    return request;
  }

  /** One more attempt of a request, outside the retry schedule (the marketplace coming back later). */
  async sendAttempt(request: DoubleRequest): Promise<DoubleAttempt> {
    const attempt: DoubleAttempt = { id: randomUUID(), state: 'sending' };
    request.attempts.push(attempt);
    const detail = request.notification.provisionDetail as { id: string };
    const body = JSON.stringify({
      ...request.notification,
      provisionAttempt: { id: attempt.id, provisionDetailId: detail.id },
    });
    const misdirected = this.misdirectedDeliveries > 0;
    if (misdirected) this.misdirectedDeliveries -= 1;
    try {
      const res = await fetch(misdirected ? `${this.webhookUrl}-unavailable` : this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.sign(body) },
        body,
        signal: AbortSignal.timeout(this.options.ackTimeoutMs ?? 5000),
      });
      await res.arrayBuffer();
      attempt.answered = res.status;
      if (!ACCEPTABLE.has(res.status)) return this.fail(attempt, `HTTP ${res.status}`);
      if (this.lateAcknowledgements > 0) {
        this.lateAcknowledgements -= 1;
        return this.fail(attempt, 'acknowledged after the timeout');
      }
      attempt.state = 'acknowledged';
    } catch (e) {
      attempt.answered = 0;
      this.fail(attempt, e instanceof Error ? e.message : String(e));
    }
    return attempt;
  }

  private fail(attempt: DoubleAttempt, why: string): DoubleAttempt {
    attempt.state = 'failed';
    attempt.failure = why;
    return attempt;
  }

  private async sendWithRetries(request: DoubleRequest): Promise<void> {
    for (let i = 0; i <= MAX_RETRIES; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 200));
      const attempt = await this.sendAttempt(request);
      if (attempt.state === 'acknowledged') return;
    }
  }

  /** Standard Webhooks: v1,<base64 HMAC-SHA256 of "id.timestamp.body"> with the base64-decoded secret. */
  private sign(body: string): Record<string, string> {
    const id = `msg_${randomUUID()}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(this.options.signingSecret.replace(/^whsec_/, ''), 'base64');
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const match = /^\/provision-requests\/([^/]+)\/results$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return answer(404, { message: 'Not found' });
    const request = this.requests.get(decodeURIComponent(match[1]!));
    let body: Partial<DoubleResult>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<DoubleResult>;
    } catch {
      return answer(400, { message: 'The body is not JSON' });
    }
    const attemptId = typeof body.provisionAttemptId === 'string' ? body.provisionAttemptId : '';
    const record = (status: number, message: string): void => {
      request?.answers.push([attemptId, status]);
      answer(status, { message });
    };
    if (!request) return answer(404, { message: 'No such provision request' });
    if (body.status !== 'Success' && body.status !== 'Fail') return record(400, 'status must be Success or Fail');
    if (body.status === 'Fail' && typeof body.errorMessage !== 'string')
      return record(400, 'A Fail result needs an errorMessage');
    // Its own count: UTF-16 code units, as String.length, Java's length() and .NET's Length count.
    if (typeof body.errorMessage === 'string' && utf16Units(body.errorMessage) > MAX_ERROR_MESSAGE_UTF16)
      return record(400, `errorMessage is longer than ${MAX_ERROR_MESSAGE_UTF16} characters`);
    const attempt = request.attempts.find((a) => a.id === attemptId);
    if (!attempt) return record(404, `ProvisionAttempt ${attemptId} does not belong to this request`);
    if (attempt.state !== 'acknowledged') return record(422, `ProvisionAttempt ${attemptId} is not acknowledged`);
    if (request.results.some((r) => r.provisionAttemptId === attemptId))
      return record(409, `ProvisionAttempt ${attemptId} already has a result`);
    request.results.push(body as DoubleResult);
    record(201, 'Created');
  }
}

/** UTF-16 code units, counted from the encoded bytes rather than from String.length. */
function utf16Units(text: string): number {
  return Buffer.byteLength(text, 'utf16le') / 2;
}
