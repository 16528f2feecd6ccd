/**
 * In-process exclusion per resource for link changes: a link change reads the links it changes,
 * calls the endpoint, then writes; two at once on one singular relation would both read the old
 * link and leave two. Locks are taken in id order, so that two changes over the same pair never wait
 * for each other. (Processes sharing a database are not excluded by this; see docs/controller.md.)
 */
export class ResourceLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async with<T>(ids: readonly string[], fn: () => Promise<T>): Promise<T> {
    const releases: Array<() => void> = [];
    for (const id of [...new Set(ids)].sort()) releases.push(await this.acquire(id));
    try {
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async acquire(id: string): Promise<() => void> {
    const previous = this.tails.get(id) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.tails.set(id, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(id) === tail) this.tails.delete(id);
    };
  }
}
