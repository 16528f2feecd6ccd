/**
 * `apskit_webhook_orphans_total{source, outcome}`: provisionings the marketplace gave up on, by what
 * became of them (`compensated`: unprovisioned; `raised`: left to an operator, as a failed orphan
 * task). Registered in the controller's own metrics registry, so it is scraped at its `/metrics` with
 * the task metrics; one counter per registry, shared by every intake (`source`) of the controller.
 * Written as a plain metric object, the shape the registry reads, so that this package needs no
 * metrics library of its own. It counts since the process started, as Prometheus counters do; the
 * orphan tasks themselves stay in the task list.
 */
import type { Controller } from '@apskit/controller';

export type OrphanOutcome = 'compensated' | 'raised';

type Registry = Controller['metrics']['registry'];
type RegisteredMetric = Parameters<Registry['registerMetric']>[0];

export const ORPHANS_METRIC = 'apskit_webhook_orphans_total';

export class OrphanCounter {
  private readonly counts = new Map<string, { source: string; outcome: OrphanOutcome; value: number }>();

  /** The registry's counter, made and registered on first use. */
  static of(registry: Registry): OrphanCounter {
    const existing = registry.getSingleMetric(ORPHANS_METRIC) as unknown as { counter?: OrphanCounter } | undefined;
    if (existing?.counter) return existing.counter;
    const counter = new OrphanCounter();
    const help = 'Provisionings the marketplace gave up on (every result refused, no newer attempt), by outcome';
    const metric = {
      name: ORPHANS_METRIC,
      help,
      type: 'counter',
      aggregator: 'sum',
      counter,
      get: async () => ({
        name: ORPHANS_METRIC,
        help,
        type: 'counter',
        aggregator: 'sum',
        values: [...counter.counts.values()].map((c) => ({
          labels: { source: c.source, outcome: c.outcome },
          value: c.value,
        })),
      }),
      reset: () => counter.counts.clear(),
    };
    registry.registerMetric(metric as unknown as RegisteredMetric);
    return counter;
  }

  inc(source: string, outcome: OrphanOutcome): void {
    const key = `${source}\n${outcome}`;
    const entry = this.counts.get(key) ?? { source, outcome, value: 0 };
    entry.value += 1;
    this.counts.set(key, entry);
  }

  value(source: string, outcome: OrphanOutcome): number {
    return this.counts.get(`${source}\n${outcome}`)?.value ?? 0;
  }
}
