/**
 * The wire vocabulary of APS and of APSKit's controller API: header names, resource and task
 * statuses, request phases, lifecycle operations, the task JSON and the APS error body. Every
 * package imports these from `@apskit/core`; no other module spells them.
 */
export { ApsHeader, ApsHeaderKey, APS_PROTOCOL_VERSION, REQUEST_ID_PATTERN, type ApsHeaderName } from './headers';
export {
  ResourceStatus,
  RESOURCE_STATUSES,
  TaskStatus,
  TASK_STATUSES,
  ENDED_TASK_STATUSES,
  ACTIVE_TASK_STATUSES,
  TaskEventKind,
  TASK_EVENT_KINDS,
  RequestPhase,
  REQUEST_PHASES,
  LifecycleOperation,
  LIFECYCLE_OPERATIONS,
  isLifecycleOperation,
} from './statuses';
export type { TaskJson, TaskHistoryEntryJson } from './task-json';
export type { ApsErrorBody } from '../errors/aps-error';
