/**
 * Files that hold the controller's data are for its own user only (issue 15 #8). The SQLite file holds
 * `encrypted` property values, instance certificates and keys, and buyers' data; under the usual
 * umask 022 it was created 0644, readable by every local user.
 *
 * - The data directory is created 0700. One that exists is APSKit's when it holds nothing but its
 *   database files and `apskit deploy`'s `tls` folder (an older APSKit made it 0755): it is tightened
 *   to 0700. Any other directory (one
 *   the user chose, shared with other files) is left as it is, with a warning when group or others
 *   may enter it: the files are protected, but their names and sizes are not.
 * - The database file is created 0600 before SQLite opens it, so that SQLite, which gives its -wal,
 *   -shm and -journal files the permissions of the database file, creates those 0600 too; the files
 *   of an existing database are tightened to 0600 when it is opened.
 */
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { basename } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The files SQLite keeps beside a database file. */
const SIDE_FILES = ['-wal', '-shm', '-journal'];

function warn(message: string): void {
  process.emitWarning(message, { code: 'APSKIT_FILE_MODE' });
}

/** Creates `dir` (and its parents) for the owner only, or tightens it if it is APSKit's own. */
export function preparePrivateDirectory(dir: string, databaseFile: string): void {
  if (!existsSync(dir)) {
    // The mode is subject to the umask; the chmod makes it exact whatever the umask is.
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(dir, PRIVATE_DIR_MODE);
    return;
  }
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  // `tls` is where `apskit deploy` keeps its certificate, in the same default folder (.apskit);
  // `trust` the controller's own certificates (trust/credential-keeping).
  const own = new Set([basename(databaseFile), ...SIDE_FILES.map((s) => basename(databaseFile) + s), 'tls', 'trust']);
  if (readdirSync(dir).every((name) => own.has(name))) {
    tighten(dir, PRIVATE_DIR_MODE);
    return;
  }
  warn(
    `The data directory ${dir} is open to other users (mode ${mode.toString(8)}): the database files in it are ` +
      `not, but their names and sizes are. Give APSKit a directory of its own (dataDir, APSKIT_DATA_DIR) or chmod 700 it.`,
  );
}

/** Creates the database file 0600 if it is missing, before SQLite creates it with the umask's mode. */
export function createPrivateFile(file: string): void {
  // O_EXCL: an existing file is left to tightenDatabaseFiles, and no symlink is followed to create one.
  try {
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, PRIVATE_FILE_MODE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** Makes the database file and the files SQLite keeps beside it 0600. */
export function tightenDatabaseFiles(file: string): void {
  for (const path of [file, ...SIDE_FILES.map((s) => file + s)]) {
    if (existsSync(path)) tighten(path, PRIVATE_FILE_MODE);
  }
}

function tighten(path: string, mode: number): void {
  if ((statSync(path).mode & 0o777) === mode) return;
  try {
    chmodSync(path, mode);
  } catch (e) {
    // Not ours to change (another user's file): say so rather than refuse to start.
    warn(`Cannot make ${path} private (chmod ${mode.toString(8)}): ${(e as Error).message}`);
  }
}
