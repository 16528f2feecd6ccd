/**
 * The controller's metrics, in the Prometheus text format (prom-client, one registry per controller
 * so that several controllers in one process, as in tests, keep their own counts).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ACTIVE_TASK_STATUSES } from '@apskit/core';
import type { Store } from '@apskit/store';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'status'>;
  readonly taskOutcomes: Counter<'operation' | 'outcome'>;
  readonly lateness: Histogram;

  /** `store`: where the queue depth is counted, when scraped. */
  constructor(store: Pick<Store, 'countTasks'>) {
    this.httpRequests = new Counter({
      name: 'apskit_http_requests_total',
      help: 'Requests the controller answered, by method and status code',
      labelNames: ['method', 'status'],
      registers: [this.registry],
    });
    this.taskOutcomes = new Counter({
      name: 'apskit_task_outcomes_total',
      help: 'Task steps recorded: rescheduled (202), succeeded, failed, canceled, rerun',
      labelNames: ['operation', 'outcome'],
      registers: [this.registry],
    });
    this.lateness = new Histogram({
      name: 'apskit_task_lateness_seconds',
      help: 'How long after its scheduled time a task was taken up',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60],
      registers: [this.registry],
    });
    new Gauge({
      name: 'apskit_tasks',
      help: 'Tasks not yet ended, by status: the queue depth',
      labelNames: ['status'],
      registers: [this.registry],
      // Read from the store when scraped, so the figure is the store's, whichever process wrote it.
      async collect() {
        for (const status of ACTIVE_TASK_STATUSES) this.set({ status }, await store.countTasks({ status }));
      },
    });
  }

  /** The text of a scrape: this controller's metrics, then the process's. */
  async text(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processRegistry().metrics()}`;
  }
}

let processMetrics: Registry | undefined;

/**
 * The process's own metrics (memory, CPU, event loop), collected once per process: they watch the
 * process, not a controller, and collecting them starts an event-loop monitor that should not be
 * started again for every controller a process makes.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: 'apskit_' });
  }
  return processMetrics;
}
