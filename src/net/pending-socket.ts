// PendingSocket: an accepted socket on which no request can have arrived yet (a TLS handshake in
// progress, or a plain connection whose first bytes do not yet tell h2c from HTTP/1.1), as the
// connection registry sees it: the shared sweep timer enforces its deadline and a stop cuts it.
import type { Duplex } from "node:stream";
import type { Tracked } from "./connection-registry.js";

/** PendingSocket is one such socket; it is always idle, so a stopping server waits for none of them. */
export class PendingSocket implements Tracked {
  readonly idle = true;
  readonly pendingRequests = 0;
  readonly #socket: Duplex;
  readonly #deadline: number;

  constructor(socket: Duplex, deadline: number) {
    this.#socket = socket;
    this.#deadline = deadline;
  }

  sweep(now: number): void {
    if (now >= this.#deadline) this.#socket.destroy();
  }

  /** shutdown cuts it: no request has arrived on it. */
  shutdown(): void {
    this.#socket.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
