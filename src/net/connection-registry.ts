// ConnectionRegistry: every open connection of a server, which object owns each socket now,
// one shared timer that sweeps their timeouts, and the bookkeeping a graceful stop needs.
import type { Duplex } from "node:stream";

/** Tracked is what the registry needs of a connection. */
export interface Tracked {
  readonly idle: boolean;
  /** pendingRequests counts requests in progress on it (an HTTP/1.1 connection has at most one). */
  readonly pendingRequests: number;
  sweep(now: number): void;
  shutdown(): void;
  destroy(): void;
}

/** ConnectionRegistry holds connections and sweeps them every `interval` ms while any are open. */
export class ConnectionRegistry<T extends Tracked> {
  readonly #open = new Set<T>();
  /** #owners maps each socket to the object that owns it now: its connection, or what it was upgraded to. */
  readonly #owners = new WeakMap<Duplex, T>();
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

  /** track registers `conn` as the owner of `socket`, and forgets it when the socket closes. */
  track(socket: Duplex, conn: T): void {
    this.#owners.set(socket, conn);
    this.add(conn);
    socket.on("close", () => {
      const owner = this.#owners.get(socket);
      if (owner !== undefined) this.delete(owner);
    });
  }

  /** adopt hands a tracked socket to a new owner (an HTTP connection upgraded to a WebSocket). */
  adopt(socket: Duplex, next: T): void {
    const previous = this.#owners.get(socket);
    if (previous === undefined) return;
    this.#owners.set(socket, next);
    this.#open.delete(previous);
    this.add(next);
  }

  /** pendingRequests counts requests in progress on every open connection. */
  pendingRequests(): number {
    let n = 0;
    for (const conn of this.#open) n += conn.pendingRequests;
    return n;
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
