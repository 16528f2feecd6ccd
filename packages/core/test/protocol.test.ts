/**
 * The wire vocabulary is one list per kind: the lower-cased header keys are the header names
 * lower-cased, and every list (which a SQL CHECK or a query check accepts) holds exactly its object's
 * values, so that no name or status can be added to one and forgotten in the other.
 */
import {
  ACTIVE_TASK_STATUSES,
  ApsHeader,
  ApsHeaderKey,
  ENDED_TASK_STATUSES,
  isLifecycleOperation,
  LIFECYCLE_OPERATIONS,
  LifecycleOperation,
  REQUEST_ID_PATTERN,
  REQUEST_PHASES,
  RequestPhase,
  RESOURCE_STATUSES,
  ResourceStatus,
  TASK_EVENT_KINDS,
  TASK_STATUSES,
  TaskEventKind,
  TaskStatus,
} from '@apskit/core';

describe('the protocol vocabulary', () => {
  it('has each header key as its header name lower-cased, and no other key', () => {
    expect(Object.keys(ApsHeaderKey)).toEqual(Object.keys(ApsHeader));
    for (const [key, name] of Object.entries(ApsHeader)) {
      expect(ApsHeaderKey[key as keyof typeof ApsHeader]).toBe(name.toLowerCase());
    }
  });

  it('names every header once, in the APS or APSKit namespace', () => {
    const names = Object.values(ApsHeader);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^APS(Kit)?-[A-Za-z-]+$/);
  });

  it.each([
    ['resource statuses', RESOURCE_STATUSES, ResourceStatus],
    ['task statuses', TASK_STATUSES, TaskStatus],
    ['task event kinds', TASK_EVENT_KINDS, TaskEventKind],
    ['request phases', REQUEST_PHASES, RequestPhase],
    ['lifecycle operations', LIFECYCLE_OPERATIONS, LifecycleOperation],
  ] as Array<[string, readonly string[], Record<string, string>]>)('lists exactly the %s', (_what, list, values) => {
    expect(list).toEqual(Object.values(values));
    expect(new Set(list).size).toBe(list.length);
    expect(Object.isFrozen(list)).toBe(true);
  });

  it('splits the task statuses into ended and active, each once', () => {
    expect([...ACTIVE_TASK_STATUSES, ...ENDED_TASK_STATUSES].sort()).toEqual([...TASK_STATUSES].sort());
  });

  it('tells a lifecycle operation from any other', () => {
    for (const op of LIFECYCLE_OPERATIONS) expect(isLifecycleOperation(op)).toBe(true);
    expect(isLifecycleOperation('webhook.process')).toBe(false);
  });

  it('takes a request id of 1 to 200 visible ASCII characters', () => {
    expect(REQUEST_ID_PATTERN.test('order-42')).toBe(true);
    expect(REQUEST_ID_PATTERN.test('x'.repeat(200))).toBe(true);
    for (const bad of ['', 'x'.repeat(201), 'a b', 'é', 'a\tb']) expect(REQUEST_ID_PATTERN.test(bad)).toBe(false);
  });
});
