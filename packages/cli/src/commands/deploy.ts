import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import {
  CONTROLLER_URI_ENV,
  CREDENTIALS_DIR_ENV,
  createEndpoint,
  fileCredentialStore,
  type InstallationRequest,
  type RunningEndpoint,
} from '@apskit/express';
import { CliError } from '../cli-error';
import { displayPath } from '../display-path';
import {
  loadCertificateFiles,
  loadControllerCertificate,
  selfSignedCertificate,
  type TlsMaterial,
} from '../deploy/certificate';
import { controllerPin, type ControllerPin } from '../deploy/controller-pin';
import { probe } from '../deploy/probe';
import { loadApp } from '../load-app';
import type { Output } from './schema';
import { aborted, processSignals, type ProcessSignals } from '../process-signals';

export interface DeployOptions {
  host?: string;
  port?: string;
  httpsPort?: string;
  cert?: string;
  key?: string;
  /** The controller the endpoint calls (the resource loader, controllerClient); default APSKIT_CONTROLLER_URI. */
  controllerUri?: string;
  /** The only controller certificate served (PEM file); without it, the first installation's is pinned. */
  controllerCert?: string;
  /** `false` (`--no-pin`): serve every caller, as an endpoint without installations does. Default true. */
  pin?: boolean;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_HTTPS_PORT = 8443;

export interface Deployment {
  /** The URLs to give the platform, with a final `/`. */
  readonly httpUrl: string;
  readonly httpsUrl: string;
  readonly tls: TlsMaterial;
  /** The controller the endpoint calls, when one is configured. */
  readonly controllerUri?: string;
  /** The controller pin, unless `--no-pin`. */
  readonly pin?: ControllerPin;
  /** Where installed instances' credentials are kept. */
  readonly credentialsDir: string;
  close(): Promise<void>;
}

/**
 * `apskit deploy <module>`: serves the app's services over HTTP and HTTPS, checks that both answer,
 * prints the endpoint URLs for the platform, and runs until SIGTERM or SIGINT (or `stop`), then
 * closes both servers and resolves, so that the process exits with 0.
 */
export async function deployCommand(
  moduleSpec: string,
  options: DeployOptions,
  io: Output,
  stop?: AbortSignal,
): Promise<void> {
  // Listened for from the start: a signal that comes while the endpoint starts stops it once it is up.
  const signals = stop ? undefined : processSignals();
  try {
    const deployment = await startDeployment(moduleSpec, options, io);
    await aborted(stop ?? (signals as ProcessSignals).signal);
    await deployment.close();
    io.out('apskit: endpoint stopped\n');
  } finally {
    signals?.dispose();
  }
}

/** Starts the endpoint, checks both URLs and prints the banner. */
export async function startDeployment(moduleSpec: string, options: DeployOptions, io: Output): Promise<Deployment> {
  const host = options.host ?? DEFAULT_HOST;
  const port = portOption(options.port, '--port', DEFAULT_PORT);
  const httpsPort = portOption(options.httpsPort, '--https-port', DEFAULT_HTTPS_PORT);
  if ((options.cert === undefined) !== (options.key === undefined))
    throw new CliError('Give both --cert and --key, or neither for a self-signed certificate');

  const controllerUri = controllerUriOption(options.controllerUri);
  const pinning = options.pin !== false;
  if (!pinning && options.controllerCert !== undefined)
    throw new CliError('--controller-cert pins a controller and --no-pin serves every caller: give one of them');
  const given =
    options.controllerCert === undefined ? undefined : loadControllerCertificate(resolve(options.controllerCert));

  const { app } = loadApp(moduleSpec);
  const dataDir = resolve(process.env.APSKIT_DATA_DIR ?? '.apskit');
  const fromEnv = process.env[CREDENTIALS_DIR_ENV]?.trim();
  const credentialsDir = resolve(fromEnv ? fromEnv : join(dataDir, 'credentials'));
  const credentials = fileCredentialStore(credentialsDir);
  const pin = pinning ? await readPin(credentials, given, io) : undefined;
  // Built before a certificate is made or a port opened, so that declaration mistakes come first.
  // Pinned (the default), the endpoint serves only requests for an installed instance from its
  // controller, and installations that `pin` accepts. An installed instance calls the controller URI
  // its installation named (or the configured one) with its own certificate; without either, a
  // request's APS-Controller-URI header is never believed.
  const endpoint = createEndpoint({
    services: app.services,
    controllerUri,
    credentials,
    ...(pin ? { installation: { required: true, accept: (i: InstallationRequest) => pin.accept(i) } } : {}),
    ...(given ? { clientCertificate: { pinned: given.pem } } : {}),
  });
  const wildcard = host === '0.0.0.0' || host === '::';
  // The name the platform will call: the machine's name when listening on every interface.
  const publicHost = wildcard ? hostname() : host;
  const tls =
    options.cert !== undefined && options.key !== undefined
      ? loadCertificateFiles(resolve(options.cert), resolve(options.key))
      : await selfSignedCertificate(dataDir, [...new Set([publicHost, ...(wildcard ? ['127.0.0.1'] : [])])]);

  const servers: RunningEndpoint[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  };
  try {
    servers.push(await listen(() => endpoint.listen({ host, port }), host, port, 'HTTP', '--port'));
    servers.push(
      await listen(
        () => endpoint.listen({ host, port: httpsPort, tls: { key: tls.key, cert: tls.cert } }),
        host,
        httpsPort,
        'HTTPS',
        '--https-port',
      ),
    );
    const [http, https] = servers as [RunningEndpoint, RunningEndpoint];
    const checkHost = wildcard ? (host === '::' ? '::1' : '127.0.0.1') : host;
    const service = Object.keys(app.services)[0] as string;
    await check(`${urlOf('http', checkHost, http.port)}${encodeURIComponent(service)}/`, 'HTTP');
    await check(`${urlOf('https', checkHost, https.port)}${encodeURIComponent(service)}/`, 'HTTPS', tls.fingerprint);

    const deployment: Deployment = {
      httpUrl: urlOf('http', publicHost, http.port),
      httpsUrl: urlOf('https', publicHost, https.port),
      tls,
      ...(controllerUri === undefined ? {} : { controllerUri }),
      ...(pin ? { pin } : {}),
      credentialsDir,
      close: closeAll,
    };
    io.out(banner(`${app.name} ${app.version}-${app.release}`, Object.keys(app.services), deployment));
    return deployment;
  } catch (e) {
    await closeAll();
    throw e;
  }
}

function banner(app: string, services: readonly string[], d: Deployment): string {
  const where = displayPath(d.tls.certFile);
  const cert = d.tls.selfSigned ? `${where} (self-signed${d.tls.generated ? ', made now' : ''})` : where;
  // A given certificate is served even when expired (the user may be testing); the banner says so.
  const expired =
    d.tls.validTo.getTime() < Date.now()
      ? `\n  WARNING: the certificate expired on ${d.tls.validTo.toISOString()}`
      : '';
  return [
    `APSKit endpoint for ${app} configured SUCCESSFULLY`,
    `  http endpoint url:  ${d.httpUrl}${d.pin ? ' (no client certificate over HTTP: for a trusted proxy only)' : ''}`,
    `  https endpoint url: ${d.httpsUrl}`,
    `  services:           ${services.join(', ')}`,
    `  certificate:        ${cert}`,
    `  SHA-256:            ${d.tls.fingerprint}${expired}`,
    `  controller:         ${d.controllerUri ?? (d.pin ? 'the one each installation names (APS-Controller-URI)' : 'none (set --controller-uri or APSKIT_CONTROLLER_URI to load resources from it)')}`,
    `  credentials:        ${displayPath(d.credentialsDir)}`,
    ...pinLines(d.pin),
    `Give the platform ${d.pin ? 'the https URL' : 'one of these URLs'} when you create the application instance.`,
    'Running in the foreground: SIGTERM or Ctrl-C stops it.',
    '',
  ].join('\n');
}

function pinLines(pin: ControllerPin | undefined): string[] {
  if (!pin) return ['  pinned controller:  none (--no-pin): every caller is served; use it on a private machine only'];
  const source = pin.source();
  const fingerprints = pin.fingerprints();
  switch (source.kind) {
    case 'given':
      return [`  pinned controller:  ${fingerprints.join(', ')} (--controller-cert ${displayPath(source.file)})`];
    case 'installed':
      return [
        `  pinned controller:  ${fingerprints.join(', ')} (installed ${source.instances} instance${source.instances === 1 ? '' : 's'})`,
      ];
    case 'awaiting':
      return [
        '  pinned controller:  none yet: awaiting an installation over HTTPS. The first controller to install',
        '                      an application instance is pinned; every other one is refused (403).',
      ];
  }
}

/**
 * The deployment's pin, printing as it changes: the first installation accepted, and the first
 * installation refused (not every one: a stranger must not be able to fill the terminal).
 */
async function readPin(
  store: ReturnType<typeof fileCredentialStore>,
  given: { file: string; pem: string } | undefined,
  io: Output,
): Promise<ControllerPin> {
  let refusedOnce = false;
  try {
    return await controllerPin(store, given, {
      pinned: (i) =>
        io.out(
          `apskit: application instance ${i.instanceId} installed by controller ${i.controllerFingerprint}` +
            `${i.controllerUri ? ` (${i.controllerUri})` : ''}: pinned, every other controller is refused from now on\n`,
        ),
      refused: (i, pinned) => {
        if (refusedOnce) return;
        refusedOnce = true;
        io.out(
          `apskit: refused an installation of ${i.instanceId} by controller ${i.controllerFingerprint}: ` +
            `the pinned controller is ${pinned.join(', ')} (further refusals are not printed)\n`,
        );
      },
    });
  } catch (e) {
    throw new CliError(`Cannot read the installed instances' credentials: ${(e as Error).message}`);
  }
}

async function listen(
  start: () => Promise<RunningEndpoint>,
  host: string,
  port: number,
  scheme: string,
  flag: string,
): Promise<RunningEndpoint> {
  try {
    return await start();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    if (code === 'EADDRINUSE')
      throw new CliError(
        `Cannot start the ${scheme} endpoint: port ${port} on ${host} is already in use. ` +
          `Stop what uses it, or choose another port with ${flag}`,
      );
    if (code === 'EACCES')
      throw new CliError(
        `Cannot start the ${scheme} endpoint on ${where}: permission denied (ports below 1024 need privileges). ` +
          `Choose another port with ${flag}`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new CliError(`Cannot start the ${scheme} endpoint: ${host} is not an address of this machine (--host)`);
    throw new CliError(`Cannot start the ${scheme} endpoint on ${where}: ${(e as Error).message}`);
  }
}

async function check(url: string, scheme: string, fingerprint?: string): Promise<void> {
  try {
    await probe(url, { fingerprint });
  } catch (e) {
    throw new CliError(`The ${scheme} endpoint started but does not answer at ${url}: ${(e as Error).message}`);
  }
}

function urlOf(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${isIP(host) === 6 ? `[${host}]` : host}:${port}/`;
}

/**
 * `--controller-uri`, else APSKIT_CONTROLLER_URI, else none; checked here so that a wrong value is
 * reported as the setting the user gave.
 */
function controllerUriOption(option: string | undefined): string | undefined {
  const fromEnv = process.env[CONTROLLER_URI_ENV]?.trim();
  const value = option ?? (fromEnv === '' ? undefined : fromEnv);
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    const setting = option !== undefined ? '--controller-uri' : CONTROLLER_URI_ENV;
    throw new CliError(`${setting} must be an http:// or https:// URL (the controller's API root), not "${value}"`);
  }
  return value;
}

function portOption(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new CliError(`${flag} must be a port number from 0 to 65535 (0 picks a free one), not "${value}"`);
  return port;
}
