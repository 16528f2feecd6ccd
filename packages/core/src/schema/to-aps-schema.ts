/**
 * The APS type schema emitter. It copies the model into the published layout: the keys of
 * ./model/schema-order.ts, only what the declaration says, members inherited through `implements`
 * left out.
 */
import { buildTypeModel } from '../model/build-model';
import type { ApsTypeModel, OperationModel, ParamModel } from '../model/model';
import { inKeyOrder, OPERATION_KEYS, ordered, PARAMETER_KEYS, TYPE_KEYS } from '../model/schema-order';
import type { Class } from '../metadata/records';
import type { ApsSchema } from './aps-schema';

/**
 * The APS type schema of a type, as APS publishes it. Give a type from a model, or the class itself
 * (a model of that one type is then built, and declaration mistakes are thrown).
 *
 * `JSON.stringify(toApsSchema(PASubscription), null, 2)` is the published schema, byte for byte.
 */
export function toApsSchema(type: ApsTypeModel | Class): ApsSchema {
  const model = typeof type === 'function' ? buildTypeModel([type]).get(type) : type;
  const own = <T extends { inheritedFrom?: string }>(list: readonly T[]): T[] => list.filter((m) => !m.inheritedFrom);

  const relations = entries(own(model.relations), (r) => ({ ...r.schema }));
  const properties = entries(own(model.properties), (p) => ({ ...p.schema }));
  const operations = entries(own(model.operations), operationSchema);
  const structures = entries(model.structures, (s) =>
    inKeyOrder(
      {
        type: 'object',
        properties: Object.fromEntries(s.properties.map((p) => [p.name, { ...p.schema }])),
        ...s.extraAttributes,
      },
      s.keyOrder,
    ),
  );

  return inKeyOrder(
    {
      ...ordered(TYPE_KEYS, {
        name: model.name,
        id: model.id,
        apsVersion: model.apsVersion,
        implements: model.implements.length > 0 ? [...model.implements] : undefined,
        access: model.access,
        relations,
        properties,
        operations,
        structures,
      }),
      ...model.extraAttributes,
    },
    model.keyOrder,
  ) as unknown as ApsSchema;
}

/** `static` and a parameter's `required` as written (`false` too), else only when true. */
function operationSchema(op: OperationModel): Record<string, unknown> {
  return inKeyOrder(
    {
      ...ordered(OPERATION_KEYS, {
        name: op.publishName ? op.name : undefined,
        path: op.path,
        verb: op.verb,
        static: op.writtenStatic ?? (op.static || undefined),
        parameters: entries(op.parameters, parameterSchema),
        response: op.response,
        errorResponse: op.errorResponse,
        access: op.access,
      }),
      ...op.extraAttributes,
    },
    op.keyOrder,
  );
}

function parameterSchema(p: ParamModel): Record<string, unknown> {
  return inKeyOrder(
    {
      ...ordered(PARAMETER_KEYS, {
        name: p.publishName ? p.name : undefined,
        type: p.untyped ? undefined : p.type,
        items: p.items,
        kind: p.publishedKind ?? p.kind,
        required: p.writtenRequired ?? (p.required || undefined),
      }),
      ...p.extraAttributes,
    },
    p.keyOrder,
  );
}

/** `{name: schema}` for a list of named members, or undefined when there are none (APS omits them). */
function entries<T extends { name: string }>(
  list: readonly T[],
  map: (item: T) => Record<string, unknown>,
): Record<string, Record<string, unknown>> | undefined {
  if (list.length === 0) return undefined;
  return Object.fromEntries(list.map((item) => [item.name, map(item)]));
}
