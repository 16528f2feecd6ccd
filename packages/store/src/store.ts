/**
 * The store interface. Every method is one atomic step: a store that writes through a transaction
 * (SQLite, PostgreSQL) makes the step durable before its promise resolves, which is what lets the
 * controller acknowledge a request only after its effect is safe, and resume after a crash.
 */
import type { ResourceCondition, SortKey } from './query';
import type {
  LinkRecord,
  NewTask,
  ResourceRecord,
  SubscriptionRecord,
  TaskEvent,
  TaskRecord,
  TaskStatus,
} from './records';

export interface ResourceQuery {
  /** The type ID. */
  type?: string;
  /** Only resources that meet it (see ./query). */
  where?: ResourceCondition;
  /** In this order; ties (and no sort) in creation order, newest first when the last key descends. */
  sort?: readonly SortKey[];
  offset?: number;
  limit?: number;
  /**
   * `false`: the matches are not counted, and the answer's `total` is NOT_COUNTED. A caller that
   * walks the resources page by page (the usage sync's keyset paging) needs no total, and counting
   * a million matches at every page would cost more than the page.
   */
  total?: false;
}

/** The `total` of a page asked for with `total: false`. */
export const NOT_COUNTED = -1;

export interface TaskQuery {
  resourceId?: string;
  status?: TaskStatus;
  /** Tasks to skip, in creation order (the order `listTasks` answers in). */
  offset?: number;
  limit?: number;
}

/**
 * How many events a store keeps per task unless told otherwise (each store's `maxEventsPerTask`):
 * the newest ones. A task that answers 202 for a day would otherwise add an event per poll, and its
 * history would grow without bound.
 */
export const DEFAULT_MAX_TASK_EVENTS = 100;

/** Checks a store's `maxEventsPerTask` option, saying what is wrong with a bad one. */
export function maxEventsPerTaskOf(value: number | undefined): number {
  const n = value ?? DEFAULT_MAX_TASK_EVENTS;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`maxEventsPerTask must be a whole number of at least 1, not ${String(value)}`);
  return n;
}

/**
 * The message of the `recovered` event a claim writes when it takes over a task whose runner's
 * lease ran out: every store says it in the same words.
 */
export const RECOVERED_MESSAGE =
  'The runner of the previous attempt stopped before recording its outcome; trying again';

/** What the end of an attempt changes, applied at once, and only if the runner still holds the lease. */
export interface AttemptOutcome {
  readonly task: TaskRecord;
  readonly event: TaskEvent;
  /** The resource as it is after the attempt, or `delete` to remove it (unprovisioned, or a failed create). */
  readonly resource?: ResourceRecord | { readonly delete: string };
  /** Tasks the outcome raises (event deliveries), created in the same step if it is applied. */
  readonly followUps?: readonly NewTask[];
}

/** Whether a task was created, and if not, the task that stood in the way. */
export type CreateResult =
  | { readonly created: true }
  | { readonly created: false; readonly reason: 'busy' | 'duplicate'; readonly existing: TaskRecord };

/** What completeAttemptsAndClaim answers. */
export interface CompletedAndClaimed {
  /** For each outcome, whether it was applied (its task was still the owner's). */
  readonly applied: boolean[];
  readonly claimed: TaskRecord[];
  /**
   * Optional: the claimed tasks' resources by id, read in the claim's own transaction (a store that
   * reads them cheaply there: SQLite's writer thread, PostgreSQL's claim statement). A claimed task
   * whose resource is not in it has none. The scheduler then starts each attempt on its resource as
   * claimed, instead of reading it again (see TaskRunner.run).
   */
  readonly resources?: ReadonlyMap<string, ResourceRecord>;
}

