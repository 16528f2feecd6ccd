/**
 * A part of an endpoint's OpenAPI document that another package describes: an API served beside the
 * endpoint, such as the embedded controller's (`controllerOpenApi` of @apskit/controller). Core knows
 * nothing of such APIs; it lends a part what describing them in the same document takes (the
 * endpoint's services, the schemas of their resources, a custom operation described as the endpoint
 * describes it) and merges the components the part returns into the document's.
 */
import type { ApsTypeModel, OperationModel } from '../model/model';
import type { HttpVerb } from '../decorators/options';
import type { JsonSchema } from '../validation/json-schema';
import { ERROR_SCHEMA, ref } from './aps-protocol';
import type { SchemaComponents } from './components';
import { customOperation, pathParameter, type CustomOperationContext } from './custom-operation';
import { verb } from './endpoint-paths';
import type {
  HeaderObject,
  HttpMethod,
  OperationObject,
  ParameterObject,
  Reference,
  ResponseObject,
} from './openapi-document';
import type { Paths } from './paths';

/** Components a part adds to the document; each name must not be one core uses (core's are `aps.*`). */
export interface OpenApiComponents {
  readonly schemas?: Readonly<Record<string, JsonSchema>>;
  readonly parameters?: Readonly<Record<string, ParameterObject>>;
  readonly headers?: Readonly<Record<string, HeaderObject>>;
  readonly responses?: Readonly<Record<string, ResponseObject>>;
}

/** What a part describes its routes with; everything it adds lands in the one document. */
export interface OpenApiPartBuilder {
  /** The document's services: name → the type it serves, in the order given. */
  readonly services: ReadonlyArray<readonly [string, ApsTypeModel]>;
  /**
   * Adds an operation after the endpoint's routes; false when a route added before already answers
   * this method and path (the first added is the one documented, as a router matches).
   */
  addPath(path: string, method: HttpMethod, operation: OperationObject): boolean;
  /** A reference to the schema of a type's resource, as provision sends it and answers carry it. */
  resourceSchema(type: ApsTypeModel): JsonSchema;
  /** A reference to the schema of what configure sends for a type: its properties, none required. */
  updateSchema(type: ApsTypeModel): JsonSchema;
  /** A custom operation described as the endpoint describes it (parameters, body, answers), at `context.path`. */
  customOperation(operation: OperationModel, context: CustomOperationContext): OperationObject;
}

export interface OpenApiPart {
  /** The tags of the part's operations, listed after the services'. */
  readonly tags: ReadonlyArray<{ readonly name: string; readonly description?: string }>;
  /** Adds the part's paths through the builder; returns the components they reference. */
  describe(builder: OpenApiPartBuilder): OpenApiComponents;
}

export function partBuilder(
  paths: Paths,
  components: SchemaComponents,
  services: ReadonlyArray<readonly [string, ApsTypeModel]>,
): OpenApiPartBuilder {
  return {
    services,
    addPath: (path, method, operation) => paths.add(path, method, operation),
    resourceSchema: (type) => components.resource(type),
    updateSchema: (type) => components.update(type),
    customOperation: (operation, context) => customOperation(operation, components, context),
  };
}

/** `#/components/<kind>/<name>`: how a part refers to a component, its own or core's. */
export function openApiRef(kind: 'schemas' | 'parameters' | 'headers' | 'responses', name: string): Reference {
  return ref(kind, name);
}

/** The name of the APS error body's schema (`{code, error, message, details}`) among the components. */
export const APS_ERROR_SCHEMA = ERROR_SCHEMA;

/** `{id}` and the like: a required string path parameter. */
export function openApiPathParameter(name: string, description: string): ParameterObject {
  return pathParameter(name, description);
}

/** The OpenAPI method of an operation's verb (`GET` → `get`). */
export function openApiMethod(httpVerb: HttpVerb): HttpMethod {
  return verb(httpVerb);
}
