/**
 * One version of the module, served by `apskit dev` in a child process of its own (forked with an
 * IPC channel; the supervisor is commands/dev.ts). The child loads the module and builds its
 * controller without touching the port or the store, says `loaded` (or `failed`), and waits: the
 * supervisor stops the version serving now, then says `serve`. So a declaration error never stops
 * the last good version, and each version starts from freshly loaded files.
 */
import {
  Controller,
  MemoryStore,
  serveController,
  type ControllerOptions,
  type RunningController,
} from '@apskit/controller';
import { buildTypeModel, type Class } from '@apskit/core';
import { CliError } from '../cli-error';
import { findServices } from '../find-services';
import { loadModule } from '../load-module';
import { typeFileNames } from '../type-file-names';
import type { ChildMessage, DevServeConfig, ServeCommand } from './messages';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** The controller options for the module's services; throws the module's declaration errors. */
function controllerOptions(config: DevServeConfig): ControllerOptions {
  const { file, types, exports } = loadModule(config.moduleFile);
  const found = findServices(exports);
  if (!found && types.length === 0)
    throw new CliError(`No APS types found in ${file}: export classes declared with @ApsType(), or a services map`);
  // As `apskit openapi` does: a module of types only is served at one path per type, its APS name
  // (`tenant`, `tenant-2`… for types of one name).
  const services: Record<string, Class> = found
    ? { ...found.services }
    : Object.fromEntries([...typeFileNames(buildTypeModel(types).types, '')].map(([t, s]) => [s, t.target]));
  return {
    app: { name: found?.app?.name ?? config.fallbackName, services, upgrade: found?.app?.upgrade },
    endpoint: config.endpointUrl ? { url: config.endpointUrl } : { inProcess: true },
    dataDir: config.dataDir,
    ...(config.timeScale !== undefined ? { timeScale: config.timeScale } : {}),
  };
}

function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // A load error's cause (a TypeScript syntax error, say) often says where: its first lines.
  const cause =
    e instanceof Error && e.cause instanceof Error
      ? e.cause.message
          .split('\n')
          .filter((line) => line.trim() !== '' && !text.includes(line))
          .slice(0, 6)
      : [];
  return [text, ...cause].join('\n');
}

async function run(config: DevServeConfig): Promise<void> {
  // Listened for before `loaded` is said, so that a quick `serve` is never missed.
  const serve = new Promise<void>((resolve) => {
    process.on('message', (m: ServeCommand) => {
      if (m.kind === 'serve') resolve();
    });
  });
  // The supervisor gone before this version serves: nothing to close.
  const exitOnDisconnect = (): void => process.exit(0);
  process.once('disconnect', exitOnDisconnect);
  let options: ControllerOptions;
  try {
    options = controllerOptions(config);
    // Built once in memory to check everything the real one checks (the model, the endpoint's
    // services, the time scale), before the serving version is stopped.
    const probe = new Controller({ ...options, store: new MemoryStore() });
    await send({ kind: 'loaded', types: probe.model.types.map((t) => t.id) });
  } catch (e) {
    await send({ kind: 'failed', phase: 'load', message: messageOf(e) });
    process.exit(1);
  }

  await serve;
  process.off('disconnect', exitOnDisconnect);

  let running: RunningController;
  try {
    running = await serveController(new Controller(options), { host: config.host, port: config.port });
  } catch (e) {
    await send({ kind: 'failed', phase: 'serve', message: messageOf(e) });
    process.exit(1);
  }
  const { controller } = running;
  let closing: Promise<void> | undefined;
  const stop = (): void => {
    // Graceful: the attempts under way record their outcomes, so the next version takes the tasks up.
    closing ??= running.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  // Ctrl-C reaches the whole process group: the supervisor stops this version itself, in order.
  process.on('SIGINT', () => undefined);
  // The supervisor gone (killed, say): no child is left holding the port and the store.
  process.on('disconnect', stop);
  if (!process.connected) return stop();
  await send({
    kind: 'serving',
    appName: options.app.name,
    url: running.url,
    consoleUrl: running.consoleUrl,
    auth: running.banner.slice(running.banner.indexOf('API ')),
    instanceId: controller.instance.id,
    globalsId: await controller.instance.globalsId,
    timeScale: controller.timeScale,
    services: Object.fromEntries(
      Object.entries(options.app.services).map(([name, type]) => [name, controller.model.get(type).id]),
    ),
  });
}

const config = JSON.parse(process.argv[2] ?? '{}') as DevServeConfig;
run(config).catch((e: unknown) => {
  process.stderr.write(`apskit dev: ${messageOf(e)}\n`);
  process.exit(1);
});
