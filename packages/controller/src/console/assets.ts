/**
 * The console's files: index.html, console.js and console.css in the package's `console` folder,
 * beside `src` and `dist`, so that one relative path finds them from both (the tests run this module
 * from src/console, an installed package from dist/console). They ship through the package's
 * `files`; they are read once, by the first router that serves them, and kept as strings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compilePage, type ConsolePage } from './page';

/** packages/controller/console, from src/console/assets.ts and from dist/console/assets.js alike. */
export const CONSOLE_ASSET_DIR = path.join(__dirname, '..', '..', 'console');

export interface ConsoleAssets {
  /** The page, filled in per request with where it is mounted and where the API is. */
  readonly page: ConsolePage;
  readonly script: string;
  readonly style: string;
}

let loaded: ConsoleAssets | undefined;

function read(name: string): string {
  const file = path.join(CONSOLE_ASSET_DIR, name);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    // A package installed without its console folder: say which file, at start rather than per request.
    throw new Error(`The console's ${name} is missing (${file}): ${(e as Error).message}`);
  }
}

/** The console's files, read from disk the first time and from memory after. */
export function consoleAssets(): ConsoleAssets {
  loaded ??= {
    page: compilePage(read('index.html')),
    script: read('console.js'),
    style: read('console.css'),
  };
  return loaded;
}
