import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../cli-error';
import { planImport } from '../import/plan-schemas';
import { displayPath, readSchemas } from '../import/read-schemas';
import { verifyImport } from '../import/verify';
import { writeModules } from '../import/write-typescript';
import type { Output } from './schema';

export interface ImportOptions {
  out: string;
  /** Replace files the output folder already has. */
  force?: boolean;
}

/**
 * `apskit import <schemas…> --out <dir>`: writes one TypeScript module of declarations per APS
 * type, and an `index.ts` exporting them, such that `apskit schema <dir>` emits the same schemas.
 * Every file is read, planned and checked before the first one is written: a failed import writes
 * nothing.
 */
export function importCommand(inputs: readonly string[], options: ImportOptions, io: Output): void {
  const problems: string[] = [];
  const sources = readSchemas(inputs, problems);
  const plan = planImport(sources, problems);
  verifyImport(plan.modules);
  const files = writeModules(plan.modules);

  const out = resolve(options.out);
  const existing = files.filter((f) => existsSync(join(out, f.file))).map((f) => f.file);
  if (existing.length > 0 && options.force !== true) {
    throw new CliError(
      `${displayPath(out)} already has ${existing.join(', ')}: nothing was written; pass --force to replace them`,
    );
  }
  for (const note of plan.notes) io.err(`note: ${note}\n`);
  mkdirSync(out, { recursive: true });
  for (const f of files) {
    const path = join(out, f.file);
    writeFileSync(path, f.text);
    io.out(`wrote ${displayPath(path)}\n`);
  }
}
