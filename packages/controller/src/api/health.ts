/**
 * Liveness, readiness and metrics, for a load balancer and a Prometheus scraper:
 * `GET /healthz` (the process answers), `GET /readyz` (the store is open and tasks are being taken
 * up; 503 while starting or stopping), `GET /metrics` (Prometheus text format).
 */
import express, { type RequestHandler, type Router } from 'express';
import type { Controller } from '../controller';

export function healthApi(controller: Controller): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const ready = controller.ready;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  router.get('/metrics', (_req, res, next) => {
    controller.metrics
      .text()
      .then((text) => {
        res.setHeader('Content-Type', controller.metrics.registry.contentType);
        res.end(text);
      })
      .catch(next);
  });
  return router;
}

/** Counts every answered request by method and status. */
export function countRequests(controller: Controller): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => controller.metrics.httpRequests.inc({ method: req.method, status: String(res.statusCode) }));
    next();
  };
}
