/**
 * The controller's HTTP API, APS-style: `/aps/2/resources` and `/aps/2/types` as apps and clients
 * know them from the platform, and `/apskit/tasks` for the task manager. Handlers only translate
 * between HTTP and the Controller's methods; each group of routes is a module of its own.
 */
import express, { type Router } from 'express';
import {
  bodyErrors,
  jsonBody,
  peerCertificateReader,
  type IgnoredHeader,
  type TrustedProxyOptions,
} from '@apskit/express';
import type { Controller, ControllerOptions } from '../controller';
import { appSecretHash } from '../auth/app-secret';
import { authenticate, type InstanceCertificateCheck } from '../auth/authenticate';
import { TokenStore } from '../auth/tokens';
import { applicationRoutes } from './application-routes';
import { eventStream } from './event-stream';
import { requestGuard } from './guard';
import { instanceRoutes } from './instance-routes';
import { pageLimits } from './paging';
import { resourceListRoute } from './resource-list-route';
import { resourceRoutes } from './resource-routes';
import type { RouteContext } from './route-helpers';
import { taskRoutes } from './task-routes';
import { typeRoutes } from './type-routes';
import { usageRoutes } from './usage-routes';

export { REQUEST_ID_HEADER } from './route-helpers';
export type { ControllerEvent } from './event-stream';

/** What `controllerApi` takes; each limit defaults to the controller's option of the same name. */
export interface ControllerApiOptions extends Pick<
  ControllerOptions,
  'allowedHosts' | 'pageSize' | 'maxPageBytes' | 'maxEventClients'
> {
  /** Largest request body. Default 1mb. */
  readonly bodyLimit?: string | number;
  /** The tokens accepted; default: the controller's `tokens` option, else APSKIT_TOKENS_FILE. */
  readonly tokens?: TokenStore;
  /**
   * Whether the API runs open (every caller without credentials is `{kind: 'open'}`). serveController
   * says: no token and a loopback bind. Default: no token configured; a request is open only when
   * it also came in on a loopback address, whatever this says.
   */
  readonly open?: boolean;
  /** Recognises the application's instance certificate on a TLS request (the controller's trust). */
  readonly instanceCertificate?: InstanceCertificateCheck;
  /**
   * Behind a TLS-terminating proxy: the client certificate is the one the proxy passes on in a
   * header, believed only on a connection from the proxy (its certificate and/or address); see
   * @apskit/express's `trustedProxy` and docs/security.md. Refused with an open API: callers
   * through a proxy come from elsewhere, so tokens are required.
   */
  readonly trustedProxy?: TrustedProxyOptions;
}

/** How the API authenticates, as `GET /apskit/instance` tells it: `open`, or `required` (tokens, certificates). */
export type ApiAuthentication = 'open' | 'required';

/** How many `/apskit/events` clients a controller serves at once unless told otherwise. */
export const DEFAULT_MAX_EVENT_CLIENTS = 100;

export function controllerApi(controller: Controller, options: ControllerApiOptions = {}): Router {
  const own = controller.options;
  const limits = pageLimits({
    pageSize: options.pageSize ?? own.pageSize,
    maxPageBytes: options.maxPageBytes ?? own.maxPageBytes,
  });
  const maxEventClients = options.maxEventClients ?? own.maxEventClients ?? DEFAULT_MAX_EVENT_CLIENTS;
  if (!Number.isSafeInteger(maxEventClients) || maxEventClients < 1)
    throw new Error(`maxEventClients must be a whole number of at least 1, not ${maxEventClients}`);
  const guard = requestGuard({
    allowedHosts: options.allowedHosts ?? own.allowedHosts,
    controllerUri: () => controller.controllerUri,
  });
  const tokens = options.tokens ?? TokenStore.configured(own.tokens);
  const open = options.open ?? tokens.size === 0;
  const auth: ApiAuthentication = open ? 'open' : 'required';
  if (open && options.trustedProxy)
    throw new Error(
      'A controller behind a trusted proxy serves callers from elsewhere: configure tokens (it cannot run open)',
    );
  const peerCertificateOf = peerCertificateReader(options.trustedProxy, ignoredHeaderWarning());
  const authentication = authenticate({
    tokens,
    open: () => open,
    // The app is the holder of the instance certificate this controller issued (trust/), over TLS.
    // Through a trusted proxy, the certificate it passes on (a malformed one throws a 400 here).
    instanceCertificate:
      options.instanceCertificate ?? ((req) => controller.trust.identify(peerCertificateOf(req))?.instanceId),
    instanceId: () => controller.instance.id,
    appSecret: () => appSecretHash(controller),
  });
  const router = express.Router();
  // The guard first: a refused request is not even parsed (issue 15 #5). Then who is calling
  // (issue 18): a request without a caller is answered 401 before its body is read.
  router.use(['/aps', '/apskit'], guard, authentication, jsonBody(options.bodyLimit ?? '1mb'), bodyErrors);

  const context: RouteContext = { limits };
  typeRoutes(router, controller, context);
  resourceListRoute(router, controller, context);
  resourceRoutes(router, controller, context);
  taskRoutes(router, controller, context);
  router.get('/apskit/events', eventStream(controller, maxEventClients));
  instanceRoutes(router, controller, context, auth);
  applicationRoutes(router, controller, context);
  usageRoutes(router, controller, context);
  return router;
}

/**
 * A client certificate header from a peer that is not the trusted proxy is ignored; said as a process
 * warning (the controller has no logger), once per peer address: peerCertificateReader reports each
 * address once, for at most 100 of them.
 */
function ignoredHeaderWarning(): (ignored: IgnoredHeader) => void {
  return ({ header, remoteAddress }) => {
    const peer = remoteAddress ?? 'unknown';
    process.emitWarning(
      `A request from ${peer} carried the ${header} header, and ${peer} is not a trusted proxy: the header was ignored`,
      { code: 'APSKIT_UNTRUSTED_CERTIFICATE_HEADER' },
    );
  };
}
