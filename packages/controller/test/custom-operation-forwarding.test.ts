/**
 * Issue 15 #3: the controller forwards custom operations to the endpoint, and nothing else. The
 * endpoint is served under a base path (`/endpoint`) by a host that records every request it gets,
 * including those outside that base path, which is what a traversal would reach: another
 * application on the same host, called with the controller's headers and client certificate.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { ApsType, CoreTypes, Operation, Param } from '@apskit/core';
import { createEndpoint } from '@apskit/express';
import { Controller, renderResource, serveController, type RunningController } from '@apskit/controller';

@ApsType({ name: 'vault', id: 'http://apskit.test/forwarding/vault/1.0', implements: [CoreTypes.resource] })
class Vault {
  provision(): void {}

  @Operation({ verb: 'POST', path: '/rotate' })
  rotate(): { rotated: boolean } {
    return { rotated: true };
  }

  @Operation({ verb: 'GET', path: '/items/{itemId}' })
  item(@Param('itemId', { kind: 'path', type: 'string', required: true }) itemId: string): { itemId: string } {
    return { itemId };
  }
}

const services = { vaults: Vault };

interface Reply {
  status: number;
  body: { code?: number; error?: string; message?: string } & Record<string, unknown>;
}

/** A raw request: node:http sends the path as written (fetch would resolve dot segments first). */
function send(base: string, method: string, path: string, body?: string): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as Reply['body']) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests the host got during the current test, and during the whole run. */
let seen: string[] = [];
const everything: string[] = [];
let host: http.Server;
let running: RunningController;
let dir: string;
let vaultId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apskit-forwarding-'));
  // The endpoint is made before the controller it reads from.
  const ref: { controller?: Controller } = {};
  const endpoint = createEndpoint({
    services,
    logger: false,
    // Straight from the controller's store: what is tested here is the path, not how state is loaded.
    loadResource: async ({ id }) => {
      const r = await ref.controller?.findResource(id);
      return r && (renderResource(r) as unknown as Record<string, unknown>);
    },
  });
  const app = express();
  app.use('/endpoint', endpoint);
  // Whatever else the host serves: it answers, so that a request that got here would be noticed.
  app.use((req, res) => void res.json({ reached: req.originalUrl }));
  host = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    everything.push(`${req.method} ${req.url}`);
    app(req, res);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  const controller = new Controller({
    app: { name: 'forwarding', services },
    endpoint: { url: `${hostUrl}/endpoint` },
    dataDir: dir,
  });
  ref.controller = controller;
  running = await serveController(controller, { port: 0 });
  const created = await send(running.url, 'POST', '/aps/2/resources', JSON.stringify({ aps: { type: 'vault' } }));
  expect(created.status).toBe(200);
  vaultId = (created.body.aps as { id: string }).id;
});

afterAll(async () => {
  await running.close();
  await new Promise<void>((resolve) => host.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
});

const TRAVERSALS: Array<[string, string]> = [
  ['POST', '%2E%2E/%2E%2E/admin/delete-everything'],
  ['POST', '../../admin/delete-everything'],
  ['POST', '%2e%2e/%2e%2e/%2e%2e/admin/delete-everything'],
  ['POST', '%2E%2e/.%2E/admin/delete-everything'],
  ['POST', '%252e%252e/%252E%252E/admin/delete-everything'],
  ['POST', '%25252e%25252e/admin'],
  ['POST', '..%2F..%2Fadmin%2Fdelete-everything'],
  ['POST', '..%5C..%5Cadmin'],
  ['POST', '%2e/rotate'],
  ['POST', './rotate'],
  ['GET', 'items/..'],
  ['GET', 'items/%2E%2E'],
  ['GET', 'items/%252e%252E'],
  ['GET', 'items/.'],
  ['GET', 'items/a%2Fb'],
  ['GET', 'items/a%00b'],
];

describe('issue 15 #3: custom-operation forwarding stays inside the endpoint', () => {
  it.each(TRAVERSALS)('refuses %s …/{id}/%s with a 404 and calls nothing', async (method, rest) => {
    const reply = await send(running.url, method, `/aps/2/resources/${vaultId}/${rest}`);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ code: 404, error: expect.any(String), message: expect.any(String) });
    expect(reply.body.reached).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('forwards no path the type does not declare, nor a declared one with another verb', async () => {
    for (const [method, rest] of [
      ['POST', 'admin'],
      ['POST', 'rotate/again'],
      ['GET', 'rotate'],
      ['DELETE', 'items/a'],
      ['PATCH', 'rotate'],
      ['GET', 'items'],
      ['POST', 'upgrade'], // the type has no upgrade()
    ]) {
      const reply = await send(running.url, method, `/aps/2/resources/${vaultId}/${rest}`);
      expect([method, rest, reply.status]).toEqual([method, rest, 404]);
      expect(reply.body.code).toBe(404);
    }
    expect(seen).toEqual([]);
  });

  it('still forwards the operations the type declares, under the base path', async () => {
    const rotated = await send(running.url, 'POST', `/aps/2/resources/${vaultId}/rotate`);
    expect(rotated).toEqual({ status: 200, body: { rotated: true } });
    const item = await send(running.url, 'GET', `/aps/2/resources/${vaultId}/items/a%20b?x=1`);
    expect(item).toEqual({ status: 200, body: { itemId: 'a b' } });
    expect(seen).toEqual([
      `POST /endpoint/vaults/${vaultId}/rotate`,
      `GET /endpoint/vaults/${vaultId}/items/a%20b?x=1`,
    ]);
  });

  it('answers 502 without the endpoint address when the endpoint does not answer', async () => {
    const closed = new Promise<void>((resolve) => host.close(() => resolve()));
    host.closeAllConnections();
    await closed;
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const reply = await send(running.url, 'POST', `/aps/2/resources/${vaultId}/rotate`);
      expect(reply.status).toBe(502);
      expect(reply.body).toMatchObject({ code: 502, error: 'BadGateway' });
      expect(reply.body.message).not.toContain('127.0.0.1');
    } finally {
      errors.mockRestore();
    }
  });

  it('let no request of the whole run reach the host outside the base path', () => {
    // The provision, the two forwarded operations, and nothing else.
    expect(everything).toHaveLength(3);
    expect(everything.filter((line) => !line.split(' ')[1]?.startsWith('/endpoint/vaults/'))).toEqual([]);
  });
});
