/**
 * @apskit/store: the contract between the embedded controller and a store. The Store interface and
 * its records, the table layout and row mapping the SQL stores share (SQLite in @apskit/controller,
 * PostgreSQL in @apskit/store-postgres), and, in `@apskit/store/testing`, the contract tests any
 * store runs. A store depends on this package only, never on the controller.
 */
export {
  isLifecycle,
  type LifecycleOperation,
  type LinkRecord,
  type NewTask,
  type ResourceRecord,
  type SubscriptionRecord,
  type ResourceStatus,
  type TaskEvent,
  type TaskEventKind,
  type TaskOperation,
  type TaskRecord,
  type TaskRequest,
  type TaskStatus,
} from './records';
export {
  DEFAULT_MAX_TASK_EVENTS,
  maxEventsPerTaskOf,
  NOT_COUNTED,
  RECOVERED_MESSAGE,
  type AttemptOutcome,
  type CompletedAndClaimed,
  type CreateResult,
  type ResourceQuery,
  type Store,
  type TaskQuery,
} from './store';
export type { ComparisonOperator, FieldPath, QueryValue, ResourceCondition, SortKey } from './query';
export { compareLinks, compareText } from './query/compare-text';
export {
  compareForSort,
  likeRegExp,
  likeTokens,
  type LikeToken,
  linkLookupOf,
  matchesCondition,
  MISSING,
  sortedForQuery,
  valueAt,
  type LinkLookup,
} from './query/evaluate';
export {
  eventValues,
  EVENT_COLUMNS,
  POSTGRES_DIALECT,
  RESOURCE_COLUMN_NAMES,
  RESOURCE_COLUMNS,
  resourceRow,
  resourceValues,
  rowReader,
  SQLITE_DIALECT,
  SUBSCRIPTION_COLUMN_NAMES,
  SUBSCRIPTION_COLUMNS,
  subscriptionOf,
  subscriptionRow,
  subscriptionValues,
  TASK_COLUMN_NAMES,
  TASK_COLUMNS,
  TASK_UPDATE_COLUMN_NAMES,
  taskFilter,
  taskRow,
  taskUpdateValues,
  taskValues,
  type ResourceRow,
  type RowReader,
  type SqlDialect,
  type SqlValue,
  type SubscriptionRow,
  type TaskColumn,
  type TaskRow,
} from './sql/rows';
export {
  compileResourceQuery,
  postgresValueExpressions,
  propertyIndexName,
  sqliteValueExpression,
  sqliteJsonPath,
  typesOnlyFilter,
  type CompiledResourceQuery,
  type QueryDialectName,
} from './sql/resource-query';
export {
  SQL_ACTIVE_TASK_STATUSES,
  SQL_TASK_STATUS_CHECK,
  SqlResourceStatus,
  SqlTaskEventKind,
  SqlTaskStatus,
  sqlList,
  sqlText,
} from './sql/vocabulary';
