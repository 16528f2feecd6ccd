/**
 * @apskit/client: a synchronous answer from asynchronous provisioning. A typed client of the APSKit
 * controller (submits with request ids, `waitFor` their tasks), and the same polling loop for any
 * API shaped like it (`pollUntil`).
 */
export { ApsClient, createClient, ResourceClient } from './client';
export type { ClientOptions, CreateOptions, LinkOptions, SubmitOptions, TaskProgress, WaitForOptions } from './client';
export type { Completed, Operation, OperationKind } from './operation';
export type { InstanceInfo, Upgrade } from './instance';
export { Query } from './query';
export type { SubscribeInput, SubscriptionEntry } from './subscriptions';
export type { ApsQueryFields, PathValue, QueryPath, QueryValueOf, SortKey, SubQuery, TextPath } from './query';
export { pollUntil, retrying } from './poll';
export type { PollContext, PollResult, PollUntilOptions, Progress, RetryNotice, WaitOptions } from './poll';
export type { Schedule } from './timing';
export { DEFAULT_SCHEDULE } from './timing';
export {
  ApsClientError,
  ClientError,
  ConnectionError,
  OperationFailedError,
  OperationTimeoutError,
  TypeMismatchError,
  type ErrorBody,
} from './errors';
export { isTransientError, isTransientStatus } from './transient';
export { REQUEST_ID_HEADER, TASK_ID_HEADER } from './http';
export type { HttpAnswer, HttpMethod, HttpOptions, HttpRequest } from './http';
export type {
  ApsMeta,
  CollectionLink,
  CreateInput,
  DataKeys,
  InstanceOf,
  IsObject,
  LinkedType,
  LinkEntry,
  MethodKeys,
  RelationKeys,
  RelationLink,
  Resource,
  ResourceRef,
  ResourceStatus,
  SingularLink,
  Task,
  TaskStatus,
  UpdateInput,
  Wire,
  WireObject,
} from './types';
