/**
 * `GET /apskit/events`: the controller's changes as server-sent events.
 */
import type { RequestHandler } from 'express';
import { ServiceUnavailableError } from '@apskit/core';
import { sendError } from '@apskit/express';
import type { Controller, TaskJson } from '../controller';
import { renderResource, type ResourceJson } from '../wire/resource-json';

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
export function eventStream(controller: Controller, maxClients: number): RequestHandler {
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
