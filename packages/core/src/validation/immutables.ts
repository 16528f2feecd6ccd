/**
 * The rules JSON Schema cannot say because they compare two states: a final property never changes
 * after creation, and a read-only one is set by the application alone.
 */
import type { ApsTypeModel } from '../model/model';
import type { ValidationIssue } from './compile';

export interface ImmutableChecks {
  /** A resource to provision: a caller may not set read-only properties. */
  create(body: Record<string, unknown>): ValidationIssue[];
  /** A new state against the current one: final and read-only properties may not change. */
  update(body: Record<string, unknown>, current: object | undefined): ValidationIssue[];
}

export function compileImmutableChecks(type: ApsTypeModel): ImmutableChecks {
  const readonly = type.properties.filter((p) => p.schema.readonly).map((p) => p.name);
  const final = type.properties.filter((p) => p.schema.final && !p.schema.readonly).map((p) => p.name);
  // A read-only property's declared default is the type's, not the caller's: the controller fills
  // it in before the endpoint is called (as the platform does), so the endpoint sees it set.
  const defaults = new Map(
    type.properties
      .filter((p) => p.schema.readonly && p.schema.default !== undefined)
      .map((p) => [p.name, JSON.stringify(p.schema.default)]),
  );
  const none: ValidationIssue[] = [];
  return {
    create(body) {
      if (readonly.length === 0) return none;
      return readonly
        .filter((name) => body[name] !== undefined && body[name] !== null)
        .filter((name) => !defaults.has(name) || JSON.stringify(body[name]) !== defaults.get(name))
        .map((field) => ({ field, message: 'is read-only: only the application sets it' }));
    },
    update(body, current) {
      if (!current || (readonly.length === 0 && final.length === 0)) return none;
      const state = current as Record<string, unknown>;
      const changed = (name: string): boolean =>
        body[name] !== undefined && JSON.stringify(body[name]) !== JSON.stringify(state[name]);
      return [
        ...final
          .filter(changed)
          .map((field) => ({ field, message: 'is final: it cannot change once the resource exists' })),
        ...readonly.filter(changed).map((field) => ({ field, message: 'is read-only: only the application sets it' })),
      ];
    },
  };
}
