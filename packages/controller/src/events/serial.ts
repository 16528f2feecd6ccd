/**
 * The `serial` of event notifications and the creation times of their delivery tasks.
 *
 * The spec says only that the serial "increments with each event"
 * (docs.cloudblue.com/cbc/sdk/8.2/concepts/events/aps-event/event-processing). Ours increases strictly
 * with each event this process raises, and is seeded from the clock (microseconds since the epoch),
 * so that it keeps growing across restarts without anything stored: a restarted process starts past
 * every serial the previous one gave (unless that one raised more than a million events a second).
 * Processes sharing one database each count on their own: serials of different processes may
 * interleave, which is why ordering rests on the tasks, not on serials.
 */
export class EventSerial {
  private lastSerial = 0;
  private lastCreatedAt = 0;

  constructor(private readonly clock: () => number) {}

  /** The next serial: past the previous one, and at least the clock in microseconds. */
  next(): number {
    this.lastSerial = Math.max(this.lastSerial + 1, Math.floor(this.clock() * 1000));
    return this.lastSerial;
  }

  /**
   * A creation time for a delivery task, strictly past the previous one: the oldest active delivery
   * of a (subscriber, source) pair is the one to run next, so two raised in the same millisecond
   * must not tie.
   */
  createdAt(): number {
    this.lastCreatedAt = Math.max(this.lastCreatedAt + 1, this.clock());
    return this.lastCreatedAt;
  }
}
