// OutageLog: a broker outage is logged once per interval, not once per message or retry, and
// the recovery once; `backoff` spaces the reconnect attempts.

/** backoff is the delay before reconnect attempt `n` (0-based): doubling from 100 ms to `maxMs`. */
export function backoff(n: number, maxMs: number): number {
  return Math.min(100 * 2 ** Math.min(n, 16), maxMs);
}

/** OutageLog reports a broker going down and coming back, at most once per `intervalMs` while down. */
export class OutageLog {
  #log: (line: string) => void;
  #name: string;
  #intervalMs: number;
  #downSince = 0;
  #lastLogged = 0;
  #dropped = 0;

  constructor(name: string, log: (line: string) => void, intervalMs: number) {
    this.#name = name;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /** down notes a failure; the first one, and then one per interval, is logged. */
  down(reason: unknown): void {
    const now = Date.now();
    if (this.#downSince === 0) this.#downSince = now;
    if (now - this.#lastLogged < this.#intervalMs) return;
    this.#lastLogged = now;
    const message = reason instanceof Error ? reason.message || reason.name : String(reason);
    this.#log(`pubsub: ${this.#name} unreachable (${message}); local delivery goes on, reconnecting with backoff`);
  }

  /** dropped counts a message published while down (lost: at-most-once). */
  dropped(): void {
    this.#dropped++;
  }

  /** up notes the link is back, logging the outage's length once. */
  up(): void {
    if (this.#downSince === 0) return;
    const seconds = ((Date.now() - this.#downSince) / 1000).toFixed(1);
    this.#log(`pubsub: ${this.#name} reconnected after ${seconds} s; ${this.#dropped} message(s) published meanwhile were not relayed`);
    this.#downSince = 0;
    this.#lastLogged = 0;
    this.#dropped = 0;
  }
}
