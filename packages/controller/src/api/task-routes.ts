/**
 * `/apskit/tasks`: the task manager (list, read with history, rerun, cancel).
 */
import type { Response, Router } from 'express';
import { BadRequestError, ForbiddenError, NotFoundError, TASK_STATUSES, type TaskStatus } from '@apskit/core';
import { sendJson } from '@apskit/express';
import type { Purpose } from '../access/access-rules';
import { callerOf } from '../auth/request-caller';
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
      // An account owner lists the tasks of one resource it reaches (access rules, issue 18): the
      // task list has no account to narrow by, and would name other accounts' resources.
      const caller = callerOf(res);
      if (caller.kind === 'owner') {
        if (resourceId === undefined)
          throw new ForbiddenError('An account owner lists the tasks of one of its resources: add ?resourceId=', [
            { field: 'resourceId', message: 'is required for an account owner' },
          ]);
        await controller.access.reach(caller, resourceId);
      }
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
    route(async (req, res) => {
      await reachTask(controller, res, req.params.id as string, 'read');
      // The newest steps, as many as a page: the store keeps a bounded number anyway (maxTaskEvents).
      sendJson(res, 200, await controller.getTask(req.params.id as string, true, limits.maxSize));
    }),
  );

  router.post(
    '/apskit/tasks/:id/rerun',
    route(async (req, res) => {
      await reachTask(controller, res, req.params.id as string, 'write');
      sendJson(res, 200, await controller.rerun(req.params.id as string));
    }),
  );

  router.post(
    '/apskit/tasks/:id/cancel',
    route(async (req, res) => {
      await reachTask(controller, res, req.params.id as string, 'write');
      sendJson(res, 200, await controller.cancel(req.params.id as string));
    }),
  );
}

/**
 * A task of a resource the caller does not reach is, to it, no task: the 404 of a missing one
 * (access rules, issue 18). A task whose resource is gone is the administrators' to see.
 */
async function reachTask(controller: Controller, res: Response, id: string, purpose: Purpose): Promise<void> {
  const caller = callerOf(res);
  if (caller.kind !== 'owner') return;
  const task = await controller.getTask(id);
  const reached =
    (await controller.findResource(task.resourceId)) !== undefined &&
    (await controller.access.reaches(caller, task.resourceId, purpose));
  if (!reached) throw new NotFoundError(`No task ${id}`);
}
