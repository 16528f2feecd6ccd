/**
 * The controller's HTTP API, APS-style: `/aps/2/resources` and `/aps/2/types` as apps and clients
 * know them from the platform, and `/apskit/tasks` for the task manager. Handlers only translate
 * between HTTP and the Controller's methods.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import {
  ApsError,
  ApsHeader,
  ApsHeaderKey,
  BadRequestError,
  InternalError,
  isApsError,
  NotFoundError,
  REQUEST_ID_PATTERN,
  ServiceUnavailableError,
  TASK_STATUSES,
  toApsSchema,
  type TaskStatus,
} from '@apskit/core';
import { bodyErrors, errorBody, jsonBody, sendError, sendJson } from '@apskit/express';
import type { Controller, ControllerOptions, OperationResult, TaskJson } from '../controller';
import { renderResource, type ResourceJson } from '../wire/resource-json';
import { TransportError } from '../transport/transport';
import { requestGuard } from './guard';
import { pageLimits, pageOfQuery, pageOfRange, readPage, sendPage } from './paging';

/** What `controllerApi` takes; each limit defaults to the controller's option of the same name. */
export interface ControllerApiOptions extends Pick<
  ControllerOptions,
  'allowedHosts' | 'pageSize' | 'maxPageBytes' | 'maxEventClients'
> {
  /** Largest request body. Default 1mb. */
  readonly bodyLimit?: string | number;
}

/** How many `/apskit/events` clients a controller serves at once unless told otherwise. */
export const DEFAULT_MAX_EVENT_CLIENTS = 100;

type Handler = (req: Request, res: Response) => Promise<void>;

/** The caller's unique id for a request: recorded on the task, echoed on the answer and in errors. */
export const REQUEST_ID_HEADER = ApsHeaderKey.requestId;

function requestIdOf(req: Request): string | undefined {
  const value = req.headers[REQUEST_ID_HEADER];
  const id = Array.isArray(value) ? value[0] : value;
  if (id === undefined) return undefined;
  if (!REQUEST_ID_PATTERN.test(id))
    throw new BadRequestError(`${ApsHeader.requestId} must be 1 to 200 visible ASCII characters`);
  return id;
}

/**
 * What a caller is told of an error: an APS error as it is; an endpoint that did not answer as a 502
 * that says so; anything else (a store's failure, a bug) as a 500 without its message, which could
 * carry a database's or a file system's words: it goes to the log instead.
 */
function publicError(e: unknown): unknown {
  if (isApsError(e)) return e;
  if (e instanceof TransportError) {
    console.error(`apskit controller API: ${e.message}`);
    return new ApsError(502, 'BadGateway', 'The endpoint did not answer the operation');
  }
  console.error('apskit controller API: unexpected error', e);
  return new InternalError('Internal error: the controller failed to handle the request');
}

function route(handler: Handler): RequestHandler {
  return (req, res) => {
    handler(req, res).catch((thrown: unknown) => {
      const e = publicError(thrown);
      const requestId = req.headers[REQUEST_ID_HEADER];
      if (typeof requestId !== 'string') {
        sendError(res, e, undefined);
        return;
      }
      // An error names the request it answers, so that a caller polling many can correlate it.
      res.setHeader(ApsHeader.requestId, requestId);
      const body = { ...errorBody(e, undefined), requestId };
      sendJson(res, body.code, body);
    });
  };
}

function sendOperation(res: Response, result: OperationResult, requestId?: string): void {
  if (result.task) res.setHeader(ApsHeader.taskId, result.task.id);
  if (requestId !== undefined) res.setHeader(ApsHeader.requestId, requestId);
  if (result.error !== undefined) {
    sendJson(res, result.status, result.error);
    return;
  }
  sendJson(res, result.status, result.status === 204 ? undefined : result.resource);
}

