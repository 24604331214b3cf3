interface Waiter<T> {
  predicate: (items: readonly T[]) => boolean;
  resolve: (items: T[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Live listeners and `waitFor` promises over a growing list of items: every check runs when an
 * item arrives (event-driven, no polling), and each waiter has its own deadline.
 */
export class ItemWaiters<T> {
  private readonly listeners = new Set<(item: T) => void>();
  private readonly waiters = new Set<Waiter<T>>();

  constructor(private readonly items: () => readonly T[]) {}

  /** Calls `listener` for every item published from now on; returns the unsubscribe function. */
  subscribe(listener: (item: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with a copy of the items once `predicate` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (items: readonly T[]) => boolean, timeoutMs: number): Promise<T[]> {
    if (predicate(this.items())) return Promise.resolve(this.items().slice());
    return new Promise<T[]>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`waitFor timed out after ${timeoutMs} ms: ${this.items().length} item(s) arrived and the condition still does not hold`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Tells listeners about a new item (already in the list) and settles the waiters it satisfies. */
  publish(item: T): void {
    for (const listener of this.listeners) listener(item);
    const items = this.items();
    for (const waiter of this.waiters) {
      if (!waiter.predicate(items)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(items.slice());
    }
  }

  /** Rejects every pending waiter with `reason` and drops the listeners. */
  close(reason: string): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${reason} while waiting: ${this.items().length} item(s) had arrived`));
    }
    this.waiters.clear();
    this.listeners.clear();
  }
}
