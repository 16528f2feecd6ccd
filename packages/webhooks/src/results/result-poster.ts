/**
 * Posts one provision result to the marketplace and says what came of it. Retrying is the result
 * job's business; this only classifies: posted, already there (the marketplace keeps one result per
 * attempt and refuses a second with 409, which is how a result posted just before a crash is not
 * counted twice), refused for good (4xx), or worth another try (5xx, 408, 429, no answer).
 */
import { OAuth2TokenSource, TokenError, reasonOf, type OAuth2ClientCredentials } from './oauth2';

/** What the provisioner sends for an attempt. */
export interface ProvisionResult {
  readonly provisionAttemptId: string;
  readonly status: 'Success' | 'Fail';
  /** For `Fail`: what went wrong, for a non-technical reader; at most 500 characters. */
  readonly errorMessage?: string;
  /** The APS resource that serves the subscription, when there is one. */
  readonly externalProvisionerSubscriptionId?: string;
}

export type ResultsAuthentication =
  { readonly oauth2: OAuth2ClientCredentials } | { readonly header: { readonly name: string; readonly value: string } };

export interface ResultsOptions {
  /**
   * Where a request's results go: a URL with `{provisionRequestId}` in it
   * (`https://marketplace.example/provision-requests/{provisionRequestId}/results`), or a function.
   */
  readonly url: string | ((provisionRequestId: string) => string);
  /** How the provisioner authenticates to the marketplace. */
  readonly authentication?: ResultsAuthentication;
  /** How long one post may take, in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** First and largest back-off ceilings (seconds, scaled by the controller's time scale): default 1 and 300. */
  readonly backoff?: { readonly baseSeconds?: number; readonly maxDelaySeconds?: number };
  /** How long to keep trying, in seconds (scaled), before the result's task fails. Default 3600. */
  readonly maxPostingSeconds?: number;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

export type PostOutcome =
  | { readonly kind: 'posted'; readonly status: number }
  | { readonly kind: 'duplicate'; readonly status: number }
  /** `status`: the marketplace's answer; undefined when no post was made (the token was refused). */
  | { readonly kind: 'refused'; readonly reason: string; readonly status?: number }
  | { readonly kind: 'transient'; readonly reason: string };

export class ResultPoster {
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly tokens: OAuth2TokenSource | undefined;

  constructor(private readonly options: ResultsOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const auth = options.authentication;
    this.tokens =
      auth && 'oauth2' in auth ? new OAuth2TokenSource(auth.oauth2, this.fetchFn, this.timeoutMs) : undefined;
    if (typeof options.url === 'string' && !options.url.includes('{provisionRequestId}'))
      throw new Error(`results.url must contain {provisionRequestId}: ${options.url}`);
  }

  urlFor(provisionRequestId: string): string {
    const { url } = this.options;
    return typeof url === 'function'
      ? url(provisionRequestId)
      : url.replaceAll('{provisionRequestId}', encodeURIComponent(provisionRequestId));
  }

  async post(provisionRequestId: string, result: ProvisionResult): Promise<PostOutcome> {
    const first = await this.postOnce(provisionRequestId, result);
    // A 401 with a token from the cache may mean only that the token was revoked: one more go
    // with a new token tells that apart from credentials that are wrong.
    if (first.kind === 'unauthorized' && !first.freshToken) {
      this.tokens?.invalidate();
      const second = await this.postOnce(provisionRequestId, result);
      return second.kind === 'unauthorized' ? { kind: 'refused', reason: second.reason, status: 401 } : second;
    }
    return first.kind === 'unauthorized' ? { kind: 'refused', reason: first.reason, status: 401 } : first;
  }

  private async postOnce(
    provisionRequestId: string,
    result: ProvisionResult,
  ): Promise<PostOutcome | { kind: 'unauthorized'; reason: string; freshToken: boolean }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    let freshToken = true;
    const auth = this.options.authentication;
    if (auth && 'header' in auth) headers[auth.header.name] = auth.header.value;
    if (this.tokens) {
      try {
        const { token, fresh } = await this.tokens.get();
        headers.authorization = `Bearer ${token}`;
        freshToken = fresh;
      } catch (e) {
        if (e instanceof TokenError) return { kind: e.transient ? 'transient' : 'refused', reason: e.message };
        throw e;
      }
    }
    const url = this.urlFor(provisionRequestId);
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(result),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      return { kind: 'transient', reason: `${url} could not be reached: ${reasonOf(e)}` };
    }
    const text = await res.text().catch(() => '');
    const said = `HTTP ${res.status}${text ? `: ${messageOf(text)}` : ''}`;
    if (res.ok) return { kind: 'posted', status: res.status };
    if (res.status === 409) return { kind: 'duplicate', status: res.status };
    if (res.status === 401 && this.tokens) return { kind: 'unauthorized', reason: said, freshToken };
    if (res.status === 408 || res.status === 429 || res.status >= 500) return { kind: 'transient', reason: said };
    return { kind: 'refused', reason: said, status: res.status };
  }
}

/** An error body's message (`{"message": …}` as most APIs send), or the start of the text. */
function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string') return body.message.slice(0, 300);
    if (typeof body.error === 'string') return body.error.slice(0, 300);
  } catch {
    // not JSON: the text itself says it
  }
  return text.slice(0, 300);
}
