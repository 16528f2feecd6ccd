/**
 * Validates an OpenAPI document with @seriousme/openapi-schema-validator, the validator against the
 * official OpenAPI schemas, which also resolves every `$ref`. It is ESM only, and jest's module
 * system (CommonJS here) cannot import it, so it runs in a child Node process.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root, where the validator is installed (a root devDependency). */
const ROOT = resolve(__dirname, '../../..');

const SCRIPT = `
import { Validator } from '@seriousme/openapi-schema-validator';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
let refs = 'resolved';
if (result.valid) {
  try { validator.resolveRefs(); } catch (e) { refs = String(e.message ?? e); }
}
process.stdout.write(JSON.stringify({ ...result, version: validator.version, refs }));
`;

export interface OpenApiValidation {
  valid: boolean;
  /** The validator's errors (ajv's, or a message). */
  errors?: unknown;
  /** The OpenAPI version it validated against: "3.1". */
  version: string;
  /** "resolved", or why a `$ref` did not resolve. */
  refs: string;
}

export function validateOpenApi(document: unknown): OpenApiValidation {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    input: JSON.stringify(document),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the OpenAPI validator failed to run: ${run.stderr}`);
  return JSON.parse(run.stdout) as OpenApiValidation;
}