const FORWARD_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

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
  const router = express.Router();
  // The guard first: a refused request is not even parsed (issue 15 #5).
  router.use(['/aps', '/apskit'], guard, jsonBody(options.bodyLimit ?? '1mb'), bodyErrors);

  router.get(
    '/aps/2/types',
    route(async (_req, res) =>
      sendJson(
        res,
        200,
        controller.model.types.map((t) => toApsSchema(t)),
      ),
    ),
  );

  router.post(
    '/aps/2/resources',
    route(async (req, res) => {
      const requestId = requestIdOf(req);
      sendOperation(res, await controller.provision(req.body, { requestId }), requestId);
    }),
  );

  router.get(
    '/aps/2/resources',
    route(async (req, res) => {
      const type = typeof req.query.type === 'string' ? req.query.type : undefined;
      const typeId = type === undefined ? undefined : controller.serviceOf(type).type.id;
      const page = pageOfRange(req.headers.range, limits);
      let total = 0; // set by the first read (there is always one), past the list's end too
      const texts = await readPage(
        page,
        limits.maxBytes,
        async (offset, limit) => {
          const found = await controller.listResources({ type: typeId, offset, limit });
          total = found.total;
          return found.items;
        },
        renderResource,
      );
      sendPage(res, page.offset, texts, total);
    }),
  );

  router.get(
    '/aps/2/resources/:id',
    route(async (req, res) => {
      sendJson(res, 200, renderResource(await controller.getResource(req.params.id as string)));
    }),
  );

  router.put(
    '/aps/2/resources/:id',
    route(async (req, res) => {
      // The application writing its own resource (APS apps do so with their instance certificate;
      // this local controller knows the app by its instance id): stored as it is, the app not called.
      if (req.headers[ApsHeaderKey.instanceId] === controller.instance.id && controller.instance.id !== '') {
        sendJson(res, 200, await controller.updateByApp(req.params.id as string, req.body));
        return;
      }
      const requestId = requestIdOf(req);
      sendOperation(res, await controller.configure(req.params.id as string, req.body, { requestId }), requestId);
    }),
  );

  router.delete(
    '/aps/2/resources/:id',
    route(async (req, res) => {
      const requestId = requestIdOf(req);
      sendOperation(res, await controller.unprovision(req.params.id as string, { requestId }), requestId);
    }),
  );

  // /aps/2/resources/{id}/{relation}: the linked resources (GET), or a new resource linked (POST).
  // Any other path below a resource is a custom operation, forwarded to the endpoint.
  router.all(
    '/aps/2/resources/:id/{*path}',
    route(async (req, res) => {
      const id = req.params.id as string;
      const segments = (req.params as unknown as { path: string[] }).path;
      const resource = await controller.getResource(id);
      const type = controller.serviceOf(resource.type).type;
      const relation = segments.length === 1 ? type.relations.find((r) => r.name === segments[0]) : undefined;
      if (relation && req.method === 'GET') {
        // A collection can be long: paged like any list (the links are ids; the resources are read per page).
        const page = pageOfRange(req.headers.range, limits);
        const links = await controller.linksFrom(id, relation.name);
        const texts = await readPage(
          page,
          limits.maxBytes,
          async (offset, limit) => {
            const linked = await Promise.all(
              links.slice(offset, offset + limit).map((l) => controller.findResource(l.to)),
            );
            return linked.filter((r) => r !== undefined);
          },
          renderResource,
        );
        sendPage(res, page.offset, texts, links.length);
        return;
      }
      if (relation && req.method === 'POST') {
        const requestId = requestIdOf(req);
        sendOperation(
          res,
          await controller.provision(req.body, { requestId, parent: { id, relation: relation.name } }),
          requestId,
        );
        return;
      }
      if (!FORWARD_METHODS.has(req.method))
        throw new NotFoundError(`${req.method} is not the verb of any operation: it is forwarded to no endpoint`);
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      const body = req.body !== undefined && Object.keys(req.body as object).length > 0 ? req.body : undefined;
      const answer = await controller.customOperation(
        id,
        req.method as 'GET',
        segments.map(encodeURIComponent).join('/'),
        query,
        body,
      );
      sendJson(res, answer.status, answer.body);
    }),
  );

  router.get(
    '/apskit/tasks',
    route(async (req, res) => {
      const status = req.query.status;
      if (status !== undefined && !TASK_STATUSES.includes(status as TaskStatus)) {
        throw new BadRequestError(`Unknown task status "${String(status)}": use one of ${TASK_STATUSES.join(', ')}`, [
          { field: 'status', message: 'is not a task status' },
        ]);
      }
      const resourceId = typeof req.query.resourceId === 'string' ? req.query.resourceId : undefined;
      const filter = { resourceId, status: status as TaskStatus | undefined };
      // In creation order, oldest first: the newest are on the last page (offset = total - limit).
      const page = pageOfQuery(req.query, limits) ?? pageOfRange(req.headers.range, limits);
      const texts = await readPage(
        page,
        limits.maxBytes,
        (offset, limit) => controller.listTasks({ ...filter, offset, limit }),
        (t) => t,
      );
      sendPage(res, page.offset, texts, await controller.countTasks(filter));
    }),
  );

  router.get(
    '/apskit/tasks/:id',
    route(async (req, res) =>
      // The newest steps, as many as a page: the store keeps a bounded number anyway (maxTaskEvents).
      sendJson(res, 200, await controller.getTask(req.params.id as string, true, limits.maxSize)),
    ),
  );

  router.post(
    '/apskit/tasks/:id/rerun',
    route(async (req, res) => sendJson(res, 200, await controller.rerun(req.params.id as string))),
  );

  router.post(
    '/apskit/tasks/:id/cancel',
    route(async (req, res) => sendJson(res, 200, await controller.cancel(req.params.id as string))),
  );

  router.get('/apskit/events', eventStream(controller, maxEventClients));

  router.get(
    '/apskit/instance',
    route(async (_req, res) => {
      const instance = controller.instance;
      sendJson(res, 200, {
        id: instance.id,
        application: controller.options.app.name,
        globalsId: (await instance.globalsId) ?? null,
      });
    }),
  );

  return router;
}

