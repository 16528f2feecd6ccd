/**
 * A custom operation as OpenAPI describes it: its parameters by kind (path and query parameters,
 * one body), and its answer: the declared response with 200, or 204 when the method returns nothing.
 */
import type { OperationModel, ParamModel } from '../model/model';
import type { JsonSchema } from '../validation/json-schema';
import { answerHeaders, errorResponses } from './aps-protocol';
import type { SchemaComponents } from './components';
import type {
  OperationObject,
  ParameterObject,
  Reference,
  RequestBodyObject,
  ResponseObject,
} from './openapi-document';
import { templateParameters } from './paths';

export interface CustomOperationContext {
  readonly operationId: string;
  readonly tag: string;
  /** The full path of the route; its `{parameters}` other than the operation's are given here. */
  readonly path: string;
  readonly pathParameters: readonly ParameterObject[];
  /** Parameters every operation of this API takes (the APS request headers). */
  readonly common: readonly Reference[];
}

export function customOperation(
  op: OperationModel,
  components: SchemaComponents,
  context: CustomOperationContext,
): OperationObject {
  const parameters: Array<ParameterObject | Reference> = [...context.pathParameters];
  const given = new Set(context.pathParameters.map((p) => p.name));
  // Every `{name}` of the operation's path is a path parameter, declared with @Param or not: a route
  // matches any text there, and OpenAPI wants each one named.
  for (const name of templateParameters(context.path)) {
    if (given.has(name)) continue;
    given.add(name);
    const declared = op.parameters.find((p) => p.kind === 'path' && p.name === name);
    parameters.push({
      name,
      in: 'path',
      required: true,
      description: declared?.doc,
      schema: declared ? paramSchema(declared, components) : { type: 'string' },
    });
  }
  for (const p of op.parameters.filter((x) => x.kind === 'query')) {
    parameters.push({
      name: p.name,
      in: 'query',
      required: p.required,
      description: p.doc,
      schema: paramSchema(p, components),
    });
  }
  parameters.push(...context.common);

  const operation: OperationObject = {
    operationId: context.operationId,
    summary: `${op.name}${op.static ? ' (static)' : ''}`,
    description: op.doc,
    tags: [context.tag],
    parameters: parameters.map(withoutUndefined),
    responses: { ...successResponses(op, components), ...errorResponses() },
  };
  const body = op.parameters.find((p) => p.kind === 'body');
  if (body) operation.requestBody = requestBody(body, components);
  return withoutUndefined(operation);
}

function paramSchema(p: ParamModel, components: SchemaComponents): JsonSchema {
  return components.value(p.type, p.items, p.structure);
}

function requestBody(p: ParamModel, components: SchemaComponents): RequestBodyObject {
  return withoutUndefined({
    description: p.doc ?? `The \`${p.name}\` parameter.`,
    required: p.required,
    content: { 'application/json': { schema: paramSchema(p, components) } },
  });
}

function successResponses(op: OperationModel, components: SchemaComponents): Record<string, ResponseObject> {
  if (!op.response) {
    return {
      '200': {
        description: 'What the method returned, when it returned something.',
        headers: answerHeaders(),
        content: { 'application/json': { schema: {} } },
      },
      '204': { description: 'The method returned nothing.', headers: answerHeaders() },
    };
  }
  const r = op.response;
  const schema = components.value(r.type, r.items ?? undefined, op.responseStructure);
  return {
    '200': {
      description: op.returns ?? 'The operation’s answer.',
      headers: answerHeaders(),
      content: { [r.contentType ?? 'application/json']: { schema } },
    },
  };
}

/** OpenAPI objects without the optional fields left undefined, so the JSON has no `null`s to trip on. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `{id}` and the like: a required string path parameter. */
export function pathParameter(name: string, description: string): ParameterObject {
  return { name, in: 'path', required: true, description, schema: { type: 'string' } };
}
