/**
 * Who is calling the controller's API (issue 18), found once per request before any route runs and
 * left on the response for the routes and the access rules (`callerOf(res)`).
 *
 * In this order:
 * 1. A TLS client certificate that this controller issued to its application instance: the app,
 *    `{kind: 'app', instanceId}`. The certificate, never the APS-Instance-ID header, says so.
 * 2. `Authorization: Bearer <token>`: the token's role (admin, or an account's owner); the embedded
 *    controller's in-process endpoint presents a per-process secret here and is the app. A token
 *    that is malformed or unknown is 401, in every mode: a token sent is always checked, never
 *    ignored.
 * 3. Nothing: `{kind: 'open'}` when the controller runs open (no token configured, listening on a
 *    loopback address only, and this request came in on one); else 401.
 *
 * The instance certificate and a token on one request: refused (400), one request has one caller.
 * A client that holds both says which it means by sending one.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { ApsError, BadRequestError } from '@apskit/core';
import { sendError } from '@apskit/express';
import type { Caller } from './caller';
import { isLoopbackAddress } from './open-mode';
import { setCaller } from './request-caller';
import { isBearerToken, sha256, type TokenStore } from './tokens';

/**
 * Recognises this controller's instance certificate in a request's TLS client certificate: the
 * instance id it was issued to, or undefined for no certificate or any other one. The controller's
 * trust module provides it (ControllerTrust.identifyRequest: it knows the certificates it issued).
 */
export type InstanceCertificateCheck = (req: IncomingMessage) => string | undefined;

export interface AuthenticateOptions {
  readonly tokens: TokenStore;
  /**
   * Whether the controller runs open (no token configured, bound to loopback only): decided at
   * start by serveController, read per request (it is known once the server listens).
   */
  readonly open: () => boolean;
  /** The instance certificate check; without one, no TLS client is the app. */
  readonly instanceCertificate?: InstanceCertificateCheck;
  /** The application instance's id, read per request (it is known once the controller started). */
  readonly instanceId: () => string;
  /**
   * The embedded controller's own secret for its in-process endpoint (see app-secret.ts): a bearer
   * token that is the app. Never sent anywhere but to the controller's own URI.
   */
  readonly appSecret?: () => Buffer | undefined;
}

/** The realm named in WWW-Authenticate. */
const REALM = 'apskit';

class AuthenticationError extends ApsError {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(401, 'Unauthorized', message);
  }
}

/** Sends 401 with its challenge (RFC 6750 section 3): the client learns to send a bearer token. */
function unauthorized(res: Response, e: AuthenticationError): void {
  res.setHeader('WWW-Authenticate', e.challenge);
  sendError(res, e, undefined);
}

/** The bearer token of a request: undefined without an Authorization header; throws when it is malformed. */
function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match || !isBearerToken(match[1] as string))
    throw new AuthenticationError(
      'The Authorization header must be "Bearer <token>"',
      `Bearer realm="${REALM}", error="invalid_request"`,
    );
  return match[1] as string;
}

/** Finds the caller of one request; throws an ApsError (401/400) when it has none. */
export function callerOfRequest(req: IncomingMessage, options: AuthenticateOptions): Caller {
  const token = bearerToken(req);
  const instanceId = options.instanceCertificate?.(req);
  if (instanceId !== undefined) {
    if (token !== undefined)
      throw new BadRequestError(
        "This request presents the instance certificate and a bearer token: send one (the certificate is the app's)",
      );
    return { kind: 'app', instanceId };
  }
  if (token !== undefined) {
    const secret = options.appSecret?.();
    // Compared with the same hash and constant-time equality as the tokens, and always, so that
    // the time of an answer does not tell the secret's presence.
    const isApp = secret !== undefined && timingSafeEqual(sha256(token), secret);
    const found = options.tokens.find(token);
    if (isApp) return { kind: 'app', instanceId: options.instanceId() };
    if (found) return found;
    throw new AuthenticationError(
      'The bearer token is not one this controller accepts',
      `Bearer realm="${REALM}", error="invalid_token"`,
    );
  }
  if (options.open() && isLoopbackAddress(req.socket.localAddress)) return { kind: 'open' };
  throw new AuthenticationError(
    'This controller requires a bearer token (Authorization: Bearer <token>) or the instance certificate',
    `Bearer realm="${REALM}"`,
  );
}

/** The middleware: every request gets its caller, or a 401/400 with an APS error body. */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  return (req, res, next) => {
    let caller: Caller;
    try {
      caller = callerOfRequest(req, options);
    } catch (e) {
      if (e instanceof AuthenticationError) unauthorized(res, e);
      else sendError(res, e, undefined);
      return;
    }
    setCaller(res, caller);
    next();
  };
}
