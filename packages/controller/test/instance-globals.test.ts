/**
 * Issue 22, F3 and F10: the application resource (globals) gets its settings when the instance is
 * created (`globals` option), and `GET /apskit/instance` answers the globals resource itself beside
 * `globalsId`, so that `instance.globals.defaultRegion` is the setting, never silently undefined.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApsType, CoreTypes, Property } from '@apskit/core';
import { startController, type ControllerOptions, type RunningController } from '@apskit/controller';
import { api } from './fixtures/harness';

@ApsType({ id: 'http://example.com/hosting/globals/1.0', implements: [CoreTypes.application] })
class HostingGlobals {
  @Property({ required: true, enum: ['eu', 'us'] }) defaultRegion!: string;
  @Property({ type: 'integer', minimum: 1 }) maxServers?: number;
}

const dirs: string[] = [];
const running: RunningController[] = [];
async function start(options: Partial<ControllerOptions> = {}): Promise<RunningController> {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-globals-'));
  dirs.push(dir);
  const r = await startController({
    app: { name: 'hosting', services: { globals: HostingGlobals } },
    dataDir: dir,
    timeScale: 0.01,
    pollMs: 50,
    port: 0,
    ...options,
  });
  running.push(r);
  return r;
}
afterAll(async () => {
  for (const r of running) await r.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it('creates the application resource with the settings given, and GET /apskit/instance answers it as globals', async () => {
  const r = await start({ globals: { defaultRegion: 'eu', maxServers: 10 } });
  const instance = await api(r.url, 'GET', '/apskit/instance');
  expect(instance.status).toBe(200);
  expect(instance.body.globals).toMatchObject({
    aps: { id: instance.body.globalsId, type: 'http://example.com/hosting/globals/1.0', status: 'aps:ready' },
    defaultRegion: 'eu',
    maxServers: 10,
  });
  // A later start keeps what is stored: the settings are the instance's, given once.
  await r.close();
  running.splice(running.indexOf(r), 1);
  const again = await start({ dataDir: dirs[dirs.length - 1], globals: { defaultRegion: 'us' } });
  const later = await api(again.url, 'GET', '/apskit/instance');
  expect(later.body).toMatchObject({ globalsId: instance.body.globalsId, globals: { defaultRegion: 'eu' } });
});

it('refuses to start with settings the type refuses: the 400 names the field, and no instance is made', async () => {
  await expect(start({ globals: { defaultRegion: 'mars' } })).rejects.toMatchObject({
    status: 400,
    details: [expect.objectContaining({ field: 'defaultRegion' })],
  });
});

it('a controller whose application has no globals type answers globals: null', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-globals-'));
  dirs.push(dir);
  @ApsType({ id: 'http://example.com/hosting/note/1.0' })
  class Note {
    @Property() text?: string;
  }
  const r = await startController({ app: { name: 'notes', services: { notes: Note } }, dataDir: dir, port: 0 });
  running.push(r);
  const instance = await api(r.url, 'GET', '/apskit/instance');
  expect(instance.body).toMatchObject({ globalsId: null, globals: null });
});
