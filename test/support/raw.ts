// A raw TCP (or unix socket) HTTP client for black-box tests: it writes exact
// bytes and records every byte the server sends back, and whether it closed.
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { parseResponses, type ParsedResponse } from "./http-response.js";

/** Target names where to connect: a TCP port on 127.0.0.1, or host/port, or a unix path. */
export type Target = number | { port: number; host?: string } | { path: string };

/** RawClient is one connection that records the server's bytes. */
export class RawClient {
  readonly socket: net.Socket;
  /** ended is true once the server sent FIN or the socket closed or failed. */
  ended = false;
  /** closed is true once the socket is fully closed. */
  closed = false;
  error: Error | undefined;
  #chunks: Buffer[] = [];
  #cache: Buffer | undefined;
  #waiters = new Set<() => void>();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#cache = undefined;
      this.#notify();
    });
    socket.on("end", () => {
      this.ended = true;
      this.#notify();
    });
    socket.on("error", (err) => {
      this.error = err;
      this.ended = true;
      this.#notify();
    });
    socket.on("close", () => {
      this.ended = true;
      this.closed = true;
      this.#notify();
    });
  }

  /** connect opens a connection to `target`. */
  static connect(target: Target): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const options: net.NetConnectOpts =
        typeof target === "number"
          ? { port: target, host: "127.0.0.1" }
          : "path" in target
            ? { path: target.path }
            : { port: target.port, host: target.host ?? "127.0.0.1" };
      const socket = net.connect(options);
      socket.setNoDelay(true);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawClient(socket));
      });
    });
  }

  /** data is every byte received so far. */
  get data(): Buffer {
    this.#cache ??= Buffer.concat(this.#chunks);
    return this.#cache;
  }

  /** text is the received bytes as latin1, one char per byte. */
  get text(): string {
    return this.data.toString("latin1");
  }

  /** write sends bytes; a string is sent as latin1 so "\x00".."\xff" are single bytes. */
  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data, () => resolve());
    });
  }

  /** writeSlowly sends `data` in pieces of `size` bytes, `delayMs` apart. */
  async writeSlowly(data: string | Uint8Array, size = 1, delayMs = 1): Promise<void> {
    const buf = typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data);
    for (let i = 0; i < buf.length && !this.ended; i += size) {
      await this.write(buf.subarray(i, i + size));
      if (delayMs > 0) await sleep(delayMs);
    }
  }

  /** until resolves true once `predicate` holds, or false after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs = 3000): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve(predicate());
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** waitForClose resolves true when the server ends the connection within `timeoutMs`. */
  waitForClose(timeoutMs = 3000): Promise<boolean> {
    return this.until(() => this.ended, timeoutMs);
  }

  /** responses parses everything received; `methods` names each final response's request method. */
  responses(methods?: string[]): ParsedResponse[] {
    return parseResponses(this.data, { methods, eof: this.ended }).responses;
  }

  /** finalResponses is responses() without interim 1xx messages. */
  finalResponses(methods?: string[]): ParsedResponse[] {
    return this.responses(methods).filter((r) => !r.interim);
  }

  /** waitForResponses waits for `count` final responses, failing with the bytes seen so far. */
  async waitForResponses(count: number, options: { methods?: string[]; timeoutMs?: number } = {}): Promise<ParsedResponse[]> {
    const ok = await this.until(() => this.finalResponses(options.methods).length >= count, options.timeoutMs ?? 3000);
    if (!ok) {
      throw new Error(`expected ${count} response(s), got ${this.finalResponses(options.methods).length}; ended=${this.ended}; bytes=${JSON.stringify(this.text.slice(0, 600))}`);
    }
    return this.finalResponses(options.methods);
  }

  /** stayedOpen waits `ms` and tells whether the server kept the connection open. */
  async stayedOpen(ms = 150): Promise<boolean> {
    return !(await this.waitForClose(ms));
  }

  destroy(): void {
    this.socket.destroy();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

export interface ExchangeResult {
  responses: ParsedResponse[];
  /** closed says whether the server ended the connection. */
  closed: boolean;
  text: string;
  data: Buffer;
}

export interface ExchangeOptions {
  /** responses: wait for this many final responses, then `settleMs` more; default: wait for the close. */
  responses?: number;
  settleMs?: number;
  timeoutMs?: number;
  methods?: string[];
  /** fragment sends one byte per write instead of one write. */
  fragment?: boolean;
}

/** exchange connects, sends `data` and collects the answer; see ExchangeOptions. */
export async function exchange(target: Target, data: string | Uint8Array, options: ExchangeOptions = {}): Promise<ExchangeResult> {
  const client = await RawClient.connect(target);
  try {
    if (options.fragment) await client.writeSlowly(data, 1, 0);
    else await client.write(data);
    const timeoutMs = options.timeoutMs ?? 3000;
    if (options.responses === undefined) {
      await client.waitForClose(timeoutMs);
    } else {
      const count = options.responses;
      await client.until(() => client.ended || client.finalResponses(options.methods).length >= count, timeoutMs);
      await client.waitForClose(options.settleMs ?? 100);
    }
    return { responses: client.finalResponses(options.methods), closed: client.ended, text: client.text, data: client.data };
  } finally {
    client.destroy();
  }
}

/** describeBytes renders bytes for assertion messages. */
export function describeBytes(text: string, max = 400): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}...` : text);
}
