/**
 * Everything a service needs per request, compiled once when the endpoint is created: validators,
 * the instance builder, and each custom operation's parameter readers.
 */
import {
  compileClassRules,
  compileHydrator,
  compileImmutableChecks,
  compileResourceValidators,
  compileValueValidator,
  type ApsTypeModel,
  type ClassRulesValidator,
  type Hydrate,
  type ImmutableChecks,
  type OperationModel,
  type ParamModel,
  type ResourceValidators,
  type Validate,
  type ValidationIssue,
} from '@apskit/core';

export interface CompiledParam {
  readonly model: ParamModel;
  readonly validate: Validate;
  readonly hydrate?: Hydrate;
  readonly classRules?: ClassRulesValidator;
}

export interface CompiledOperation {
  readonly model: OperationModel;
  readonly params: readonly CompiledParam[];
}

export interface CompiledService {
  readonly service: string;
  readonly type: ApsTypeModel;
  readonly validators: ResourceValidators;
  readonly immutables: ImmutableChecks;
  readonly classRules?: ClassRulesValidator;
  readonly hydrate: Hydrate;
  readonly operations: readonly CompiledOperation[];
}

export function compileService(service: string, type: ApsTypeModel): CompiledService {
  return {
    service,
    type,
    validators: compileResourceValidators(type),
    immutables: compileImmutableChecks(type),
    classRules: compileClassRules(type.target, type.properties),
    hydrate: compileHydrator(type.target, type.properties),
    operations: type.operations.map((op) => ({
      model: op,
      params: op.parameters.map((p) => ({
        model: p,
        validate: compileValueValidator(p.type, p.items, p.structure),
        hydrate: p.structure ? compileHydrator(p.structure.target, p.structure.properties) : undefined,
        classRules: p.structure ? compileClassRules(p.structure.target, p.structure.properties) : undefined,
      })),
    })),
  };
}

/**
 * A query or path parameter arrives as text; APS declares its type. Text that is not of the type is
 * left as it is, so that validation names it.
 */
export function coerceText(value: unknown, type: string): unknown {
  if (Array.isArray(value)) return type === 'array' ? value : coerceText(value[value.length - 1], type);
  if (typeof value !== 'string') return value;
  switch (type) {
    case 'integer':
    case 'number': {
      const n = value.trim() === '' ? NaN : Number(value);
      return Number.isNaN(n) ? value : n;
    }
    case 'boolean':
      return value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
    case 'array':
      return value.split(',');
    default:
      return value;
  }
}

/** Prefixes the issues of one parameter with its name. */
export function paramIssues(name: string, issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.map((i) => ({
    field:
      i.field === '' || i.field === '(body)'
        ? name
        : i.field.startsWith('[')
          ? `${name}${i.field}`
          : `${name}.${i.field}`,
    message: i.message,
  }));
}
