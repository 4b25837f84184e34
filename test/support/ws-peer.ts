// A `ws` client wrapped for tests: it queues what arrives (messages, pings, pongs), remembers the
// 101 response and the close, and waits for each with a time limit.
import WebSocket, { type ClientOptions } from "ws";
import type { IncomingMessage } from "node:http";

/** Received is one message from the server. */
export interface Received {
  binary: boolean;
  data: Buffer;
  /** text is the data as UTF-8. */
  text: string;
}

/** WsPeer is one connected `ws` client. */
export class WsPeer {
  readonly ws: WebSocket;
  readonly messages: Received[] = [];
  readonly pings: Buffer[] = [];
  readonly pongs: Buffer[] = [];
  /** upgrade is the server's 101 response. */
  upgrade: IncomingMessage | null = null;
  /** closed is set once the connection is closed: the server's code and reason (1006 when cut). */
  closed: { code: number; reason: string; at: number } | null = null;
  errors: Error[] = [];
  #waiters = new Set<() => void>();
  #taken = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("upgrade", (res) => (this.upgrade = res));
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      this.messages.push({ binary: isBinary, data, text: data.toString("utf8") });
      this.#notify();
    });
    ws.on("ping", (data: Buffer) => (this.pings.push(data), this.#notify()));
    ws.on("pong", (data: Buffer) => (this.pongs.push(data), this.#notify()));
    ws.on("close", (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString("utf8"), at: Date.now() };
      this.#notify();
    });
    ws.on("error", (err: Error) => (this.errors.push(err), this.#notify()));
  }

  /** connect opens a client and waits for it to be open (or rejects with the handshake error). */
  static connect(url: string, options: ClientOptions & { protocols?: string[]; servername?: string } = {}, timeoutMs = 5000): Promise<WsPeer> {
    const { protocols, ...rest } = options;
    const ws = protocols === undefined ? new WebSocket(url, rest) : new WebSocket(url, protocols, rest);
    const peer = new WsPeer(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no open within ${timeoutMs} ms: ${url}`));
      }, timeoutMs);
      ws.once("open", () => {
        clearTimeout(timer);
        resolve(peer);
      });
      ws.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** until resolves once `predicate` holds, and fails with `label` after `timeoutMs`. */
  until(predicate: () => boolean, label: string, timeoutMs = 5000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}; got ${this.messages.length} message(s), closed=${JSON.stringify(this.closed)}`));
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** next returns the next message not yet taken. */
  async next(timeoutMs = 5000): Promise<Received> {
    await this.until(() => this.messages.length > this.#taken, "the next message", timeoutMs);
    return this.messages[this.#taken++];
  }

  /** untaken counts messages that arrived but were not taken with next(). */
  get untaken(): number {
    return this.messages.length - this.#taken;
  }

  /** waitClosed waits for the close and returns its code and reason. */
  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string; at: number }> {
    await this.until(() => this.closed !== null, "the close", timeoutMs);
    return this.closed!;
  }

  /** bytesRead is how many bytes the client's TCP socket has read. */
  get bytesRead(): number {
    return (this.ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
  }

  /** socket is the client's TCP socket (to pause reading). */
  get socket(): import("node:net").Socket {
    return (this.ws as unknown as { _socket: import("node:net").Socket })._socket;
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** waitUntil polls `predicate` every 5 ms and fails with `label` after `timeoutMs`; it never outlives that. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
