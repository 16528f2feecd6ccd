/**
 * `GET /apskit/events`: the controller's changes as server-sent events.
 */
import type { RequestHandler } from 'express';
import { ServiceUnavailableError } from '@apskit/core';
import { sendError } from '@apskit/express';
import type { Controller, TaskJson } from '../controller';
import { callerOf } from '../auth/request-caller';
import type { Caller } from '../auth/caller';
import { renderResource, type ResourceJson } from '../wire/resource-json';

/** A client of the stream: whose it is, and the resources it was told of. */
interface StreamClient {
  readonly caller: Caller;
  readonly known: Set<string>;
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
export function eventStream(controller: Controller, maxClients: number): RequestHandler {
  const clients = new Map<(frame: string) => void, StreamClient>();
  let chain: Promise<void> = Promise.resolve();
  const frameOf = (event: ControllerEvent): string => `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
  // Access rules, per client (issue 18): a client is told only of resources its caller reaches (and
  // of their tasks), each shown without what the caller may not read. A resource that is gone, or
  // has left the caller's reach, is told (as null) to a client that reaches every resource, or that
  // was told of it on this stream: its id says nothing new to that client.
  const onTask = (task: TaskJson): void => {
    chain = chain
      .then(async () => {
        const frame = frameOf({ event: 'task', data: task });
        for (const [send, client] of clients)
          if (client.known.has(task.resourceId) || (await controller.access.reaches(client.caller, task.resourceId)))
            send(frame);
      })
      .catch(() => undefined);
  };
  const onResource = (id: string): void => {
    chain = chain
      .then(async () => {
        const record = await controller.findResource(id);
        const json = record && renderResource(record);
        const gone = frameOf({ event: 'resource', data: { id, resource: null } });
        for (const [send, client] of clients) {
          const everything = (await controller.access.scope(client.caller)) === undefined;
          if (json && (everything || (await controller.access.reaches(client.caller, id)))) {
            client.known.add(id);
            send(frameOf({ event: 'resource', data: { id, resource: controller.access.view(client.caller, json) } }));
          } else if (everything || client.known.delete(id)) send(gone);
        }
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
    clients.set(send, { caller: callerOf(res), known: new Set() });
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
