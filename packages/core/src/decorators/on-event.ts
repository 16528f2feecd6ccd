/**
 * `@OnEvent`: a resource of this type subscribes to an event when it is created, and the decorated
 * operation handles its notifications. APS has no schema field for subscriptions: the PHP runtime
 * subscribes in `provision()` (`$apsc->subscribe($this, new EventSubscription(...))`), and so the
 * controller creates a declared subscription with its subscriber
 * (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-subscriptions/). The schema shows
 * the handler operation as it shows any other operation, and nothing more.
 */
import type { EventType } from '../events/events';
import type { Class } from '../metadata/records';
import { getMetadataStorage } from '../metadata/storage';
import type { TypeThunk } from './options';

export interface OnEventOptions {
  /**
   * Where the events come from: every resource of an APS type, as a thunk to its class
   * (`() => Mailbox`, resolved when the model is built) or its type ID (`'http://…/mailbox/1.0'`).
   */
  readonly source: TypeThunk | string;
  /** For `linked`/`unlinked`: only links made (or removed) through this relation of the source. */
  readonly relation?: string;
}

/**
 * Subscribes every resource of this type to `event` (one of `Events`, or a specialized event type
 * URI) of `options.source`: the decorated method must be an `@Operation` (POST) taking one body
 * parameter, the `Notification`. Checked when the model is built.
 */
export function OnEvent(event: EventType | (string & {}), options: OnEventOptions): MethodDecorator {
  return (target, key) => {
    const isStatic = typeof target === 'function';
    const cls = (isStatic ? target : target.constructor) as Class;
    if (typeof key !== 'string') {
      getMetadataStorage().addMistake({
        target: cls,
        message: `@OnEvent belongs on a method with a string name, not ${String(key)}`,
      });
      return;
    }
    getMetadataStorage().addEventHandler({ target: cls, method: key, isStatic, event, options });
  };
}
