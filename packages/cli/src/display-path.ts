import { isAbsolute, relative, resolve } from 'node:path';

/** A path as the CLI prints it: relative to the working folder when below it, absolute otherwise. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
}
