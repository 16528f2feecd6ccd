/**
 * `/aps/2/applications`: the application instance this controller runs, and the resources the
 * application registers itself (docs.cloudblue.com/cbc/sdk/21.0/api/rest/application/instance-operations).
 * The platform has many instances; this controller has one, so the list has one item.
 *
 * On the platform these routes answer only an application holding its instance's certificate; here
 * they are open like the rest of the API (issue 18 puts registration behind the instance's certificate).
 */
import type { Router } from 'express';
import { NotFoundError, ResourceStatus } from '@apskit/core';
import { sendJson } from '@apskit/express';
import type { Controller } from '../controller';
import type { ControllerOptions } from '../controller-options';
import { resourceHref } from '../wire/resource-links';
import { pageOfRange, readPage, sendPage } from './paging';
import { route, type RouteContext } from './route-helpers';

/** The application instance as `/aps/2/applications` describes it. */
export interface ApplicationInstanceJson {
  /** As a resource's: the instance's APS ID and URL (the platform operates an instance as a resource). */
  aps: { id: string; href: string; status: ResourceStatus };
  /** The application: its package ID (`defineApp`'s `id`), name, version and release, where known. */
  application: { id: string | null; name: string; version: string | null; release: string | null };
  /** The endpoint's URL when it is served over HTTP; null when it runs in this process. */
  url: string | null;
  /** The application's globals resource (the one implementing the core application type), if it has one. */
  globals: { aps: { link: 'strong'; id: string; href: string } } | null;
}

export function applicationHref(id: string): string {
  return `/aps/2/applications/${encodeURIComponent(id)}`;
}

/** `app` may be a whole `defineApp` result: its id, version and release are shown when it has them. */
type DescribedApp = ControllerOptions['app'] & {
  readonly id?: unknown;
  readonly version?: unknown;
  readonly release?: unknown;
};

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export async function describeInstance(controller: Controller): Promise<ApplicationInstanceJson> {
  const app: DescribedApp = controller.options.app;
  const endpoint = controller.options.endpoint;
  const { id, globalsId } = controller.instance;
  const globals = await globalsId;
  return {
    aps: { id, href: applicationHref(id), status: ResourceStatus.ready },
    application: { id: text(app.id), name: app.name, version: text(app.version), release: text(app.release) },
    url: endpoint !== undefined && 'url' in endpoint ? endpoint.url : null,
    globals: globals === undefined ? null : { aps: { link: 'strong', id: globals, href: resourceHref(globals) } },
  };
}

/** This controller's instance, or a 404: the platform answers one for an instance it does not have. */
function ownInstance(controller: Controller, instanceId: string): void {
  if (instanceId === '' || instanceId !== controller.instance.id)
    throw new NotFoundError(`No application instance ${instanceId}`);
}

export function applicationRoutes(router: Router, controller: Controller, { limits }: RouteContext): void {
  router.get(
    '/aps/2/applications',
    route(async (req, res) => {
      // A list like any other: paged, with Content-Range, though it has one item.
      const page = pageOfRange(req.headers.range, limits);
      const all = [await describeInstance(controller)];
      const texts = await readPage(
        page,
        limits.maxBytes,
        async (offset, limit) => all.slice(offset, offset + limit),
        (x) => x,
      );
      sendPage(res, page.offset, texts, all.length);
    }),
  );

  router.get(
    '/aps/2/applications/:instanceId',
    route(async (req, res) => {
      ownInstance(controller, req.params.instanceId as string);
      sendJson(res, 200, await describeInstance(controller));
    }),
  );

  // A resource the application created on its side, registered without a provisioning call.
  router.post(
    '/aps/2/applications/:instanceId/:service/',
    route(async (req, res) => {
      ownInstance(controller, req.params.instanceId as string);
      const record = await controller.registerResource(req.params.service as string, req.body);
      const [json] = await controller.renderResources([record], 'all');
      sendJson(res, 200, json);
    }),
  );
}
