/**
 * `createEndpoint`: from the types an app serves to an express router that speaks the APS endpoint
 * protocol. Everything that can be decided once (the model, validators, instance builders, routes)
 * is decided here, so that a request runs only its own work.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import {
  ApsHeader,
  ApsHeaderKey,
  buildTypeModel,
  CoreTypes,
  InternalError,
  isServiceName,
  toOpenApi,
  type Class,
  type TypeModel,
} from '@apskit/core';
import { requirePinnedClientCertificate, type ClientCertificateOptions } from './security/client-certificate';
import { peerCertificateReader, trustedProxyFromEnv, type TrustedProxyOptions } from './security/peer-certificate';
import { credentialsDirectory, fileCredentialStore, type CredentialStore } from './trust/credential-store';
import { carriesX509, withoutX509 } from './trust/installation';
import { InstanceTrust, type InstallationOptions, type TrustDecision } from './trust/instance-trust';
import { controllerResourceLoader, type ResourceLoader } from './resources/loader';
import { compileService, type CompiledService } from './routes/compile-service';
import { createDispatcher, type Dispatcher, type DispatchRequest } from './dispatch';
import type { ApsReply } from './protocol/call';
import { bodyErrors, jsonBody, UNSAFE_BODY } from './server/body';
import { createLogger } from './server/logger';
import { listenEndpoint, type ListenOptions, type RunningEndpoint } from './server/listen';
import { requestLog } from './server/request-log';
import { sendError, sendJson, sendUnserializable, serialize, writeJson } from './protocol/send';
import { echoHeaderValue } from './protocol/headers';
import { configuredControllerUri, controllerUriResolver } from './controller-uri';
import { openApiPath, openApiRoute } from './server/openapi';

export interface EndpointOptions {
  /** Service name (the first path segment) → the @ApsType class it serves. */
  services: Readonly<Record<string, Class>>;
  /**
   * Where the current state of a resource comes from for retrieve, configure, unprovision, links
   * and custom operations. Default: `GET {controller}/aps/2/resources/{id}` at the request's trusted
   * controller (see `controllerUri`), as the APS PHP runtime does; without one, a resource is just
   * its `{aps: {id}}`.
   */
  loadResource?: ResourceLoader;
  /**
   * The controller this endpoint calls (the resource loader, `controllerClient()`, `apsContext().controllerUri`),
   * such as `https://controller.example.com:6308/`. Default: the APSKIT_CONTROLLER_URI environment
   * variable. When neither is set, the `APS-Controller-URI` header is believed only from an
   * authenticated caller (behind `clientCertificate`, or an in-process `dispatch()`); an
   * unauthenticated request is served as one that names no controller. When set, it always wins
   * over the header. Must be an http:// or https:// URL; another value throws here.
   */
  controllerUri?: string;
  /** Largest accepted request body (a number of bytes or '1mb'); larger ones answer 413. Default 1mb. */
  bodyLimit?: string | number;
  /**
   * Mutual TLS: accept only the controller's pinned client certificate (401 without one, 403 for
   * another), for every request. Installed instances are pinned without it (see `installation`).
   */
  clientCertificate?: ClientCertificateOptions;
  /**
   * Behind a TLS-terminating proxy (docs/security.md): the client certificate is the one the proxy
   * passes on in `certificateHeader` (default `x-ssl-client-cert`, nginx's `$ssl_client_escaped_cert`),
   * believed only on a connection from the proxy: one presenting `proxyCertificate` and/or from one of
   * `addresses`. From anyone else the header is ignored (and logged at warn, once per peer address). It then serves
   * installation, per-instance pinning and `clientCertificate` alike. Default: the
   * APSKIT_TRUSTED_PROXY_ADDRESSES environment variable (comma-separated addresses), else no proxy.
   */
  trustedProxy?: TrustedProxyOptions;
  /**
   * Where the credentials of each installed application instance are kept (instance certificate and
   * key, controller certificate, controller URI). Default: files in `credentialsDir`.
   */
  credentials?: CredentialStore;
  /**
   * The data directory of the default credential store: one folder (0700) per instance, files 0600.
   * Default: the APSKIT_CREDENTIALS_DIR environment variable, else `.apskit/credentials` in the
   * working directory. Nothing is written before the first installation.
   */
  credentialsDir?: string;
  /**
   * Installation and per-instance pinning (docs/endpoint.md, "Installation and trust"): whether an
   * installation is accepted (default: the first one for an instance, from whoever presents the
   * controller certificate it carries; then only from that controller), and whether requests for
   * instances not installed are refused (`required`).
   */
  installation?: InstallationOptions;
  /**
   * Certificates (PEM) trusted for the controller's HTTPS server certificate when an installed
   * instance calls it, besides Node's roots and the controller certificate of the installation.
   */
  controllerCa?: string | readonly string[];
  /**
   * Whether a 500 carries the message of the Error an APS method threw (default true, as the APS
   * PHP runtime does, so that a failed task says why). Off, every 500 says only "Internal error".
   * Stacks are never sent, only logged.
   */
  exposeErrorMessages?: boolean;
  /** A pino logger, `false` for none, or by default one at APSKIT_LOG_LEVEL (info). */
  logger?: Logger | false;
  /**
   * Serve the endpoint's OpenAPI 3.1 document at `GET /openapi.json` (default on), or at `path`;
   * `false` turns it off. Behind `clientCertificate` it asks for the certificate too.
   */
  openapi?: boolean | { path?: string };
}

