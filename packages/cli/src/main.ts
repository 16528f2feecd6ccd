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

const VERSION = (JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string }).version;

export function createProgram(io: Output): Command {
  const program = new Command('apskit')
    .description('APS schemas (and more) from TypeScript declarations made with @apskit/core')
    .version(VERSION)
    .option('--verbose', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

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
