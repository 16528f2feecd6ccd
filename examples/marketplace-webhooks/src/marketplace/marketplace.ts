/**
 * A simulated marketplace, its own small HTTP server (node:http), behaving as the seed describes
 * (../shared/seeds/webhook-provisioning-scenarios.txt): it sends a provision notification for
 * every request and records a provision attempt; a 200, 201 or 202 in time acknowledges the
 * attempt, anything else (another status, a cut connection, an answer after `deliveryTimeoutMs`)
 * fails it, and it tries again up to three times, each retry a new attempt with the same request
 * id. It takes one result per acknowledged attempt, from a provisioner holding an OAuth2 token.
 *
 * It is written as another company's marketplace would be: it imports nothing from APSKit (its
 * signing, its result rules and its HTTP are in this folder, and a test checks that), so that the
 * example's tests can notice APSKit's mistakes instead of sharing them.
 */
import type http from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { post, readBody, sendJson, type DeliveryOutcome } from './http';
import { readResult, type ResultBody } from './result-rules';
import { signDelivery } from './signing';

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
  /** The marketplace's request type: `NetNew`, `Update`, …, or one the provisioner may not know. */
  readonly type: string;
  readonly companyName: string;
  readonly productName?: string;
  readonly quantity?: number;
  /** The subscription a request is about; a NetNew makes a new one. */
  readonly subscriptionId?: string;
  /** What the buyer entered at checkout. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly commitmentTermEndDate?: string;
}

export interface SendOptions {
  /**
   * Each delivery is sent this many times at once, the same bytes (a network or queue duplicate).
   * The attempt is acknowledged if any copy is. Default 1.
   */
  readonly copies?: number;
  /** The wait before a retry of this request, in ms. Default: the marketplace's `retryDelayMs`. */
  readonly retryDelayMs?: number;
}

export interface AttemptRecord {
  readonly id: string;
  status: 'Issued' | 'Acknowledged' | 'Failed';
  errorDetail?: string;
}

export type ResultRecord = ResultBody;

/** Every result post the marketplace received, taken or refused. */
export interface ResultPost {
  readonly requestId: string;
  readonly body: unknown;
  readonly answered: number;
  readonly message?: string;
}

export interface RequestRecord {
  readonly id: string;
  readonly type: string;
  readonly subscriptionId: string;
  /** `GaveUp` once every delivery failed: no attempt is acknowledged, and no result is taken. */
  status: 'Open' | 'GaveUp';
  readonly attempts: AttemptRecord[];
  readonly results: ResultRecord[];
}

/** The marketplace tries a notification this many times in all: the first delivery and three retries. */
export const DELIVERIES = 4;

export class SimulatedMarketplace {
  readonly requests = new Map<string, RequestRecord>();
  readonly posts: ResultPost[] = [];
  /** Emits `log` (a line for people) and `result` (requestId, ResultRecord). */
  readonly events = new EventEmitter();
  private readonly tokens = new Set<string>();
  private server: http.Server | undefined;
  private webhookUrl = '';
  url = '';

  constructor(private readonly options: MarketplaceOptions) {}

  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => void this.route(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Where notifications go: the provisioner's webhook URL, configured in the marketplace. */
  connect(webhookUrl: string): void {
    this.webhookUrl = webhookUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /**
   * Sends the notification of a new request, retrying failed deliveries, and resolves with the
   * request once an attempt is acknowledged or every delivery failed.
   */
  async send(order: Order, options: SendOptions = {}): Promise<RequestRecord> {
    const request: RequestRecord = {
      id: randomUUID(),
      type: order.type,
      subscriptionId: order.subscriptionId ?? randomUUID(),
      status: 'Open',
      attempts: [],
      results: [],
    };
    this.requests.set(request.id, request);
    const detailId = randomUUID();
    for (let delivery = 1; delivery <= DELIVERIES; delivery++) {
      const attempt: AttemptRecord = { id: randomUUID(), status: 'Issued' };
      request.attempts.push(attempt);
      const body = JSON.stringify({
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
      });
      const outcomes = await Promise.all(
        Array.from({ length: options.copies ?? 1 }, () => this.deliver(body, attempt)),
      );
      const said = outcomes.map(describe).join(', ');
      if (attempt.status === 'Acknowledged') {
        this.log(
          `  → ${order.type} request ${short(request.id)}, attempt ${delivery} (${short(attempt.id)}): ${said}, acknowledged`,
        );
        return request;
      }
      attempt.status = 'Failed';
      attempt.errorDetail = said;
      const delay = options.retryDelayMs ?? this.retryDelayMs;
      const retry = delivery < DELIVERIES ? `; retrying in ${delay} ms` : '; giving up';
      this.log(
        `  → ${order.type} request ${short(request.id)}, attempt ${delivery} (${short(attempt.id)}): ${said}, failed${retry}`,
      );
      if (delivery < DELIVERIES) await new Promise((r) => setTimeout(r, delay));
    }
    request.status = 'GaveUp';
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

  private async deliver(body: string, attempt: AttemptRecord): Promise<DeliveryOutcome> {
    const outcome = await post(
      this.webhookUrl,
      { 'content-type': 'application/json', ...signDelivery(this.options.signingSecret, `msg_${randomUUID()}`, body) },
      body,
      this.options.deliveryTimeoutMs ?? 2000,
    );
    // Marked as soon as the status is in, as the marketplace does: a result may follow quickly.
    if (outcome.kind === 'answered' && [200, 201, 202].includes(outcome.status)) attempt.status = 'Acknowledged';
    return outcome;
  }

  /** Two routes are all a marketplace needs here. */
  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const text = await readBody(req).catch(() => '');
    const path = new URL(req.url ?? '/', 'http://marketplace').pathname;
    const results = /^\/provision-requests\/([^/]+)\/results$/.exec(path);
    if (req.method === 'POST' && path === '/oauth/token')
      return sendJson(res, ...this.token(new URLSearchParams(text)));
    if (req.method === 'POST' && results) {
      const requestId = decodeURIComponent(results[1] as string);
      const [status, answer] = this.result(requestId, req.headers.authorization, text);
      const message = (answer as { message?: string }).message;
      this.posts.push({ requestId, body: parseOrText(text), answered: status, ...(message ? { message } : {}) });
      return sendJson(res, status, answer);
    }
    sendJson(res, 404, { message: `No route ${req.method} ${path}` });
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return [400, { message: 'The body must be JSON' }];
    }
    const read = readResult(parsed);
    if (!read.ok) return [400, { message: read.message }];
    const attempt = request.attempts.find((a) => a.id === read.result.provisionAttemptId);
    if (!attempt) return [404, { message: `No attempt ${read.result.provisionAttemptId} in this request` }];
    if (attempt.status !== 'Acknowledged')
      return [422, { message: `Attempt ${attempt.id} of this request is not acknowledged (it is ${attempt.status})` }];
    if (request.results.some((r) => r.provisionAttemptId === attempt.id))
      return [409, { message: `Attempt ${attempt.id} already has a result` }];
    const result = read.result;
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

function describe(outcome: DeliveryOutcome): string {
  if (outcome.kind === 'answered') return `HTTP ${outcome.status}`;
  return outcome.kind === 'late' ? 'no answer in time' : 'connection dropped';
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function short(id: string): string {
  return id.slice(0, 8);
}
