/**
 * Issue 18: an `encrypted` property's value is never logged, by the controller or by the endpoint.
 * The endpoint runs over HTTP on 127.0.0.1 with a pino logger at debug level whose lines are kept;
 * the controller's console output is kept too. A provision, a configure, a refused configure, a
 * custom operation and reads by every caller go through, and neither log holds the value, nor does
 * any answer to a caller other than the application (kb.odin.com/en/118502: the value is the
 * application's, read with its certificate).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pino from 'pino';
import { createEndpoint } from '@apskit/express';
import { Controller, renderResource, serveController, type RunningController } from '@apskit/controller';
import { api } from './fixtures/harness';
import { ACCOUNT_TYPE, app, endpointCalls, VAULT_TYPE } from './fixtures/access-app';

const ADMIN = 'logs-admin-token-0123456789abcdefgh';
const OWNER = 'logs-owner-token-0123456789abcdefgh';
const PASSWORD = 'pw-9d2e61b0-not-for-logs';
const hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

const endpointLog: string[] = [];
const consoleLog: string[] = [];
const answers: string[] = [];
const spies: jest.SpyInstance[] = [];
let host: http.Server;
let running: RunningController;
let dir: string;

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
    spies.push(
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLog.push(
          args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : JSON.stringify(a))).join(' '),
        );
      }),
    );
  dir = mkdtempSync(join(tmpdir(), 'apskit-access-logs-'));
  const ref: { controller?: Controller } = {};
  const endpoint = createEndpoint({
    services: app.services,
    logger: pino({ level: 'debug' }, { write: (line: string) => void endpointLog.push(line) }),
    loadResource: async ({ id }) => {
      const r = await ref.controller?.findResource(id);
      return r && (renderResource(r) as unknown as Record<string, unknown>);
    },
  });
  const web = express();
  web.use('/endpoint', endpoint);
  host = http.createServer(web);
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const tokensFile = join(dir, 'tokens.json');
  const controller = new Controller({
    app,
    endpoint: { url: `http://127.0.0.1:${(host.address() as AddressInfo).port}/endpoint` },
    dataDir: dir,
    tokens: tokensFile,
  });
  ref.controller = controller;
  await controller.start();
  const account = await controller.provision({ aps: { type: ACCOUNT_TYPE }, name: 'A' });
  const accountId = (account.resource as { aps: { id: string } }).aps.id;
  writeFileSync(
    tokensFile,
    JSON.stringify([
      { 'token-sha256': hex(ADMIN), role: 'admin' },
      { 'token-sha256': hex(OWNER), role: 'owner', account: accountId },
    ]),
  );
  running = await serveController(controller, { port: 0 });

  const owner = bearer(OWNER);
  const created = await api(
    running.url,
    'POST',
    '/aps/2/resources',
    { aps: { type: VAULT_TYPE }, name: 'v', password: PASSWORD, account: { aps: { id: accountId } } },
    owner,
  );
  expect(created.status).toBe(200);
  const id = created.body.aps.id as string;
  const calls = [
    api(running.url, 'PUT', `/aps/2/resources/${id}`, { name: 'v2', password: `${PASSWORD}-2` }, owner),
    // Refused by the model (name must be a string): its error must not quote the other values.
    api(running.url, 'PUT', `/aps/2/resources/${id}`, { name: 5, password: PASSWORD }, owner),
    api(running.url, 'PUT', `/aps/2/resources/${id}`, { note: 'x', password: PASSWORD }, owner),
    api(running.url, 'GET', `/aps/2/resources/${id}/ping`, undefined, owner),
    api(running.url, 'GET', `/aps/2/resources/${id}`, undefined, owner),
    api(running.url, 'GET', `/aps/2/resources/${id}`, undefined, bearer(ADMIN)),
    api(running.url, 'GET', `/aps/2/resources?implementing(${encodeURIComponent(VAULT_TYPE)})`, undefined, owner),
    api(running.url, 'GET', `/apskit/tasks?resourceId=${id}`, undefined, owner),
  ];
  const replies = await Promise.all(calls);
  expect(replies.map((r) => r.status)).toEqual([200, 400, 403, 200, 200, 200, 200, 200]);
  for (const reply of replies) answers.push(JSON.stringify(reply.body));
  answers.push(JSON.stringify(created.body));
});

afterAll(async () => {
  await running?.close();
  await new Promise((resolve) => host?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  for (const spy of spies) spy.mockRestore();
});

describe('an encrypted value', () => {
  it('reaches the endpoint as given, which logged its requests', () => {
    expect(endpointCalls).toContainEqual([
      'provision',
      expect.any(String),
      expect.objectContaining({ password: PASSWORD }),
    ]);
    expect(endpointLog.some((line) => line.includes('"request"'))).toBe(true);
  });

  it('is in no line the endpoint logged, nor in anything the controller wrote to the console', () => {
    expect(endpointLog.join('\n')).not.toContain(PASSWORD);
    expect(consoleLog.join('\n')).not.toContain(PASSWORD);
  });

  it('is in no answer to an owner or an administrator, refusals included', () => {
    expect(answers.join('\n')).not.toContain(PASSWORD);
  });
});
