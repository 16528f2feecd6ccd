/**
 * `/apskit/tasks`: the task manager (list, read with history, rerun, cancel).
 */
import type { Router } from 'express';
import { BadRequestError, TASK_STATUSES, type TaskStatus } from '@apskit/core';
import { sendJson } from '@apskit/express';
import type { Controller } from '../controller';
import { pageOfQuery, pageOfRange, readPage, sendPage } from './paging';
import { route, type RouteContext } from './route-helpers';

export function taskRoutes(router: Router, controller: Controller, { limits }: RouteContext): void {
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
}
