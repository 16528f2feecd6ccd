/**
 * `/apskit/usage`: resource usage (see usage/usage-sync). `POST /apskit/usage/sync` synchronizes now,
 * as the platform's "Synchronize resource usage" task does on its period: 202 with the task (its id
 * in APS-Task-Id, its address in Location), the one under way when there is one. Only the provider
 * (not an account owner) may: a sync retrieves every counted resource of every account.
 */
import type { Router } from 'express';
import { ApsHeader, ForbiddenError } from '@apskit/core';
import { sendJson } from '@apskit/express';
import { callerOf } from '../auth/request-caller';
import type { Controller } from '../controller';
import { route, type RouteContext } from './route-helpers';

export function usageRoutes(router: Router, controller: Controller, _context: RouteContext): void {
  router.post(
    '/apskit/usage/sync',
    route(async (_req, res) => {
      if (callerOf(res).kind === 'owner') throw new ForbiddenError('Only the provider synchronizes resource usage');
      const { task } = await controller.syncUsage();
      res.setHeader(ApsHeader.taskId, task.id);
      res.setHeader('Location', `/apskit/tasks/${encodeURIComponent(task.id)}`);
      sendJson(res, 202, task);
    }),
  );
}
