/**
 * How app code changes its own resource (issue 22, F9): `saveResource(this)` from a custom operation
 * (or any method) writes the resource's properties through the controller as the application, and
 * `configureResource(this, changes)` asks the controller for a configure of it. Both call the
 * controller of the current request with the app's identity (its instance certificate over mutual
 * TLS, or the embedded controller's in-process secret), as controllerClient() does: on the APS
 * platform an app changes its resources through the controller's REST API, never by answering a
 * request that was not about them (docs.cloudblue.com/cbc/sdk/21.0/api/rest/protocol/session).
 */
import { ApsError, apsContext, type ApsRequestContext } from '@apskit/core';
import { controllerClient, type ControllerClientOptions } from './controller-client';

/** A resource as app code holds it: `this` in a method, with the `aps` block the runtime gave it. */
export type OwnResource = object & { aps?: { id?: string } };

export interface ResourceWriteOptions extends ControllerClientOptions {
  /** Default: the current request's context (apsContext()). */
  context?: ApsRequestContext;
}

/** The resource's id: its `aps.id`, else the id of the resource the current request is about. */
function idOf(resource: OwnResource, context: ApsRequestContext): string {
  const id = resource.aps?.id ?? context.resourceId;
  if (typeof id !== 'string' || id === '')
    throw new ApsError(
      500,
      'Exception',
      'This resource has no aps.id and the request is about no resource: give the resource its aps.id',
    );
  return id;
}

/** The properties to write: the resource's own JSON without its `aps` block (the controller's). */
function propertiesOf(resource: OwnResource): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(resource)) as Record<string, unknown>;
  delete json.aps;
  return json;
}

/**
 * Writes `resource`'s properties (read-only ones included: the app is who sets them) through the
 * controller, as the application: validated and stored at once, a `changed` event raised; the
 * endpoint is not called back and no task is made. Answers the resource as the controller now has
 * it. A final property that differs, or an invalid value, is the controller's 400.
 */
export async function saveResource<T extends OwnResource>(resource: T, options: ResourceWriteOptions = {}): Promise<T> {
  const context = options.context ?? apsContext();
  return controllerClient(context, options).updateResource<T>(idOf(resource, context), propertiesOf(resource));
}

/** What a configure the app asked for started. */
export interface StartedConfigure<T> {
  /** The resource as the configure's first attempt left it (`aps.status` `aps:configuring` while it runs). */
  readonly resource: T;
  /** The configure's task (`GET /apskit/tasks/{taskId}`). */
  readonly taskId: string | undefined;
  /** True when configure() answered at once; false when it answered 202 and configureAsync() follows. */
  readonly done: boolean;
}

/**
 * Asks the controller for a configure of the resource with `changes`, as a client's PUT does: a task
 * calls the endpoint's configure() (the resource's current state as `this`, the new one as its
 * argument), and configureAsync() after a 202, on the controller's schedule. Read-only and final
 * properties may not change this way (write them with saveResource). Call it from a custom operation
 * that starts something long (a resize); the operation answers at once.
 */
export async function configureResource<T extends OwnResource>(
  resource: OwnResource,
  changes: Partial<T> | Record<string, unknown>,
  options: ResourceWriteOptions = {},
): Promise<StartedConfigure<T>> {
  const context = options.context ?? apsContext();
  const answer = await controllerClient(context, options).configureResource<T>(idOf(resource, context), changes);
  return { resource: answer.resource, taskId: answer.taskId, done: answer.status === 200 };
}
