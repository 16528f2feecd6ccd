/**
 * A simulated marketplace, its own small HTTP server, behaving as the seed describes: it sends a
 * provision notification for every request and records a provision attempt; a 200, 201 or 202
 * acknowledges the attempt, anything else (another status, a cut connection, no answer in time)
 * fails it, and it tries again up to three times, each retry a new attempt with the same request id.
 * It takes one result per acknowledged attempt, from a provisioner holding an OAuth2 token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  cutErrorMessage,
  standardWebhookHeaders,
  type ProvisionNotification,
  type RequestType,
} from '@apskit/webhooks';

export interface MarketplaceOptions {
  /** The secret webhooks are signed with (Standard Webhooks). */
  readonly signingSecret: string;
  /** The provisioner's OAuth2 client. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** How long a delivery may take before the attempt fails, in ms. Default 2000. */
  readonly deliveryTimeoutMs?: number;
  /** The wait before a retry, in ms. Default 500. */
  readonly retryDelayMs?: number;
}

export interface Order {
  readonly type: RequestType;
  readonly companyName: string;
  readonly productName?: string;
  readonly quantity?: number;
  /** The subscription a request is about; a NetNew makes a new one. */
  readonly subscriptionId?: string;
  /** What the buyer entered at checkout. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly commitmentTermEndDate?: string;
}

export interface AttemptRecord {
  readonly id: string;
  status: 'Issued' | 'Acknowledged' | 'Failed';
  errorDetail?: string;
}

export interface ResultRecord {
  readonly provisionAttemptId: string;
  readonly status: 'Success' | 'Fail';
  readonly errorMessage: string | null;
  readonly externalProvisionerSubscriptionId: string | null;
}

export interface RequestRecord {
  readonly id: string;
  readonly type: RequestType;
  readonly subscriptionId: string;
  readonly attempts: AttemptRecord[];
  readonly results: ResultRecord[];
}

/** The marketplace tries a notification this many times in all: the first delivery and three retries. */
export const DELIVERIES = 4;

export class SimulatedMarketplace {
  readonly requests = new Map<string, RequestRecord>();
  /** Emits `log` (a line for people) and `result` (requestId, ResultRecord). */
  readonly events = new EventEmitter();
  private readonly tokens = new Set<string>();
  private server: http.Server | undefined;
  private webhookUrl = '';
  url = '';