/** The router, with the model it serves and a helper to listen on a port. */
export type ApsEndpoint = Router & {
  readonly model: TypeModel;
  readonly services: ReadonlyMap<string, CompiledService>;
  readonly options: Readonly<EndpointOptions>;
  /** Answers one APS request without HTTP: what the embedded controller uses in process. */
  dispatch(request: DispatchRequest): Promise<ApsReply>;
  /** Serves the endpoint on its own HTTP (or HTTPS, with `tls`) server. */
  listen(options?: ListenOptions): Promise<RunningEndpoint>;
};

export function createEndpoint(options: EndpointOptions): ApsEndpoint {
  const entries = Object.entries(options.services);
  if (entries.length === 0) throw new Error('createEndpoint: `services` names no service');
  for (const [name] of entries) {
    if (!isServiceName(name))
      throw new Error(`createEndpoint: invalid service name "${name}" (it is a URL path segment)`);
  }
  const model = buildTypeModel(entries.map(([, cls]) => cls));
  const logger = options.logger === false ? undefined : (options.logger ?? createLogger());
  const env = {
    loadResource: options.loadResource ?? controllerResourceLoader(),
    logger,
    exposeErrorMessages: options.exposeErrorMessages ?? true,
    resolveControllerUri: controllerUriResolver(configuredControllerUri(options.controllerUri), logger),
  };
  // Only a pinned client certificate authenticates an HTTP caller as the controller: the one of
  // `clientCertificate` for every request, or an installed instance's for the requests naming it.
  const pinned = options.clientCertificate !== undefined;
  // Whose client certificate a request carries: its connection's, or a trusted proxy's header.
  const trustedProxy = options.trustedProxy ?? trustedProxyFromEnv();
  const peerCertificateOf = peerCertificateReader(trustedProxy, ({ header, remoteAddress }) =>
    logger?.warn(
      { header, remoteAddress },
      trustedProxy
        ? 'a client certificate header from a peer that is not the trusted proxy: ignored'
        : 'a client certificate header, and no trustedProxy configured: ignored',
    ),
  );
  const pinnedClientCertificate =
    options.clientCertificate && requirePinnedClientCertificate(options.clientCertificate, peerCertificateOf);

  const services = new Map<string, CompiledService>();
  for (const [name, cls] of entries) services.set(name, compileService(name, model.get(cls)));
  const rootService = [...services.values()].find((s) => s.type.implements.includes(CoreTypes.application))?.service;
  const trust = new InstanceTrust({
    store: options.credentials ?? fileCredentialStore(credentialsDirectory(options.credentialsDir)),
    rootService,
    configuredControllerUri: configuredControllerUri(options.controllerUri) !== undefined,
    controllerCa: typeof options.controllerCa === 'string' ? [options.controllerCa] : options.controllerCa,
    installation: options.installation,
    logger,
  });

  const dispatcher = createDispatcher(services.values(), env);

  // The express adapter: requests for the services go to the dispatcher, others pass by.
  const router = express.Router();
  const openapi = openApiPath(options.openapi);
  if (openapi !== undefined) {
    router.use(
      openApiRoute({
        path: openapi,
        owns: dispatcher.owns,
        document: () => toOpenApi(model, { services: options.services }),
        guard: pinnedClientCertificate,
      }),
    );
  }
  router.use((req, res, next) => {
    // A path outside the services is not the endpoint's: leave the router (and its body parser).
    if (!dispatcher.owns(req.path)) {
      next('router');
      return;
    }
    // Echoed on every answer of the endpoint, those given before a handler runs (401, 413…) too.
    const tx = req.headers[ApsHeaderKey.transactionId];
    if (typeof tx === 'string' && tx !== '') res.setHeader(ApsHeader.transactionId, echoHeaderValue(tx));
    next();
  });
  if (logger) router.use(requestLog(logger));
  if (trustedProxy) {
    // A trusted proxy's header that holds no certificate is a 400 naming it, before anything else.
    router.use((req, res, next) => {
      try {
        peerCertificateOf(req);
      } catch (e) {
        sendError(res, e, logger);
        return;
      }
      next();
    });
  }
  if (pinnedClientCertificate) router.use(pinnedClientCertificate);
  router.use(jsonBody(options.bodyLimit ?? '1mb'));
  router.use(bodyErrors);
  /** Calls the app for a request the trust check let through. */
  const dispatchRequest = (req: Request, res: Response, decision: PassedTrust): void => {
    dispatcher
      .dispatch({
        method: req.method,
        path: req.path,
        headers: req.headers,
        query: req.query as Record<string, unknown>,
        body: req.body,
        unsafeKeys: (req as unknown as Record<symbol, unknown>)[UNSAFE_BODY] === true,
        trusted: decision.trusted,
        instance: decision.instance,
      })
      // Nothing may escape as an unhandled rejection (Node would stop the whole process): neither
      // handler throws, each catching its own failures. One `then` with both handlers, not
      // `.then().catch()`: a promise less per request, which AsyncLocalStorage makes cost.
      .then(
        (reply) => sendReply(res, decision.installed ? withoutKeys(reply) : reply, logger),
        (error: unknown) => failReply(res, error, logger),
      );
  };
  // The last step, in one middleware (each layer costs on every request): installation and the pin
  // of the instance the request names (trust/instance-trust.ts), then the app.
  router.use((req, res) => {
    const input = {
      method: req.method,
      path: req.path,
      instanceId: headerOf(req.headers[ApsHeaderKey.instanceId]),
      controllerUri: headerOf(req.headers[ApsHeaderKey.controllerUri]),
      // Read only when a decision needs it: most requests are decided without the certificate.
      get peerFingerprint() {
        return peerCertificateOf(req)?.fingerprint256;
      },
      pinned,
      body: req.body as unknown,
    };
    const quick = trust.quick(input);
    if (quick && !quick.refused) {
      dispatchRequest(req, res, quick);
      return;
    }
    trust.check(input).then(
      (decision) => {
        if (decision.refused) {
          sendError(res, decision.refused, logger);
          return;
        }
        // Nothing after this point sees `aps.x509`: not the app, not a log, not the answer.
        req.body = decision.body;
        dispatchRequest(req, res, decision);
      },
      (error: unknown) => {
        logger?.error({ err: error }, 'the credential store failed');
        sendError(res, new InternalError('Internal error: the credential store failed'), undefined);
      },
    );
  });

  const endpoint = router as ApsEndpoint;
  Object.defineProperties(endpoint, {
    model: { value: model, enumerable: true },
    services: { value: services, enumerable: true },
    options: { value: Object.freeze({ ...options }), enumerable: true },
    dispatch: { value: inProcessDispatch(dispatcher.dispatch), enumerable: true },
    listen: {
      value: (listenOptions?: ListenOptions) => listenEndpoint(endpoint, listenOptions, logger),
      enumerable: true,
    },
  });
  return endpoint;
}

