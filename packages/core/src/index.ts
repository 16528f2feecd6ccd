/**
 * @apskit/core: what app code imports. Decorators to declare APS types, the errors to throw, and the
 * model and schema functions that the runtime, the CLI and the docs build on.
 */
import 'reflect-metadata';

export { ApsType, Structure } from './decorators/aps-type';
export { Property, Relation, Operation, Param } from './decorators/members';
export { OnEvent, type OnEventOptions } from './decorators/on-event';
export type {
  AccessOptions,
  ApsPrimitive,
  ApsTypeOptions,
  ExtraAttributes,
  HttpVerb,
  ItemsOptions,
  ItemsRef,
  JsonPrimitive,
  JsonValue,
  KeyOrder,
  OperationOptions,
  ParamKind,
  ParamOptions,
  PropertyOptions,
  RelationOptions,
  ResponseOptions,
  StructureOptions,
  TypeRef,
  TypeThunk,
} from './decorators/options';
export { CoreTypes, type CoreTypeId } from './core-types';

// Resource usage (the core Counter, Limit, Usage structures) and the vocabulary of APS events.
export { Counter, Limit, Usage, CoreStructures } from './usage/counters';
export {
  Events,
  EventTypeIds,
  Notification,
  isEventType,
  type EventNotification,
  type EventSource,
  type EventSubscription,
  type EventType,
} from './events/events';

export { Accepted, isAccepted } from './errors/accepted';
export {
  ApsError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InternalError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnprocessableEntityError,
  isApsError,
  type ApsErrorBody,
} from './errors/aps-error';
export { DeclarationError, type DeclarationProblem } from './errors/declaration-error';

export { buildTypeModel, matchesApsType } from './model/build-model';
export { unresolvedType, type UnresolvedType } from './model/unresolved-type';
export { LIFECYCLE_METHODS } from './model/model';
export type {
  ApsTypeModel,
  DeclaredSubscription,
  ItemsSchema,
  LifecycleMethod,
  OperationModel,
  ParamModel,
  PropertyModel,
  PropertySchema,
  RelationModel,
  RelationSchema,
  ResponseSchema,
  StructureModel,
  TypeModel,
  ValidatorRule,
} from './model/model';
export { toApsSchema } from './schema/to-aps-schema';
export type { ApsSchema, ApsOperationSchema } from './schema/aps-schema';
export { isApsTypeClass } from './metadata/queries';
export type { Class } from './metadata/records';

export {
  apsContext,
  tryApsContext,
  runWithApsContext,
  type ApsLogger,
  type ApsRequestContext,
} from './context/request-context';
export {
  compileJsonSchema,
  compileResourceValidators,
  compileValueValidator,
  type ResourceValidators,
  type Validate,
  type ValidationIssue,
} from './validation/compile';
export {
  resourceJsonSchema,
  valueJsonSchema,
  StructureRefs,
  type JsonSchema,
  type ResourceSchemaMode,
  type StructureRefsOptions,
} from './validation/json-schema';
export { compileClassRules, isCoveredBySchema, type ClassRulesValidator } from './validation/class-rules';
export { compileImmutableChecks, type ImmutableChecks } from './validation/immutables';
export { invalidError } from './validation/invalid';
export {
  compileLinearPattern,
  linearRegExp,
  LinearRegExp,
  patternProblem,
  UnsupportedPatternError,
  type LinearPattern,
} from './validation/linear-pattern';
export { compileHydrator, stripUnsafe, UNSAFE_KEYS, type Hydrate } from './runtime/hydrate';

export {
  toReferenceMarkdown,
  propertyAttributes,
  operationHttpRequest,
  type ReferenceMarkdownOptions,
} from './docs/to-reference-markdown';
export { typeDisplayName, typeIdDisplayName, type KnownTypeNames } from './docs/display-names';
export { toOpenApi, type OpenApiOptions } from './openapi/to-openapi';
export {
  APS_ERROR_SCHEMA,
  openApiMethod,
  openApiPathParameter,
  openApiRef,
  type OpenApiComponents,
  type OpenApiPart,
  type OpenApiPartBuilder,
} from './openapi/openapi-part';
export type { CustomOperationContext } from './openapi/custom-operation';
export type {
  HeaderObject,
  HttpMethod,
  MediaTypeObject,
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  PathItem,
  Reference,
  RequestBodyObject,
  ResponseObject,
} from './openapi/openapi-document';

export { defineApp, isApsApp, AppDefinitionError } from './app/define-app';
export { isServiceName } from './model/names';
export type {
  AppChangelogEntry,
  AppUpgrade,
  AppDefinition,
  AppFiles,
  AppLicense,
  AppPackager,
  AppServices,
  AppVendor,
  ApsApp,
  ServicePresentation,
  TypeMigration,
} from './app/app';

// RQL, APS's resource query language: the parser, the parsed form and the writer.
export * from './rql';

// The wire vocabulary (header names, statuses, phases, operations, task JSON): see protocol/index.ts.
export * from './protocol';
