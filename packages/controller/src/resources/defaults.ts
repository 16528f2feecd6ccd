/**
 * Declared defaults, applied on create. An APS type gives a property (or a field of a structure) a
 * `default` (docs.cloudblue.com/cbc/sdk/21.0/api/types/type-definition/properties, the attributes
 * table); the APS controller stores that value when a new resource leaves the property out, and the
 * endpoint's provisioning request carries it. This controller does the same, before it validates the
 * body, so that a required property with a default may be left out as on the platform.
 *
 * What counts as left out: the key is absent. An explicit `null` is a value the caller chose (JSON
 * Schema's `default` never replaces a given value), so it is kept and validated like any other.
 * Structures are filled where the body has them (an object under a structure-typed property, each
 * object item of an array of structures, inline object properties), at any depth; a structure the
 * body leaves out is not made up to hold its fields' defaults, unless the property itself declares
 * a default object, which is then filled in turn.
 */
import type { ApsTypeModel, PropertyModel } from '@apskit/core';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The fields of the structure (or inline object) behind a property, if it has any. */
function fieldsOf(property: PropertyModel): readonly PropertyModel[] | undefined {
  if (property.structure) return property.structure.properties;
  if (property.inline && property.inline.length > 0) return property.inline;
  return undefined;
}

/** A copy of `value` with the defaults of `fields` filled in; the input is never changed. */
function fill(fields: readonly PropertyModel[], value: JsonObject): JsonObject {
  let out: JsonObject | undefined;
  const set = (key: string, v: unknown): void => {
    out ??= { ...value };
    out[key] = v;
  };
  for (const field of fields) {
    if (!Object.prototype.hasOwnProperty.call(value, field.name)) {
      if (field.schema.default === undefined) continue;
      // The model is frozen, and each resource gets a value of its own: a copy of the default.
      set(field.name, fillValue(field, structuredClone(field.schema.default)));
      continue;
    }
    const current = value[field.name];
    const filled = fillValue(field, current);
    if (filled !== current) set(field.name, filled);
  }
  return out ?? value;
}

/** A property's value with the defaults of its structure's fields filled in (itself when there are none to fill). */
function fillValue(property: PropertyModel, value: unknown): unknown {
  const fields = fieldsOf(property);
  if (!fields) return value;
  if (isObject(value)) return fill(fields, value);
  if (Array.isArray(value) && property.schema.type === 'array') {
    let changed = false;
    const items = value.map((item) => {
      if (!isObject(item)) return item;
      const filled = fill(fields, item);
      changed ||= filled !== item;
      return filled;
    });
    return changed ? items : value;
  }
  return value;
}

/**
 * The body of a new resource of `type` with every declared default the body leaves out filled in,
 * its `aps` block and relation values as they were. A new object when anything was filled; the body
 * itself otherwise (it is never changed).
 */
export function withDefaults(type: ApsTypeModel, body: JsonObject): JsonObject {
  return fill(type.properties, body);
}
