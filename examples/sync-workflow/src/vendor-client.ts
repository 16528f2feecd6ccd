/**
 * A thin client of the vendor API, as a vendor SDK would be: one method per endpoint, no waiting.
 * Its errors carry the HTTP status, which is all the generic poller needs to tell a transient
 * failure (5xx) from a refusal (4xx); network failures pass through as fetch reports them.
 */
import type { TenantStatus, TenantView } from './vendor/model';

export type { TenantStatus, TenantView };

export class VendorApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'VendorApiError';
  }
}

export interface Accepted {
  readonly requestId: string;
  readonly operation: string;
  readonly status: 'Accepted';
}

export interface Call {
  readonly requestId: string;
  readonly signal?: AbortSignal;
}

export class VendorClient {
  constructor(readonly baseUrl: string) {}

  createAccount(
    account: { companyName: string; contact: { name: string; email: string } },
    signal?: AbortSignal,
  ): Promise<{ accountId: string; contactId: string }> {
    return this.send('POST', '/accounts', account, signal);
  }

  createTrial(t: { accountId: string; contactId: string; product: string }, call: Call): Promise<Accepted> {
    return this.send('POST', '/trials', { ...t, requestId: call.requestId }, call.signal);
  }

  convertTrial(tenantId: string, c: { quantity: number }, call: Call): Promise<Accepted> {
    return this.send('POST', `/trials/${enc(tenantId)}/convert`, { ...c, requestId: call.requestId }, call.signal);
  }

  createSubscription(
    s: { accountId: string; contactId: string; product: string; quantity: number },
    call: Call,
  ): Promise<Accepted> {
    return this.send('POST', '/subscriptions', { ...s, requestId: call.requestId }, call.signal);
  }

  amendSubscription(tenantId: string, a: { quantity: number }, call: Call): Promise<Accepted> {
    return this.send('POST', `/subscriptions/${enc(tenantId)}/amend`, { ...a, requestId: call.requestId }, call.signal);
  }

  suspendSubscription(tenantId: string, call: Call): Promise<Accepted> {
    return this.send('POST', `/subscriptions/${enc(tenantId)}/suspend`, { requestId: call.requestId }, call.signal);
  }

  tenantStatus(accountId: string, signal?: AbortSignal): Promise<{ accountId: string; tenants: TenantView[] }> {
    return this.send('GET', `/accounts/${enc(accountId)}/tenant-status`, undefined, signal);
  }

  /** The first error recorded against the request id, if any. */
  async errorFor(requestId: string, signal?: AbortSignal): Promise<string | undefined> {
    const errors = await this.send<Array<{ message: string }>>(
      'GET',
      `/errors?requestId=${enc(requestId)}`,
      undefined,
      signal,
    );
    return errors[0]?.message;
  }

  private async send<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    if (!res.ok) {
      // A proxy in between may answer text: the status is what matters, the message is a courtesy.
      const message = /^\s*\{/.test(text) ? ((JSON.parse(text) as { error?: string }).error ?? text) : text;
      throw new VendorApiError(res.status, `${method} ${path}: HTTP ${res.status}: ${message}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

const enc = encodeURIComponent;
