// TlsHandshake: an accepted socket whose TLS handshake is not finished, as the connection
// registry sees it, so the shared sweep timer enforces the handshake timeout and stop() reaches it.
import type { Socket } from "node:net";
import type { Tracked } from "./connection-registry.js";

/** TlsHandshake is one handshake in progress; no request can have arrived on it, so it is always idle. */
export class TlsHandshake implements Tracked {
  readonly idle = true;
  readonly pendingRequests = 0;
  readonly #socket: Socket;
  readonly #deadline: number;

  constructor(socket: Socket, deadline: number) {
    this.#socket = socket;
    this.#deadline = deadline;
  }

  sweep(now: number): void {
    if (now >= this.#deadline) this.#socket.destroy();
  }

  /** shutdown cuts it: a stopping server waits for no handshake. */
  shutdown(): void {
    this.#socket.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
