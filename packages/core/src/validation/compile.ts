/**
 * Compiled validators. The APS schema rules, and the class-validator rules that map onto APS
 * attributes, are compiled by ajv once per model (about 0.1 µs a body, where class-validator takes
 * tens); class-validator runs only for a class that has rules the schema cannot say.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ApsTypeModel, ItemsSchema, StructureModel } from '../model/model';
import { resourceJsonSchema, valueJsonSchema, type JsonSchema } from './json-schema';
import { linearRegExp } from './linear-pattern';

/** One thing wrong with a request, named by its path in the body: `limits[0].resourceId`. */
export interface ValidationIssue {
  readonly field: string;
  readonly message: string;
}

export type Validate = (value: unknown) => ValidationIssue[];

const KNOWN_FORMATS = new Set([
  'date',
  'time',
  'date-time',
  'duration',
  'uri',
  'uri-reference',
  'uri-template',
  'url',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'regex',
  'uuid',
  'json-pointer',
  'relative-json-pointer',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'binary',
]);

/** One ajv per process: compiled functions are cached by schema, and ajv is costly to create. */
let ajv: Ajv2020 | undefined;
function getAjv(): Ajv2020 {
  if (!ajv) {
    // Patterns run on the linear-time engine: native RegExp backtracks, and a declared or imported
    // pattern such as `^([a-z0-9]+)*$` would let one request hold the process (issue 15 #9).
    ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true, code: { regExp: linearRegExp } });
    addFormats(ajv);
  }
  return ajv;
}

/** Formats APS schemas use that ajv does not know are accepted as they are, not refused. */
function registerUnknownFormats(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const format = (schema as JsonSchema).format;
  if (typeof format === 'string' && !KNOWN_FORMATS.has(format)) {
    KNOWN_FORMATS.add(format);
    getAjv().addFormat(format, true);
  }
  for (const value of Object.values(schema)) registerUnknownFormats(value);
}

export function compileJsonSchema(schema: JsonSchema): Validate {
  registerUnknownFormats(schema);
  const fn: ValidateFunction = getAjv().compile(schema);
  return (value) => (fn(value) ? NO_ISSUES : issuesOf(fn.errors ?? []));
}

const NO_ISSUES: ValidationIssue[] = [];
Object.freeze(NO_ISSUES);

export interface ResourceValidators {
  /** A resource to provision: required properties must be there. */
  readonly create: Validate;
  /** A new state to configure: what is left out keeps its value. */
  readonly update: Validate;
}

export function compileResourceValidators(type: ApsTypeModel): ResourceValidators {
  return {
    create: compileJsonSchema(resourceJsonSchema(type, 'create')),
    update: compileJsonSchema(resourceJsonSchema(type, 'update')),
  };
}

export function compileValueValidator(
  type: string,
  items: ItemsSchema | undefined,
  structure: StructureModel | undefined,
): Validate {
  return compileJsonSchema(valueJsonSchema(type, items, structure));
}

/** ajv's errors as one issue per field, in words a caller reads. */
function issuesOf(errors: readonly ErrorObject[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  // A null-or-X property reports "must be null" and "must match a schema in anyOf" besides the
  // real failure; those two say nothing the caller can act on.
  const nullableNoise = (e: ErrorObject): boolean =>
    e.keyword === 'anyOf' || (e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null');
  const useful = errors.filter((e) => !nullableNoise(e));
  for (const e of useful.length > 0 ? useful : errors) {
    const issue = toIssue(e);
    const key = `${issue.field}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function toIssue(e: ErrorObject): ValidationIssue {
  const base = pathOf(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field: join(base, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { field: join(base, String(params.additionalProperty)), message: 'is not a declared property' };
    case 'type': {
      const t = params.type;
      const types = (Array.isArray(t) ? t : [t]).filter((x) => x !== 'null');
      return { field: base || '(body)', message: `must be ${article(types.join(' or '))}` };
    }
    case 'enum': {
      // A property's null ("not set", see json-schema.ts nullable) is in the compiled enum but is not
      // one of the values the declaration lists: the message names the declared ones only.
      const allowed = ((params.allowedValues as unknown[]) ?? []).filter((v) => v !== null);
      return { field: base, message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
    }
    case 'format':
      return { field: base, message: `must be a valid ${String(params.format)}` };
    default:
      return { field: base || '(body)', message: e.message ?? `fails ${e.keyword}` };
  }
}

/** `/limits/0/resourceId` → `limits[0].resourceId` */
function pathOf(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out;
}

function join(base: string, name: string): string {
  return base === '' ? name : `${base}.${name}`;
}

function article(type: string): string {
  if (type === 'integer' || type === 'array' || type === 'object') return `an ${type}`;
  return `a ${type}`;
}