export interface Store {
  /** Creates tables (or whatever the store needs); safe to call on an existing store. */
  init(): Promise<void>;
  close(): Promise<void>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Writes `value` unless the key has one; resolves to the value stored (the first writer's). */
  setMetaIfAbsent(key: string, value: string): Promise<string>;

  getResource(id: string): Promise<ResourceRecord | undefined>;
  listResources(query: ResourceQuery): Promise<{ items: ResourceRecord[]; total: number }>;
  /**
   * Writes a resource; with `expectedRevision`, only if the stored one still has it (false if not).
   * `followUps` are created in the same step, and only if the resource is written.
   */
  putResource(resource: ResourceRecord, expectedRevision?: number, followUps?: readonly NewTask[]): Promise<boolean>;
  /**
   * Removes a resource, its links (both ways), and the event subscriptions it holds or that name it
   * as their source (`sourceId`), in one step; so does an attempt outcome's `delete`.
   */
  deleteResource(id: string): Promise<void>;

  /**
   * A new resource and the task that provisions it, together, with the task's first event; nothing
   * is written when a task already has the new task's request id.
   */
  createResourceWithTask(
    resource: ResourceRecord,
    task: TaskRecord,
    event: TaskEvent,
    links: LinkRecord[],
    /** The event subscriptions the new resource's type declares (`@OnEvent`), stored with it. */
    subscriptions?: readonly SubscriptionRecord[],
  ): Promise<CreateResult>;
  /**
   * A new task on an existing resource (written with it), unless one is still active on it or a task
   * already has the new task's request id: then nothing is written.
   */
  createTaskUnlessBusy(task: TaskRecord, event: TaskEvent, resource: ResourceRecord): Promise<CreateResult>;
  /** A new task on its own (a job), unless a task already has its request id. */
  createTask(task: TaskRecord, event: TaskEvent): Promise<CreateResult>;
  findTaskByRequestId(requestId: string): Promise<TaskRecord | undefined>;

  getTask(id: string): Promise<TaskRecord | undefined>;
  /** Tasks in creation order, filtered, from `offset`, at most `limit` of them. */
  listTasks(query: TaskQuery): Promise<TaskRecord[]>;
  /** How many tasks match the query's filters (its offset and limit aside): the total of a page. */
  countTasks(query: TaskQuery): Promise<number>;
  /**
   * A task's events, oldest first; with `limit`, only the newest `limit` of them. A store keeps the
   * newest `maxEventsPerTask` events of a task (an option of each store, default
   * DEFAULT_MAX_TASK_EVENTS) and drops older ones as new ones are written.
   */
  taskEvents(taskId: string, limit?: number): Promise<TaskEvent[]>;
  /** The scheduled or running task of a resource, if any. */
  activeTask(resourceId: string): Promise<TaskRecord | undefined>;

  /**
   * Takes up to `limit` tasks that are due (scheduled, `nextRunAt <= now`) or whose runner's lease ran
   * out, marks them running under `owner` until `leaseUntil`, and returns them.
   */
  claimDueTasks(now: number, limit: number, owner: string, leaseUntil: number): Promise<TaskRecord[]>;
  /**
   * Applies attempts' outcomes, all in one durable step (one commit for a batch: the scheduler's
   * group commit). Each is applied only if `owner` still holds its task; the answer says which were.
   */
  completeAttempts(owner: string, outcomes: readonly AttemptOutcome[]): Promise<boolean[]>;
  /**
   * Optional: whether completeAttemptsAndClaim runs off the event loop (SQLite's writer thread), read
   * at each batch. Then the scheduler pipelines: it runs attempts while a batch is being written.
   */
  readonly writesOffEventLoop?: boolean;
  /**
   * Optional: `completeAttempts`, then `claimDueTasks(claim.now, claim.limit, owner, claim.leaseUntil)`,
   * in one durable step, so that the scheduler's slots the outcomes free are filled by the same
   * commit (issue 23). A store without it is asked twice. With no outcomes, it is a claim. The claim
   * may read the store as it was before the outcomes (PostgreSQL's one statement): a task an outcome
   * makes due again, or a follow-up it creates, may be left to the next claim; it must never both
   * apply an outcome and take that outcome's task over.
   */
  completeAttemptsAndClaim?(
    owner: string,
    outcomes: readonly AttemptOutcome[],
    claim: { readonly now: number; readonly limit: number; readonly leaseUntil: number },
  ): Promise<CompletedAndClaimed>;
  /** Changes a task if its status is one of `from` (rerun, cancel); false if it is not. */
  transitionTask(task: TaskRecord, from: readonly TaskStatus[], event: TaskEvent): Promise<boolean>;
  /** The earliest `nextRunAt` of a scheduled task, or the earliest lease end of a running one. */
  nextWakeUp(): Promise<number | undefined>;

  /** Stores a link; one that is already stored is left as it is. */
  link(link: LinkRecord): Promise<void>;
  unlink(link: LinkRecord): Promise<void>;
  /** The links from a resource (through one relation, if given), by relation, then target id. */
  linksFrom(from: string, relation?: string): Promise<LinkRecord[]>;
  /**
   * The links from any of `ids`, in one query (a page of resources with their links), by source id,
   * then relation, then target id (ids compared as their UTF-8 bytes).
   */
  linksOfMany(ids: readonly string[]): Promise<LinkRecord[]>;
  /**
   * Removes `remove` and adds `add`, all at once (one transaction): a relink is never seen half
   * done. Adding a link that is stored, or removing one that is not, is no error; a link in both
   * lists is stored afterwards.
   */
  changeLinks(
    remove: readonly LinkRecord[],
    add: readonly LinkRecord[],
    /** Created in the same step (the deliveries of the linked/unlinked events the change raises). */
    followUps?: readonly NewTask[],
  ): Promise<void>;

  /**
   * Stores an event subscription unless its subscriber already holds `maxPerSubscriber` of them
   * (false then, and nothing is written): the count and the write are one step. One whose id is
   * stored already is left as it is (true): declared subscriptions are added again safely.
   */
  addSubscription(subscription: SubscriptionRecord, maxPerSubscriber: number): Promise<boolean>;
  /** Removes one; false when the subscriber has none with that id. */
  removeSubscription(subscriberId: string, id: string): Promise<boolean>;
  /** A subscriber's subscriptions, in creation order. */
  listSubscriptions(subscriberId: string): Promise<SubscriptionRecord[]>;
  /**
   * The subscriptions to `event` whose source is the resource `sourceId` or one of `sourceTypes`
   * (the source's type and the types it implements), through an index: it runs on every change.
   * In creation order.
   */
  matchingSubscriptions(event: string, sourceId: string, sourceTypes: readonly string[]): Promise<SubscriptionRecord[]>;

  /**
   * Optional: makes (once; later calls with the same paths are cheap) the indexes that let a query
   * on one type filter `eq(path, v)` and sort by `path` through an index instead of a scan. The
   * controller calls it at start with the property paths worth indexing (the top-level scalar
   * properties of the types it serves); a store that needs none (memory) leaves it out.
   */
  ensurePropertyIndexes?(paths: readonly (readonly string[])[]): Promise<void>;
}
