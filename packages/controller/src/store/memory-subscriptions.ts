/**
 * The memory store's event subscriptions, indexed the way the SQL stores index theirs: by
 * subscriber, by (event, source id) and by (event, source type), so that matching the subscriptions
 * of a change (done on every change) reads only the ones that match.
 */
import type { SubscriptionRecord } from '@apskit/store';

interface Entry {
  readonly record: SubscriptionRecord;
  /** Creation order (what the SQL stores' seq column is). */
  readonly seq: number;
}

/** Adds `entry` to the set under `key`, making the set if it is the first. */
function put(index: Map<string, Map<string, Entry>>, key: string, entry: Entry): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Map()));
  set.set(entry.record.id, entry);
}

function drop(index: Map<string, Map<string, Entry>>, key: string, id: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) index.delete(key);
}

const byOrder = (a: Entry, b: Entry): number => a.seq - b.seq;

export class MemorySubscriptions {
  private readonly byId = new Map<string, Entry>();
  private readonly bySubscriber = new Map<string, Map<string, Entry>>();
  /** Those with a source id, by event and source id. */
  private readonly bySource = new Map<string, Map<string, Entry>>();
  /** Those with a source type and no source id, by event and source type. */
  private readonly bySourceType = new Map<string, Map<string, Entry>>();
  /** Subscriptions that name a resource as their source, by that resource: a delete finds them at once. */
  private readonly bySourceId = new Map<string, Map<string, Entry>>();
  private seq = 0;

  /** See Store.addSubscription. Synchronous: the count and the write are one step. */
  add(s: SubscriptionRecord, maxPerSubscriber: number): boolean {
    if (this.byId.has(s.id)) return true;
    if ((this.bySubscriber.get(s.subscriberId)?.size ?? 0) >= maxPerSubscriber) return false;
    const entry: Entry = { record: { ...s }, seq: ++this.seq };
    this.byId.set(s.id, entry);
    put(this.bySubscriber, s.subscriberId, entry);
    if (s.sourceId !== null) {
      put(this.bySource, sourceKey(s.event, s.sourceId), entry);
      put(this.bySourceId, s.sourceId, entry);
    } else if (s.sourceType !== null) put(this.bySourceType, sourceKey(s.event, s.sourceType), entry);
    return true;
  }

  remove(subscriberId: string, id: string): boolean {
    const entry = this.byId.get(id);
    if (!entry || entry.record.subscriberId !== subscriberId) return false;
    const s = entry.record;
    this.byId.delete(id);
    drop(this.bySubscriber, s.subscriberId, id);
    if (s.sourceId !== null) {
      drop(this.bySource, sourceKey(s.event, s.sourceId), id);
      drop(this.bySourceId, s.sourceId, id);
    } else if (s.sourceType !== null) drop(this.bySourceType, sourceKey(s.event, s.sourceType), id);
    return true;
  }

  list(subscriberId: string): SubscriptionRecord[] {
    return [...(this.bySubscriber.get(subscriberId)?.values() ?? [])].sort(byOrder).map((e) => e.record);
  }

  /**
   * One with a source id matches a change of that resource (and, if it also names a type, only when
   * the resource is of it); one with a type alone matches a change of any resource of the type.
   */
  matching(event: string, sourceId: string, sourceTypes: readonly string[]): SubscriptionRecord[] {
    const found: Entry[] = [];
    for (const e of this.bySource.get(sourceKey(event, sourceId))?.values() ?? [])
      if (e.record.sourceType === null || sourceTypes.includes(e.record.sourceType)) found.push(e);
    for (const type of new Set(sourceTypes))
      found.push(...(this.bySourceType.get(sourceKey(event, type))?.values() ?? []));
    return found.sort(byOrder).map((e) => e.record);
  }

  /** A resource gone: the subscriptions it held, and those naming it as their source. */
  forget(resourceId: string): void {
    const held = [...(this.bySubscriber.get(resourceId)?.values() ?? [])];
    const naming = [...(this.bySourceId.get(resourceId)?.values() ?? [])];
    for (const e of [...held, ...naming]) this.remove(e.record.subscriberId, e.record.id);
  }
}

/** NUL cannot occur in an event URI, so the key is unambiguous. */
const sourceKey = (event: string, source: string): string => `${event}\u0000${source}`;
