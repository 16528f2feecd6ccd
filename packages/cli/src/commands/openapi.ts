import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildTypeModel, toOpenApi, type Class, type OpenApiDocument, type OpenApiPart } from '@apskit/core';
import { CliError } from '../cli-error';
import { displayPath } from '../display-path';
import { findServices } from '../find-services';
import { loadModule } from '../load-module';
import { typeFileNames } from '../type-file-names';
import type { Output } from './schema';

export interface OpenApiCommandOptions {
  /** A file to write; without it the document is printed. */
  out?: string;
  /** Also describe the embedded controller's API. */
  controller?: boolean;
  /** `servers[0].url`. */
  server?: string;
}

/**
 * `apskit openapi <module> [--out <file>] [--controller] [--server <url>]`: the OpenAPI 3.1 document
 * of the endpoint that serves the module's types. Its paths are those of the module's `services`
 * map (or its app's services), as createEndpoint serves them; a module without one is described as
 * if each type were served under its APS name. With `--controller`, the controller's API is added as
 * the part @apskit/controller describes it: core's document of the endpoint and the controller's own
 * description of its routes, composed here.
 */
export function openApiCommand(moduleSpec: string, options: OpenApiCommandOptions, io: Output): OpenApiDocument {
  const { file, types, exports } = loadModule(moduleSpec);
  const found = findServices(exports);
  if (types.length === 0 && !found) {
    throw new CliError(`No APS types found in ${file}: export classes declared with @ApsType()`);
  }
  // The services may name classes the module does not export by themselves.
  const model = buildTypeModel([...types, ...Object.values(found?.services ?? {})]);
  const services: Record<string, Class> = found
    ? { ...found.services }
    : // Types of one APS name are served as `tenant`, `tenant-2`…, as `apskit schema --out` names their files.
      Object.fromEntries([...typeFileNames(model.types, '')].map(([t, service]) => [service, t.target]));
  const doc = toOpenApi(model, {
    services,
    title: found?.app ? found.app.name : undefined,
    version: found?.app ? `${found.app.version}-${found.app.release}` : undefined,
    serverUrl: options.server,
    parts: options.controller === true ? [controllerPart()] : [],
  });
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (options.out === undefined) {
    io.out(text);
    return doc;
  }
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, text);
  io.out(`wrote ${displayPath(options.out)}\n`);
  return doc;
}

/**
 * The controller's part of the document. Required lazily: the controller brings its SQLite store and
 * server with it, which no other command (nor `openapi` without `--controller`) should pay to load.
 */
function controllerPart(): OpenApiPart {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const controller = require('@apskit/controller') as typeof import('@apskit/controller');
  return controller.controllerOpenApi;
}
