/**
 * `apskit token add --role admin|owner [--account <id>] [--subject <name>] [--file <tokens.json>]`:
 * makes a bearer token for the controller's API (issue 18), adds its SHA-256 to a tokens file (made
 * 0600 when new), and prints the token once. The file keeps no usable token: a token lost is
 * replaced by a new one, not read back.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { generateToken, parseTokensFile, TOKENS_FILE_ENV, tokenFileEntry, type TokenRole } from '@apskit/controller';
import { CliError } from '../cli-error';
import type { Output } from './schema';

export interface TokenAddOptions {
  role?: string;
  account?: string;
  subject?: string;
  file?: string;
}

/** The tokens file when neither --file nor APSKIT_TOKENS_FILE names one. */
export const DEFAULT_TOKENS_FILE = 'apskit-tokens.json';

export function tokenAddCommand(options: TokenAddOptions, io: Output, env: NodeJS.ProcessEnv = process.env): void {
  const role = options.role;
  if (role !== 'admin' && role !== 'owner')
    throw new CliError('--role must be admin (a provider administrator) or owner (an account owner, with --account)');
  if (role === 'owner' && !options.account?.trim())
    throw new CliError("--account is required for an owner token: the account resource's id");
  if (role === 'admin' && options.account !== undefined)
    throw new CliError('--account names the account of an owner token; an admin token reaches every account');
  if (options.subject !== undefined && (options.subject.trim() === '' || options.subject.length > 200))
    throw new CliError('--subject must be a name of 1 to 200 characters');
  const file = options.file ?? (env[TOKENS_FILE_ENV]?.trim() || DEFAULT_TOKENS_FILE);

  let entries: unknown[] = [];
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    try {
      parseTokensFile(text, file); // refuses a file the controller would refuse
    } catch (e) {
      throw new CliError(`${(e as Error).message}: fix it before adding a token`);
    }
    entries = JSON.parse(text) as unknown[];
  }
  const token = generateToken();
  entries.push(
    tokenFileEntry(token, role as TokenRole, { account: options.account?.trim(), subject: options.subject }),
  );
  writePrivately(file, `${JSON.stringify(entries, null, 2)}\n`);

  // The token alone on stdout (for a script to take); what was done on stderr.
  io.out(`${token}\n`);
  io.err(
    `Added an ${role} token${options.subject ? ` for ${options.subject}` : ''} to ${file} (its SHA-256 only). ` +
      'This is the only time the token is shown: give it to its holder now. Start the controller with ' +
      `${TOKENS_FILE_ENV}=${file} (or the tokens option) to accept it.\n`,
  );
}

/** Writes through a temporary file in the same folder, 0600, then renames: never a half-written file. */
function writePrivately(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