  constructor(private readonly options: MarketplaceOptions) {}

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Where notifications go: the provisioner's webhook URL, configured in the marketplace. */
  connect(webhookUrl: string): void {
    this.webhookUrl = webhookUrl;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  /**
   * Sends the notification of a new request, retrying failed deliveries, and resolves with the
   * request once an attempt is acknowledged or every delivery failed.
   */
  async send(order: Order): Promise<RequestRecord> {
    const request: RequestRecord = {
      id: randomUUID(),
      type: order.type,
      subscriptionId: order.subscriptionId ?? randomUUID(),
      attempts: [],
      results: [],
    };
    this.requests.set(request.id, request);
    const detailId = randomUUID();
    for (let delivery = 1; delivery <= DELIVERIES; delivery++) {
      const attempt: AttemptRecord = { id: randomUUID(), status: 'Issued' };
      request.attempts.push(attempt);
      const notification: ProvisionNotification = {
        isSimulation: false,
        provisionRequest: {
          id: request.id,
          type: order.type,
          subscriptionId: request.subscriptionId,
          companyName: order.companyName,
          productName: order.productName ?? 'Acme Notes',
          quantity: order.quantity ?? 1,
          commitmentTermEndDate: order.commitmentTermEndDate,
          createdDate: new Date().toISOString(),
        },
        provisionDetail: { id: detailId, provisionRequestId: request.id, details: order.details ?? {} },
        provisionAttempt: { id: attempt.id, provisionDetailId: detailId, createdDate: new Date().toISOString() },
      };
      const outcome = await this.deliver(notification, attempt);
      if (outcome.acknowledged) {
        this.log(
          `  → ${order.type} request ${short(request.id)}, attempt ${delivery} (${short(attempt.id)}): ${outcome.said}, acknowledged`,
        );
        return request;
      }
      attempt.status = 'Failed';
      attempt.errorDetail = outcome.said;
      const retry = delivery < DELIVERIES ? `; retrying in ${this.retryDelayMs} ms` : '; giving up';
      this.log(
        `  → ${order.type} request ${short(request.id)}, attempt ${delivery} (${short(attempt.id)}): ${outcome.said}, failed${retry}`,
      );
      if (delivery < DELIVERIES) await new Promise((r) => setTimeout(r, this.retryDelayMs));
    }
    return request;
  }

  /** The result of a request, once it is posted (bounded: rejects after `timeoutMs`). */
  waitForResult(requestId: string, timeoutMs = 30_000): Promise<ResultRecord> {
    const known = this.requests.get(requestId)?.results[0];
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const onResult = (id: string, result: ResultRecord): void => {
        if (id !== requestId) return;
        clearTimeout(timer);
        this.events.off('result', onResult);
        resolve(result);
      };
      const timer = setTimeout(() => {
        this.events.off('result', onResult);
        reject(new Error(`No result for request ${requestId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on('result', onResult);
    });
  }

  private get retryDelayMs(): number {
    return this.options.retryDelayMs ?? 500;
  }

  private async deliver(
    notification: ProvisionNotification,
    attempt: AttemptRecord,
  ): Promise<{ acknowledged: boolean; said: string }> {
    const body = JSON.stringify(notification);
    try {
      const res = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...standardWebhookHeaders(this.options.signingSecret, `msg_${randomUUID()}`, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.deliveryTimeoutMs ?? 2000),
      });
      const acknowledged = [200, 201, 202].includes(res.status);
      // Marked as soon as the status is in, as the marketplace does: a result may follow quickly.
      if (acknowledged) attempt.status = 'Acknowledged';
      await res.text().catch(() => '');
      return { acknowledged, said: `HTTP ${res.status}` };
    } catch (e) {
      const name = e !== null && typeof e === 'object' ? (e as { name?: unknown }).name : undefined;
      return { acknowledged: false, said: name === 'TimeoutError' ? 'no answer in time' : 'connection dropped' };
    }
  }

  /** Two routes are all a marketplace needs here; node:http is enough for them. */
  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const text = await new Promise<string>((resolve, reject) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (data += chunk));
      req.on('end', () => resolve(data));
      req.on('error', reject);
    }).catch(() => '');
    const path = new URL(req.url ?? '/', 'http://marketplace').pathname;
    const results = /^\/provision-requests\/([^/]+)\/results$/.exec(path);
    if (req.method === 'POST' && path === '/oauth/token') return send(res, ...this.token(new URLSearchParams(text)));
    if (req.method === 'POST' && results)
      return send(res, ...this.result(decodeURIComponent(results[1] as string), req.headers.authorization, text));
    send(res, 404, { message: `No route ${req.method} ${path}` });
  }

  private token(form: URLSearchParams): [number, unknown] {
    if (
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_id') !== this.options.clientId ||
      form.get('client_secret') !== this.options.clientSecret
    )
      return [401, { error: 'invalid_client' }];
    const token = randomUUID();
    this.tokens.add(token);
    return [200, { access_token: token, token_type: 'Bearer', expires_in: 3600 }];
  }

  /** POST /provision-requests/{id}/results: one result per acknowledged attempt. */
  private result(requestId: string, authorization: string | undefined, text: string): [number, unknown] {
    const auth = authorization ?? '';
    if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7)))
      return [401, { message: 'A valid bearer token is required' }];
    const request = this.requests.get(requestId);
    if (!request) return [404, { message: `No provision request ${requestId}` }];
    let body: Partial<ResultRecord> & { errorMessage?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return [400, { message: 'The body must be JSON' }];
    }
    if (body.status !== 'Success' && body.status !== 'Fail')
      return [400, { message: 'status must be Success or Fail' }];
    const attempt = request.attempts.find((a) => a.id === body.provisionAttemptId);
    if (!attempt || attempt.status !== 'Acknowledged')
      return [422, { message: `Attempt ${body.provisionAttemptId} of this request is not acknowledged` }];
    if (request.results.some((r) => r.provisionAttemptId === attempt.id))
      return [409, { message: `Attempt ${attempt.id} already has a result` }];
    const result: ResultRecord = {
      provisionAttemptId: attempt.id,
      status: body.status,
      errorMessage: typeof body.errorMessage === 'string' ? cutErrorMessage(body.errorMessage) : null,
      externalProvisionerSubscriptionId: body.externalProvisionerSubscriptionId ?? null,
    };
    request.results.push(result);
    const attemptNo = request.attempts.indexOf(attempt) + 1;
    this.log(
      `  ← result for attempt ${attemptNo} (${short(attempt.id)}): ${result.status}${result.errorMessage ? `: ${result.errorMessage}` : ''}`,
    );
    this.events.emit('result', request.id, result);
    return [201, { id: randomUUID(), ...result, createdDate: new Date().toISOString() }];
  }

  private log(line: string): void {
    this.events.emit('log', line);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function short(id: string): string {
  return id.slice(0, 8);
}
