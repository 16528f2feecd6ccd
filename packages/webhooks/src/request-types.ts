/**
 * How a request type maps onto the APS lifecycle of the declared type. The defaults follow what the
 * types mean: a new subscription or trial is provisioned, a change of any kind is a configure, a
 * deprovision unprovisions. An app overrides any of them, or sends one to a custom operation.
 */
import type { ProvisionNotification, RequestType } from './notification';

/**
 * The resource's properties (without `aps`) for a notification. Business validation belongs here or
 * in the type's lifecycle methods: throw an ApsError (`UnprocessableEntityError`, say) and its message
 * becomes the result's `errorMessage`.
 */
export type ResourceMapper = (notification: ProvisionNotification) => Record<string, unknown>;

export type RequestHandling =
  /** Create the resource (`provision()` / `provisionAsync()`). */
  | { readonly operation: 'provision'; readonly resource?: ResourceMapper }
  /** Change the subscription's resource (`configure()` / `configureAsync()`). */
  | { readonly operation: 'configure'; readonly resource?: ResourceMapper }
  /** Remove the subscription's resource (`unprovision()` / `unprovisionAsync()`). */
  | { readonly operation: 'unprovision' }
  /**
   * Call a custom operation (an `@Operation` method, by its name) on the subscription's resource,
   * with `body(notification)` as its body. Unlike the lifecycle calls it is not a task: after a crash
   * in the middle of it, it is called again, so it should be idempotent.
   */
  | {
      readonly operation: 'custom';
      readonly name: string;
      readonly body?: (notification: ProvisionNotification) => unknown;
    };

export const DEFAULT_REQUEST_HANDLING: Readonly<Record<RequestType, RequestHandling>> = {
  NetNew: { operation: 'provision' },
  TrialCreate: { operation: 'provision' },
  Update: { operation: 'configure' },
  TrialConvert: { operation: 'configure' },
  ChangeProduct: { operation: 'configure' },
  Renewal: { operation: 'configure' },
  Deprovision: { operation: 'unprovision' },
};
