/**
 * Structured logging: one JSON line per request (method, url, status, …) on the logger the app
 * gives; the app's own lines carry the request's bindings; an unexpected error's stack goes to the
 * log and nowhere else. The default logger follows APSKIT_LOG_LEVEL (jest.setup.js sets `silent`).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import pino, { type DestinationStream } from 'pino';
import { createEndpoint, type RunningEndpoint } from '@apskit/express';
import { apsContext } from '@apskit/core';
import { eventually, send, type Json } from './fixtures/http';
import { recorder } from './fixtures/recorder';
import { Widget, WIDGET_TYPE } from './fixtures/types';

/** A pino destination that keeps every line. */
function capture(): { stream: DestinationStream; lines: Json[] } {
  const lines: Json[] = [];
  return {
    lines,
    stream: {
      write(line: string) {
        lines.push(JSON.parse(line) as Json);
      },
    },
  };
}

const requestLines = (lines: Json[]): Json[] => lines.filter((l) => l.msg === 'request');

let running: RunningEndpoint;
let log: ReturnType<typeof capture>;

beforeAll(async () => {
  log = capture();
  running = await createEndpoint({
    services: { widgets: Widget },
    logger: pino({ level: 'info' }, log.stream),
    loadResource: async ({ id }) => ({ aps: { id, type: WIDGET_TYPE }, name: 'stored' }),
  }).listen();
});

afterAll(() => running.close());

beforeEach(() => {
  recorder.reset();
  log.lines.length = 0;
});

describe('with a pino logger the app gives', () => {
  it('writes one JSON line per request, with method, url and status', async () => {
    await send(running.url, 'GET', '/widgets/w1?x=1', {
      headers: { 'APS-Transaction-ID': 'tx-log', 'APS-Request-Phase': 'sync' },
    });
    await send(running.url, 'POST', '/widgets/', { body: { name: 5 } });
    await send(running.url, 'GET', '/widgets/w1/no/such/route');
    await send(running.url, 'DELETE', '/widgets/w1');
    await eventually(() => requestLines(log.lines).length === 4);
    const lines = requestLines(log.lines);
    expect(lines.map((l) => [l.method, l.url, l.status])).toEqual([
      ['GET', '/widgets/w1?x=1', 200],
      ['POST', '/widgets/', 400],
      ['GET', '/widgets/w1/no/such/route', 404],
      ['DELETE', '/widgets/w1', 204],
    ]);
    expect(lines[0]).toMatchObject({ level: 30, transactionId: 'tx-log', phase: 'sync' });
    expect(typeof lines[0].ms).toBe('number');
    expect(typeof lines[0].time).toBe('number');
  });

  it("gives the app's lines the request's bindings", async () => {
    recorder.on('retrieve', () => {
      apsContext().logger.info({ step: 'lookup' }, 'retrieving');
      apsContext().logger.warn('careful');
    });
    await send(running.url, 'GET', '/widgets/w9', { headers: { 'APS-Transaction-ID': 'tx-app' } });
    await eventually(() => requestLines(log.lines).length === 1);
    const info = log.lines.find((l) => l.msg === 'retrieving');
    expect(info).toMatchObject({
      level: 30,
      step: 'lookup',
      service: 'widgets',
      operation: 'retrieve',
      resourceId: 'w9',
      transactionId: 'tx-app',
    });
    expect(log.lines.find((l) => l.msg === 'careful')).toMatchObject({ level: 40, resourceId: 'w9' });
  });

  it("logs an unexpected error's message and stack; the answer carries the message only", async () => {
    recorder.on('retrieve', () => {
      throw new Error('disk quota exceeded on /var/lib/widgets');
    });
    const reply = await send(running.url, 'GET', '/widgets/w1');
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ code: 500, error: 'Exception', message: 'disk quota exceeded on /var/lib/widgets' });
    expect(reply.text).not.toContain('logging.test.ts');
    await eventually(() => requestLines(log.lines).length === 1);
    const error = log.lines.find((l) => l.level === 50);
    expect(error).toBeDefined();
    const err = error?.err as Json;
    expect(err.message).toBe('disk quota exceeded on /var/lib/widgets');
    expect(String(err.stack)).toContain('logging.test.ts');
  });

  it('writes no request lines when the logger is above info', async () => {
    const quiet = capture();
    const endpoint = await createEndpoint({
      services: { widgets: Widget },
      logger: pino({ level: 'warn' }, quiet.stream),
      loadResource: async () => undefined,
    }).listen();
    try {
      expect((await send(endpoint.url, 'GET', '/widgets/w1')).status).toBe(200);
      expect((await send(endpoint.url, 'POST', '/widgets/', { body: { name: 5 } })).status).toBe(400);
      await new Promise((r) => setTimeout(r, 20));
      expect(quiet.lines).toEqual([]);
    } finally {
      await endpoint.close();
    }
  });

  it('works without any logger (logger: false)', async () => {
    const endpoint = await createEndpoint({
      services: { widgets: Widget },
      logger: false,
      loadResource: async () => undefined,
    }).listen();
    recorder.on('retrieve', () => {
      apsContext().logger.error({ a: 1 }, 'goes nowhere');
      throw new Error('boom');
    });
    try {
      const reply = await send(endpoint.url, 'GET', '/widgets/w1');
      expect(reply.status).toBe(500);
    } finally {
      await endpoint.close();
    }
  });
});

describe('the default logger', () => {
  const root = resolve(__dirname, '../../..');
  const app = resolve(__dirname, 'fixtures/default-logger-app.ts');

  /** Runs the app with the default logger and gives what it wrote on stdout. */
  function runApp(level: string | undefined): Promise<string> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TS_NODE_PROJECT: resolve(root, 'tsconfig.json'),
      TS_NODE_TRANSPILE_ONLY: 'true',
    };
    if (level === undefined) delete env.APSKIT_LOG_LEVEL;
    else env.APSKIT_LOG_LEVEL = level;
    return new Promise((done, fail) => {
      execFile(
        process.execPath,
        ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', app],
        { cwd: root, env, timeout: 20_000 },
        (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(stdout)),
      );
    });
  }

  it('is quiet at APSKIT_LOG_LEVEL=silent, as in these tests', async () => {
    expect(process.env.APSKIT_LOG_LEVEL).toBe('silent');
    expect(await runApp('silent')).toBe('');
  });

  it('writes JSON request lines to stdout at info, the level when APSKIT_LOG_LEVEL is unset', async () => {
    const stdout = await runApp(undefined);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(lines.map((l) => [l.name, l.msg, l.method, l.url, l.status])).toEqual([
      ['apskit', 'request', 'GET', '/things/t1', 200],
      ['apskit', 'request', 'POST', '/things/', 400],
    ]);
    expect(lines[0].transactionId).toBe('tx-child');
  });
});
