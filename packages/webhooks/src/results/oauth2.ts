/**
 * OAuth2 client credentials for the results endpoint: a token is fetched when first needed, reused
 * until shortly before it expires, and dropped when the marketplace answers 401 with it. Concurrent
 * posts share one token request.
 */

export interface OAuth2ClientCredentials {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** Sent as `audience`, for authorization servers that want one (Auth0, say). */
  readonly audience?: string;
}

/** Why a token could not be had: `transient` is worth trying again later, `refused` is not. */
export class TokenError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

// A token is renewed this long before the authorization server says it expires.
const EARLY_MS = 30_000;

export class OAuth2TokenSource {
  private token: { value: string; fresh: boolean; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly credentials: OAuth2ClientCredentials,
    private readonly fetchFn: typeof fetch,
    private readonly timeoutMs: number,
  ) {}

  /** A bearer token, and whether it was fetched just now (so that a 401 with it is not a stale token). */
  async get(): Promise<{ token: string; fresh: boolean }> {
    if (this.token && Date.now() < this.token.expiresAt) {
      const fresh = this.token.fresh;
      this.token.fresh = false;
      return { token: this.token.value, fresh };
    }
    this.pending ??= this.request().finally(() => (this.pending = undefined));
    return { token: await this.pending, fresh: true };
  }

  /** Forgets the token (the results endpoint refused it). */
  invalidate(): void {
    this.token = undefined;
  }

  private async request(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope, audience } = this.credentials;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    if (scope !== undefined) form.set('scope', scope);
    if (audience !== undefined) form.set('audience', audience);
    let res: Response;
    try {
      res = await this.fetchFn(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new TokenError(`The token endpoint ${tokenUrl} could not be reached: ${reasonOf(e)}`, true);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      const transient = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new TokenError(`The token endpoint answered HTTP ${res.status}: ${text.slice(0, 200)}`, transient);
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new TokenError('The token endpoint answered something other than JSON', false);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new TokenError('The token endpoint answered without an access_token', false);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    this.token = {
      value: body.access_token,
      fresh: false,
      expiresAt: Date.now() + Math.max(0, seconds * 1000 - EARLY_MS),
    };
    return body.access_token;
  }
}

export function reasonOf(e: unknown): string {
  // fetch's timeout is a DOMException, which is not an Error in every Node version: go by its name.
  const name = e !== null && typeof e === 'object' ? (e as { name?: unknown }).name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError') return 'no answer in time';
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    const detail = cause instanceof Error ? cause.message : '';
    return detail ? `${e.message} (${detail})` : e.message;
  }
  return String(e);
}
