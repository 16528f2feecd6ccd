/**
 * The `apskit` command line: argument parsing by commander, the work in ./commands. Every failure
 * the user can fix is one clear message on stderr and exit code 1; the stack trace only with
 * --verbose.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { DeclarationError } from '@apskit/core';
import { CliError } from './cli-error';
import { schemaCommand, type Output } from './commands/schema';
import { packageCommand } from './commands/package';
import { deployCommand, type DeployOptions } from './commands/deploy';
import { DEFAULT_DOCS_FOLDER, docsCommand } from './commands/docs';
import { openApiCommand, type OpenApiCommandOptions } from './commands/openapi';
import { importCommand, type ImportOptions } from './commands/import';
import { tokenAddCommand, type TokenAddOptions } from './commands/token';
import { devCommand, type DevOptions } from './commands/dev';
import { initCommand, type InitOptions } from './commands/init';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string }).version;

export function createProgram(io: Output): Command {
  const program = new Command('apskit')
    .description('APS schemas (and more) from TypeScript declarations made with @apskit/core')
    .version(VERSION)
    .option('--verbose', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('init')
    .description('make a new APSKit project: package.json, tsconfig.json, one type, its test, a README')
    .argument('<dir>', 'the folder to make it in (new or empty; "." for the working folder)')
    .option('--force', 'write into a folder that has files, replacing those of the same names')
    .option('--name <name>', "the npm package name (default: the folder's name)")
    .action((dir: string, options: InitOptions) => {
      initCommand(dir, options, io);
    });

  program
    .command('schema')
    .description('print the APS type schema of each type a module exports, or write <name>.schema files')
    .argument(
      '<module>',
      'a file of declarations, or a package folder (its "apskit.module", src/index.ts, index.ts or main)',
    )
    .option('-t, --type <name>', 'only this type (APS name, class name or type ID): exactly one schema document')
    .option('-o, --out <dir>', 'write one <name>.schema file per type into this folder')
    .action((module: string, options: { type?: string; out?: string }) => schemaCommand(module, options, io));

  program
    .command('docs')
    .description('write the Markdown reference page of each type a module exports, <name>.md')
    .argument('<module>', 'a file of declarations, or a package folder (as for `apskit schema`)')
    .option('-o, --out <dir>', 'the folder to write the pages into', DEFAULT_DOCS_FOLDER)
    .option('-t, --type <name>', 'only this type (APS name, class name or type ID)')
    .action((module: string, options: { out?: string; type?: string }) => {
      docsCommand(module, options, io);
    });

  program
    .command('openapi')
    .description("print the OpenAPI 3.1 document of the endpoint serving a module's types, or write it to a file")
    .argument('<module>', 'a file or package folder; its `services` map (or app) names the paths, else its types do')
    .option('-o, --out <file>', 'write the document to this file instead of printing it')
    .option('--controller', "also describe the embedded controller's API (/aps/2/..., /apskit/...)")
    .option('--server <url>', 'the URL the endpoint is served at (servers[0].url)')
    .action((module: string, options: OpenApiCommandOptions) => {
      openApiCommand(module, options, io);
    });

  program
    .command('package')
    .description('build the importable APS package <name>-<version>-<release>.app.zip of the app a module exports')
    .argument('<module>', 'a file or package folder that exports `app = defineApp({...})`')
    .option('-o, --out <dir>', 'write the package into this folder (default: the working folder)')
    .action(async (module: string, options: { out?: string }) => {
      await packageCommand(module, options, io);
    });

  program
    .command('deploy')
    .description("serve the app's endpoint over HTTP and HTTPS in the foreground and print its URLs")
    .argument('<module>', 'a file or package folder that exports `app = defineApp({...})`')
    .option('--host <host>', 'the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)')
    .option('--port <port>', 'the HTTP port (default 8080; 0 picks a free one)')
    .option('--https-port <port>', 'the HTTPS port (default 8443; 0 picks a free one)')
    .option('--cert <file>', 'the HTTPS certificate (PEM); without it, a self-signed one kept under the data folder')
    .option('--key <file>', "the certificate's private key (PEM)")
    .option(
      '--controller-uri <url>',
      'the controller the endpoint calls to load resources (default APSKIT_CONTROLLER_URI); the ' +
        'APS-Controller-URI header of a request is not believed',
    )
    .option(
      '--controller-cert <file>',
      "serve only this controller certificate (PEM); without it, the first installation's controller is pinned",
    )
    .option('--no-pin', 'serve every caller, pinning no controller (a private machine only)')
    .action((module: string, options: DeployOptions) => deployCommand(module, options, io));

  program
    .command('import')
    .description('write decorated TypeScript declarations that emit the given APS schemas, one module per type')
    .argument('<schemas...>', '.schema and .schema.gen files, JSON arrays as /aps/2/types answers, or folders of them')
    .requiredOption('-o, --out <dir>', 'the folder to write the modules and their index.ts into')
    .option('--force', 'replace files the folder already has')
    .option('--strict', 'all or nothing: write nothing when any schema cannot be imported (warnings do not count)')
    .action((schemas: string[], options: ImportOptions) => importCommand(schemas, options, io));

  program
    .command('dev')
    .description(
      "serve a module's types with the embedded controller and its console on one port, reloading them when their files change",
    )
    .argument(
      '[module]',
      'a file or package folder (its "apskit.module", as for `apskit schema`); default: this folder',
    )
    .option('--port <port>', 'the port on 127.0.0.1 (default PORT, else 3000; 0 picks a free one)')
    .option('--data-dir <dir>', 'where resources and tasks are kept (default APSKIT_DATA_DIR, else .apskit)')
    .option('--time-scale <factor>', 'multiplies every retry timeout (default APSKIT_TIME_SCALE, else 1)')
    .option('--endpoint-url <url>', 'drive an APS endpoint running elsewhere: serve only the controller and console')
    .action((module: string | undefined, options: DevOptions) => devCommand(module, options, io));

  const token = program.command('token').description("bearer tokens for the controller's API (docs/security.md)");
  token
    .command('add')
    .description('make a token, add its SHA-256 to a tokens file, and print the token once')
    .requiredOption('--role <role>', 'admin (a provider administrator) or owner (an account owner)')
    .option('--account <id>', "the account resource's id (owner tokens only)")
    .option('--subject <name>', 'who holds the token: a name for the logs')
    .option('--file <file>', 'the tokens file (default APSKIT_TOKENS_FILE, else apskit-tokens.json)')
    .action((options: TokenAddOptions) => tokenAddCommand(options, io));

  return program;
}

/** Runs the CLI and resolves to the exit code. */
export async function main(argv: readonly string[], io: Output = processOutput): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander has printed its message already
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true || argv.includes('--verbose');
    io.err(`apskit: ${describe(e)}\n`);
    if (verbose) io.err(`${stackOf(e)}\n`);
    return e instanceof CliError ? e.exitCode : 1;
  }
}

function describe(e: unknown): string {
  if (e instanceof CliError || e instanceof DeclarationError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

function stackOf(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? `\nCaused by: ${e.cause.stack}` : '';
  return `${e instanceof Error ? e.stack : String(e)}${cause}`;
}

const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};
