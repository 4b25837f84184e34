// A `ws` client on the Todo app's /ws that keeps every change message it receives, so tests can
// wait for the next one (bounded) and check what arrived in order.
import WebSocket from "ws";

/** Todo is the API's JSON shape of a todo. */
export interface TodoJson {
  id: number;
  title: string;
  done: boolean;
  order: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** ChangeJson is a message on /ws. */
export type ChangeJson = { type: "upsert"; todo: TodoJson } | { type: "delete"; id: number } | { type: "clear"; ids: number[] };

/** TodoFeed is a connected client and its received changes. */
export class TodoFeed {
  readonly ws: WebSocket;
  readonly received: ChangeJson[] = [];
  #read = 0;
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data, isBinary) => {
      if (isBinary) throw new Error("the todo feed sent a binary message");
      this.received.push(JSON.parse(String(data)) as ChangeJson);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    ws.on("close", () => {
      this.#closed = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** connect opens ws://host/ws (base is the app's http URL) and resolves once it is open. */
  static connect(base: string, timeoutMs = 5000): Promise<TodoFeed> {
    const url = new URL("/ws", base);
    url.protocol = "ws:";
    const ws = new WebSocket(url);
    const feed = new TodoFeed(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no WebSocket open on ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once("open", () => {
        clearTimeout(timer);
        resolve(feed);
      });
      ws.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** next returns the next unread message, waiting up to `timeoutMs` for it. */
  async next(timeoutMs = 5000, label = "a change message"): Promise<ChangeJson> {
    const deadline = Date.now() + timeoutMs;
    while (this.#read >= this.received.length) {
      if (this.#closed) throw new Error(`the feed closed while waiting for ${label}; got ${JSON.stringify(this.received)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received[this.#read++];
  }

  /** take reads the next `n` messages. */
  async take(n: number, timeoutMs = 5000): Promise<ChangeJson[]> {
    const out: ChangeJson[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(timeoutMs, `message ${i + 1} of ${n}`));
    return out;
  }

  /** unread is how many received messages have not been taken. */
  get unread(): number {
    return this.received.length - this.#read;
  }

  /** close closes the socket and waits (bounded) for it to end. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once("close", () => resolve()));
    this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    await closed;
    clearTimeout(timer);
  }
}
