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
        ...structureParam(p),
      })),
    })),
  };
}

/**
 * The instance builder and class rules of a parameter whose type is a structure, or an array (of
 * arrays…) of one: those apply to each structure item, and an issue is named by its index.
 */
function structureParam(p: ParamModel): Pick<CompiledParam, 'hydrate' | 'classRules'> {
  if (!p.structure) return {};
  const hydrate = compileHydrator(p.structure.target, p.structure.properties);
  const classRules = compileClassRules(p.structure.target, p.structure.properties);
  let depth = 0;
  for (let items = p.type === 'array' ? p.items : undefined; items; items = items.items) {
    depth++;
    if (items.type !== 'array') break;
  }
  if (depth === 0) return { hydrate, classRules };
  const mapItems = (v: unknown, level: number): unknown =>
    Array.isArray(v)
      ? v.map((x) => (x !== null && typeof x === 'object' ? (level === 1 ? hydrate(x) : mapItems(x, level - 1)) : x))
      : v;
  const itemIssues = (rules: ClassRulesValidator, v: unknown, level: number, base: string): ValidationIssue[] =>
    Array.isArray(v)
      ? v.flatMap((x, i) => {
          const at = `${base}[${i}]`;
          if (x === null || typeof x !== 'object') return [];
          if (level > 1) return itemIssues(rules, x, level - 1, at);
          return rules(x).map((issue) => ({
            field: issue.field.startsWith('[') ? `${at}${issue.field}` : `${at}.${issue.field}`,
            message: issue.message,
          }));
        })
      : [];
  return {
    hydrate: (v) => mapItems(v, depth) as object,
    classRules: classRules ? (v) => itemIssues(classRules, v, depth, '') : undefined,
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

/**
 * For a request the schema already refused: its issues, and those of the class rules on fields the
 * schema did not name, so that one answer lists every offending field. A rule written for a value
 * of the declared type may throw on another; the schema's issues are then the answer.
 */
export function withClassRules(
  issues: readonly ValidationIssue[],
  rules: ClassRulesValidator | undefined,
  build: () => object,
): ValidationIssue[] {
  if (!rules) return [...issues];
  try {
    const named = new Set(issues.map((i) => i.field));
    return [...issues, ...rules(build()).filter((i) => !named.has(i.field))];
  } catch {
    return [...issues];
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
