// ConnectionRegistry: every open connection of a server, one shared timer that sweeps their
// timeouts, and the bookkeeping a graceful stop needs.

/** Tracked is what the registry needs of a connection. */
export interface Tracked {
  readonly idle: boolean;
  sweep(now: number): void;
  shutdown(): void;
  destroy(): void;
}

/** ConnectionRegistry holds connections and sweeps them every `interval` ms while any are open. */
export class ConnectionRegistry<T extends Tracked> {
  readonly #open = new Set<T>();
  readonly #interval: number;
  #timer: NodeJS.Timeout | null = null;
  #emptyWaiters: (() => void)[] = [];

  constructor(interval: number) {
    this.#interval = interval;
  }

  get size(): number {
    return this.#open.size;
  }

  /** connections iterates the open connections. */
  connections(): IterableIterator<T> {
    return this.#open.values();
  }

  add(conn: T): void {
    this.#open.add(conn);
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.#sweep(), this.#interval);
      this.#timer.unref();
    }
  }

  delete(conn: T): void {
    this.#open.delete(conn);
    if (this.#open.size > 0) return;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const waiters = this.#emptyWaiters;
    this.#emptyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** shutdownAll closes idle connections now and the others after their current response. */
  shutdownAll(): void {
    for (const conn of this.#open) conn.shutdown();
  }

  destroyAll(): void {
    for (const conn of this.#open) conn.destroy();
  }

  /** empty resolves once no connection is open. */
  empty(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#emptyWaiters.push(resolve));
  }

  #sweep(): void {
    const now = Date.now();
    for (const conn of this.#open) conn.sweep(now);
  }
}

/** sweepInterval picks a sweep period fine enough for the shortest timeout: a quarter of it, 10 ms to 1 s. */
export function sweepInterval(shortestTimeout: number): number {
  return Math.max(10, Math.min(1000, Math.floor(shortestTimeout / 4)));
}
