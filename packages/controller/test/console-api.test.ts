/**
 * What the console stands on, without a browser: `GET /apskit/events` (server-sent events fed by
 * `controller.events`), and the page, script and stylesheet as `/console` serves them. The script is
 * also parsed and type-checked against the DOM library here, so that a typo in a rarely taken
 * branch fails a test even where Chromium is missing.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { api, eventually, PROVISIONABLE, startHarness, type Harness } from './fixtures/harness';
import { Provisionable } from './fixtures/jobs';

/** The console's script and stylesheet as the package ships them (packages/controller/console). */
const CONSOLE_SCRIPT = readFileSync(join(__dirname, '..', 'console', 'console.js'), 'utf8');
const CONSOLE_STYLE = readFileSync(join(__dirname, '..', 'console', 'console.css'), 'utf8');

let h: Harness;
const coin = Provisionable.flipCoin;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  Provisionable.flipCoin = coin;
  await h.close();
});

interface Frame {
  readonly event: string;
  readonly data: unknown;
}

/** A reader of `GET /apskit/events`: frames as they come, and a bounded wait for one that matches. */
async function openEvents(url: string): Promise<{
  readonly frames: Frame[];
  next(match: (f: Frame) => boolean, ms?: number): Promise<Frame>;
  close(): void;
}> {
  const abort = new AbortController();
  const res = await fetch(`${url}/apskit/events`, { signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(res.headers.get('cache-control')).toContain('no-cache');
  const frames: Frame[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) frames.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    frames,
    next: async (match, ms = 5000) => {
      const end = Date.now() + ms;
      for (;;) {
        const found = frames.find(match);
        if (found) return found;
        if (Date.now() > end) throw new Error(`no matching event within ${ms} ms; got ${JSON.stringify(frames)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => abort.abort(),
  };
}

const listeners = (): number =>
  h.running.controller.events.listenerCount('task') + h.running.controller.events.listenerCount('resource');

describe('GET /apskit/events', () => {
  it('sends ready first, then every task and resource change in order, with the resource as the API renders it', async () => {
    const flips = [true, false];
    Provisionable.flipCoin = () => flips.shift() ?? false;
    const events = await openEvents(h.url);
    try {
      await events.next((f) => f.event === 'ready');
      expect(events.frames[0]).toEqual({ event: 'ready', data: { instance: h.running.controller.instance.id } });

      const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: PROVISIONABLE } });
      const taskId = created.headers.get('apskit-task-id') as string;
      const id = created.body.aps.id as string;
      const succeeded = await events.next(
        (f) => f.event === 'task' && (f.data as { id: string; status: string }).status === 'succeeded',
      );
      expect(succeeded.data).toMatchObject({ id: taskId, resourceId: id, output: 'Still provisioning', attempts: 3 });
      const ready = await events.next(
        (f) =>
          f.event === 'resource' &&
          (f.data as { resource: { aps: { status: string } } | null }).resource?.aps.status === 'aps:ready',
      );
      expect(ready.data).toMatchObject({ id, resource: { aps: { id, type: PROVISIONABLE, status: 'aps:ready' } } });

      // The task's states arrive in the order they happened.
      const statuses = events.frames
        .filter((f) => f.event === 'task' && (f.data as { id: string }).id === taskId)
        .map((f) => (f.data as { status: string }).status);
      expect(statuses[0]).toBe('running');
      expect(statuses[statuses.length - 1]).toBe('succeeded');
      expect(statuses.filter((s) => s === 'scheduled').length).toBeGreaterThanOrEqual(2);

      // A resource that goes is sent as null.
      expect((await api(h.url, 'DELETE', `/aps/2/resources/${id}`)).status).toBe(204);
      await events.next((f) => f.event === 'resource' && (f.data as { resource: unknown }).resource === null);
    } finally {
      events.close();
    }
  });

  it('listens on controller.events once for every client, and only while one is connected', async () => {
    await eventually(
      async () => listeners(),
      (n) => n === 0,
    );
    const a = await openEvents(h.url);
    const b = await openEvents(h.url);
    try {
      await a.next((f) => f.event === 'ready');
      await b.next((f) => f.event === 'ready');
      expect(listeners()).toBe(2); // one 'task' and one 'resource' listener, shared

      Provisionable.flipCoin = () => false;
      const created = await api(h.url, 'POST', '/aps/2/resources', { aps: { type: PROVISIONABLE } });
      const taskId = created.headers.get('apskit-task-id') as string;
      const isDone = (f: Frame): boolean =>
        f.event === 'task' &&
        (f.data as { id: string }).id === taskId &&
        (f.data as { status: string }).status === 'succeeded';
      await a.next(isDone);
      await b.next(isDone);
    } finally {
      a.close();
      b.close();
    }
    await eventually(
      async () => listeners(),
      (n) => n === 0,
    );
  });
});

describe('GET /console', () => {
  it('serves the page, held to its own origin by a content security policy', async () => {
    for (const path of ['/console', '/console/']) {
      const res = await fetch(h.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      const html = await res.text();
      expect(html).toContain('<script defer src="/console/console.js"></script>');
      expect(html).toContain('<link rel="stylesheet" href="/console/console.css">');
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it('serves the script and the stylesheet with their types', async () => {
    const js = await fetch(`${h.url}/console/console.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await js.text()).toBe(CONSOLE_SCRIPT);
    const css = await fetch(`${h.url}/console/console.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toBe(CONSOLE_STYLE);
  });

  it('is where the bare URL leads', async () => {
    const res = await fetch(`${h.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console');
  });

  it('names no other host: the script calls the API by path, the stylesheet imports nothing', () => {
    // The one absolute URL in the script is the APS application type's ID, compared, never fetched.
    const urls = CONSOLE_SCRIPT.match(/https?:\/\/[^'"\s]+/g) ?? [];
    expect(urls).toEqual(['http://aps-standard.org/types/core/application/1.0']);
    expect(CONSOLE_STYLE).not.toMatch(/@import|url\(/);
  });
});

describe('the console script', () => {
  it('parses as a browser script', () => {
    expect(() => new Function(CONSOLE_SCRIPT)).not.toThrow();
  });

  it('type-checks as JavaScript against the DOM library', () => {
    const file = '/console/console.js';
    const options: ts.CompilerOptions = {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const readLib = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language) =>
      name === file ? ts.createSourceFile(name, CONSOLE_SCRIPT, language) : readLib(name, language);
    host.fileExists = (name) => name === file || ts.sys.fileExists(name);
    host.getDefaultLibLocation = () => dirname(require.resolve('typescript/lib/lib.d.ts'));
    const program = ts.createProgram([file], options, host);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `line ${at}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    expect(problems).toEqual([]);
  }, 30_000);
});