/** What `GET /apskit/events` sends after `ready`: every task change, and every resource change. */
export type ControllerEvent =
  | { readonly event: 'task'; readonly data: TaskJson }
  | { readonly event: 'resource'; readonly data: { readonly id: string; readonly resource: ResourceJson | null } };

/** A client that reads slower than this many buffered bytes is dropped; its EventSource reconnects and reloads. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** A comment line this often keeps idle connections (and proxies between) from timing out. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /apskit/events`: the controller's changes as server-sent events, for the console (and any
 * other watcher). A client gets `ready` once connected, then `task` (a TaskJson) and `resource`
 * (`{id, resource}`, `resource` null once it is gone). It should load its snapshot after `ready`, so
 * that nothing falls between the snapshot and the stream.
 *
 * One listener pair on `controller.events` serves every client, and only while there is one: the
 * controller skips building events nobody listens to. Events go out in the order they happened, each
 * resource read from the store once for all clients; the reads are chained so that a slow read
 * cannot let an older state overtake a newer one.
 */
function eventStream(controller: Controller, maxClients: number): RequestHandler {
  const clients = new Set<(frame: string) => void>();
  let chain: Promise<void> = Promise.resolve();
  const broadcast = (event: ControllerEvent): void => {
    const frame = `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
    for (const send of clients) send(frame);
  };
  const onTask = (task: TaskJson): void => {
    chain = chain.then(() => broadcast({ event: 'task', data: task }));
  };
  const onResource = (id: string): void => {
    chain = chain
      .then(async () => {
        const record = await controller.findResource(id);
        broadcast({ event: 'resource', data: { id, resource: record ? renderResource(record) : null } });
      })
      // The store may be closing under a stopping controller; a watcher reloads on reconnect anyway.
      .catch(() => undefined);
  };

  return (req, res) => {
    // Each stream holds a socket and a buffer for as long as it is open: a bounded number of them.
    if (clients.size >= maxClients) {
      res.setHeader('Retry-After', '5');
      sendError(
        res,
        new ServiceUnavailableError(`Too many event streams are open (${maxClients}): try again in a few seconds`),
        undefined,
      );
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Tells nginx-style proxies not to hold events back in a buffer.
      'X-Accel-Buffering': 'no',
    });
    const send = (frame: string): void => {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        return;
      }
      res.write(frame);
    };
    if (clients.size === 0) {
      controller.events.on('task', onTask);
      controller.events.on('resource', onResource);
    }
    clients.add(send);
    const heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    // `retry`: how soon the browser reconnects after the stream breaks.
    res.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ instance: controller.instance.id })}\n\n`);
    req.on('close', () => {
      clearInterval(heartbeat);
      clients.delete(send);
      if (clients.size === 0) {
        controller.events.off('task', onTask);
        controller.events.off('resource', onResource);
      }
    });
  };
}
