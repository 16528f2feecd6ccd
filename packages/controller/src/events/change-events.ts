/**
 * What the controller tells watchers (the event stream, the console, tests) as this process changes
 * things: `task` with the task's JSON whenever a task is created or changes, `resource` with a
 * resource's id whenever it changes or goes, and `removed` with its id once it is gone (so that what
 * hangs on a resource can go with it without reading the store on every change). Nothing is built
 * for an event nobody listens to.
 */
import type { EventEmitter } from 'node:events';
import type { TaskRecord } from '@apskit/store';
import { taskJson } from '../wire/task-json';

export class ChangeEvents {
  constructor(private readonly emitter: EventEmitter) {}

  task(task: TaskRecord): void {
    if (this.emitter.listenerCount('task') > 0) this.emitter.emit('task', taskJson(task));
  }

  resource(id: string): void {
    if (this.emitter.listenerCount('resource') > 0) this.emitter.emit('resource', id);
  }

  /** A resource is gone (its `resource` event is emitted too). */
  removed(id: string): void {
    this.resource(id);
    if (this.emitter.listenerCount('removed') > 0) this.emitter.emit('removed', id);
  }
}