/** A trust decision that lets the request through. */
type PassedTrust = Extract<TrustDecision, { readonly trusted: boolean }>;

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * In process there is no TLS connection to pin, and the caller is this process's own controller:
 * an installation body is passed on without its `aps.x509` (the app never sees a key) and nothing
 * is stored.
 */
function inProcessDispatch(dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] {
  return (request) =>
    carriesX509(request.body) ? dispatch({ ...request, body: withoutX509(request.body) }) : dispatch(request);
}

/** The answer to an installation, without `aps.x509` should the app have put it back. */
function withoutKeys(reply: ApsReply): ApsReply {
  if (!carriesX509(reply.body)) return reply;
  const body = withoutX509(reply.body);
  return { status: reply.status, headers: reply.headers, body, json: serialize(body) };
}

/**
 * Writes a reply. Its header values were made safe where they were built (headerValue); should one
 * still be refused, or the body not serialize, the answer is a 500 APS error, never a throw.
 */
function sendReply(res: express.Response, reply: ApsReply, logger: Logger | undefined): void {
  try {
    let text: string | undefined;
    if (reply.body !== undefined && reply.status !== 204) {
      text = reply.json ?? serialize(reply.body);
      if (text === undefined) {
        logger?.error({ status: reply.status }, 'an APS answer cannot be serialized as JSON');
        sendUnserializable(res);
        return;
      }
    }
    let latin1 = false;
    for (const name in reply.headers) {
      const value = reply.headers[name] as string;
      // eslint-disable-next-line no-control-regex
      if (!latin1 && /[^\x00-\x7f]/.test(value)) latin1 = true;
      res.setHeader(name, value);
    }
    res.statusCode = reply.status;
    if (text === undefined) res.end();
    else writeJson(res, reply.status, text, latin1);
  } catch (error) {
    failReply(res, error, logger);
  }
}

/** The last resort of a reply that failed: a 500 APS error, or a cut connection once bytes are out. */
function failReply(res: express.Response, error: unknown, logger: Logger | undefined): void {
  try {
    logger?.error({ err: error }, 'an APS answer could not be written');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) if (name !== ApsHeaderKey.transactionId) res.removeHeader(name);
    sendJson(res, 500, new InternalError('Internal error: the answer could not be written').toJSON());
  } catch {
    res.destroy();
  }
}
