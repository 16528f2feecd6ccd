/**
 * The sample of docs/controller.md, "Links", run as written: each line of its `text` block is a
 * request (method, path, optional JSON body) and the status it answers, `{mailbox}`, `{domain}` and
 * `{globals}` standing for ids. Run against the links-app fixture, its endpoint served over HTTP by
 * APSKit (docs.cloudblue.com/cbc/sdk/20.5/api/rest/resources: Link, Unlink, Get linked resources).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, serveController, type RunningController } from '@apskit/controller';
import { createEndpoint } from '@apskit/express';
import { api } from './fixtures/harness';
import { app, DOMAIN_TYPE, MAILBOX_TYPE, services } from './fixtures/links-app';

interface SampleLine {
  readonly method: string;
  readonly path: string;
  readonly body: string | undefined;
  readonly status: number;
}

/** The request lines of the sample block under "## Links". */
function sampleLines(): SampleLine[] {
  const doc = readFileSync(join(__dirname, '../../../docs/controller.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Links'));
  const block = /```text\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const m = /^(GET|POST|PUT|DELETE)\s+(\S+)\s+(\{.*\})?\s*→\s*(\d{3})$/.exec(line.trim());
      if (!m) throw new Error(`Not a sample line: ${line}`);
      return { method: m[1] as string, path: m[2] as string, body: m[3], status: Number(m[4]) };
    });
}

let endpoint: { url: string; close(): Promise<void> };
let running: RunningController;
let controller: Controller;
let dir: string;

beforeAll(async () => {
  endpoint = await createEndpoint({ services, logger: false }).listen();
  dir = mkdtempSync(join(tmpdir(), 'apskit-links-docs-'));
  controller = new Controller({ app, endpoint: { url: endpoint.url }, dataDir: dir });
  running = await serveController(controller, { port: 0 });
});

afterAll(async () => {
  await running.close();
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

it('answers the sample in docs/controller.md, "Links", line by line', async () => {
  const lines = sampleLines();
  expect(lines.length).toBeGreaterThanOrEqual(8);
  const domain = await api(running.url, 'POST', '/aps/2/resources', {
    aps: { type: DOMAIN_TYPE },
    name: 'doc.example',
  });
  const mailbox = await api(running.url, 'POST', '/aps/2/resources', { aps: { type: MAILBOX_TYPE }, name: 'doc' });
  const ids: Record<string, string> = {
    mailbox: mailbox.body.aps.id,
    domain: domain.body.aps.id,
    globals: (await controller.instance.globalsId) as string,
  };
  const fill = (text: string): string =>
    text.replace(/\{(mailbox|domain|globals)\}/g, (_, name: string) => ids[name] as string);
  for (const line of lines) {
    const reply = await api(
      running.url,
      line.method,
      fill(line.path),
      line.body === undefined ? undefined : JSON.parse(fill(line.body)),
    );
    expect({ line: `${line.method} ${line.path}`, status: reply.status }).toEqual({
      line: `${line.method} ${line.path}`,
      status: line.status,
    });
  }
});
