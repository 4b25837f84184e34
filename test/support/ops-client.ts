// Raw HTTP/1.1 clients for the operations tests, over plain TCP or TLS alike: OpsClient records
// every byte the server sends (like support/raw.ts, which is TCP-only), and runLoad drives a
// bounded keep-alive load and sorts each outcome into success, retry or failure.
import net from "node:net";
import tls from "node:tls";
import { parseResponses, type ParsedResponse } from "./http-response.js";

/** Endpoint is where to connect; with `tls` the connection is TLS, checked against `ca`. */
export interface Endpoint {
  port: number;
  host?: string;
  tls?: { ca: string | Buffer; servername?: string; ALPNProtocols?: string[] };
}

/** connectSocket opens a TCP or TLS connection and resolves once it is usable (TLS: handshake done). */
export function connectSocket(endpoint: Endpoint): Promise<net.Socket> {
  const host = endpoint.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const socket: net.Socket =
      endpoint.tls === undefined
        ? net.connect({ port: endpoint.port, host })
        : tls.connect({
            port: endpoint.port,
            host,
            ca: endpoint.tls.ca,
            servername: endpoint.tls.servername ?? "localhost",
            ...(endpoint.tls.ALPNProtocols ? { ALPNProtocols: endpoint.tls.ALPNProtocols } : {}),
          });
    socket.setNoDelay(true);
    socket.once("error", reject);
    socket.once(endpoint.tls === undefined ? "connect" : "secureConnect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

/** OpsClient is one connection (TCP or TLS) that records the server's bytes. */
export class OpsClient {
  readonly socket: net.Socket;
  ended = false;
  closed = false;
  error: Error | undefined;
  #chunks: Buffer[] = [];
  #cache: Buffer | undefined;
  #waiters = new Set<() => void>();

  constructor(socket: net.Socket) {
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
      this.ended = this.closed = true;
      this.#notify();
    });
  }

  static async connect(endpoint: Endpoint): Promise<OpsClient> {
    return new OpsClient(await connectSocket(endpoint));
  }

  get data(): Buffer {
    this.#cache ??= Buffer.concat(this.#chunks);
    return this.#cache;
  }

  get text(): string {
    return this.data.toString("latin1");
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data, () => resolve());
    });
  }

  until(predicate: () => boolean, timeoutMs = 5000): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
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

  waitForClose(timeoutMs = 5000): Promise<boolean> {
    return this.until(() => this.ended, timeoutMs);
  }

  responses(methods?: string[]): ParsedResponse[] {
    return parseResponses(this.data, { methods, eof: this.ended }).responses;
  }

  finalResponses(methods?: string[]): ParsedResponse[] {
    return this.responses(methods).filter((r) => !r.interim);
  }

  async waitForResponses(count: number, options: { methods?: string[]; timeoutMs?: number } = {}): Promise<ParsedResponse[]> {
    const ok = await this.until(() => this.finalResponses(options.methods).length >= count, options.timeoutMs ?? 5000);
    if (!ok) {
      throw new Error(`expected ${count} response(s), got ${this.finalResponses(options.methods).length}; ended=${this.ended}; bytes=${JSON.stringify(this.text.slice(0, 600))}`);
    }
    return this.finalResponses(options.methods);
  }

  destroy(): void {
    this.socket.destroy();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** LoadOptions configures runLoad. */
export interface LoadOptions {
  endpoint: Endpoint;
  /** path to GET, or a function of (client index, request number). */
  path: string | ((client: number, n: number) => string);
  /** method of each request: GET unless this says otherwise (a POST carries a small body). */
  method?(client: number, n: number): "GET" | "POST";
  clients: number;
  /** durationMs: how long the clients run, at least. */
  durationMs: number;
  /** keepGoing: after durationMs, run on while it returns true, up to maxDurationMs. */
  keepGoing?(): boolean;
  maxDurationMs?: number;
  /** stop: when it returns true, the clients stop at once (e.g. the server was told to exit). */
  stop?(): boolean;
  /** timeoutMs: a request with no complete answer after this long is a failure. Default 10 s. */
  timeoutMs?: number;
  /** onResponse sees every complete response. */
  onResponse?(response: ParsedResponse): void;
}

/** LoadResult sorts the outcomes. */
export interface LoadResult {
  /** ok counts 2xx responses. */
  ok: number;
  /** failures describes every request that failed: a non-2xx status, a cut answer, a fresh connection closed or reset without an answer, a timeout. */
  failures: string[];
  /** refused describes connection attempts that failed (ECONNREFUSED and the like). */
  refused: string[];
  /**
   * unanswered describes fresh connections that were closed before a single byte of an answer: the
   * kernel (or node:cluster's primary) had accepted them, but no server process had taken them yet
   * when the listener closed. They are failures while the server should be accepting; `at` tells when.
   */
  unanswered: { at: number; message: string }[];
  /**
   * retries counts requests sent on a reused keep-alive connection that the server closed before
   * sending a single byte of the answer: the request was never processed, and the client resent it
   * on a new connection (RFC 9112 §9.3.1), as browsers and proxies do.
   */
  retries: number;
  /** connections counts connections opened. */
  connections: number;
  /** closes counts responses that carried Connection: close. */
  closes: number;
}

type Outcome =
  | { kind: "response"; response: ParsedResponse; close: boolean }
  | { kind: "closed-before-answer"; error?: string }
  | { kind: "cut"; bytes: number; error?: string }
  | { kind: "timeout"; bytes: number };

/**
 * requestOn sends one GET on `socket` and waits for its complete answer, or for the connection's
 * end. `leftover` bytes must not exist: one request at a time, no pipelining.
 */
function requestOn(socket: net.Socket, path: string, timeoutMs: number, method: "GET" | "POST" = "GET"): Promise<Outcome> {
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0);
    let error: string | undefined;
    const finish = (outcome: Outcome): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const parsed = parseResponses(buf, { eof: false });
      const final = parsed.responses.find((r) => !r.interim);
      if (final !== undefined) finish({ kind: "response", response: final, close: (final.get("connection") ?? "").toLowerCase().includes("close") });
    };
    const onEnd = (): void => {
      if (buf.length === 0) return finish({ kind: "closed-before-answer", error });
      const parsed = parseResponses(buf, { eof: true });
      const final = parsed.responses.find((r) => !r.interim);
      // A close-delimited body is complete at EOF; a framed one must already have been seen.
      if (final !== undefined && !final.has("content-length") && !final.chunked) return finish({ kind: "response", response: final, close: true });
      finish({ kind: "cut", bytes: buf.length, error });
    };
    const onError = (err: Error): void => {
      error = `${(err as NodeJS.ErrnoException).code ?? ""} ${err.message}`;
    };
    const timer = setTimeout(() => finish({ kind: "timeout", bytes: buf.length }), timeoutMs);
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", onError);
    if (socket.destroyed || !socket.writable) return onEnd();
    const body = method === "POST" ? "name=ops&n=1" : "";
    const framing = method === "POST" ? `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` : "";
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ops-load\r\n${framing}\r\n${body}`);
  });
}

/**
 * runLoad runs `clients` keep-alive clients, each sending one request at a time in a loop for
 * `durationMs`. A client opens a new connection when the server closed the last one (after a
 * Connection: close answer, or an idle close). See LoadResult for how outcomes are counted.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failures: [], refused: [], unanswered: [], retries: 0, connections: 0, closes: 0 };
  const start = Date.now();
  const running = (): boolean => {
    if (options.stop?.()) return false;
    const elapsed = Date.now() - start;
    if (elapsed < options.durationMs) return true;
    return options.keepGoing !== undefined && options.keepGoing() && elapsed < (options.maxDurationMs ?? options.durationMs);
  };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pathOf = typeof options.path === "string" ? () => options.path as string : options.path;
  const client = async (index: number): Promise<void> => {
    let socket: net.Socket | null = null;
    let used = 0;
    let n = 0;
    try {
      while (running()) {
        if (socket === null) {
          try {
            socket = await connectSocket(options.endpoint);
            socket.on("error", () => {});
            result.connections++;
            used = 0;
          } catch (err) {
            result.refused.push(`client ${index}: connect failed: ${(err as Error).message}`);
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
        }
        const method = options.method?.(index, n) ?? "GET";
        const path = pathOf(index, n++);
        const outcome = await requestOn(socket, path, timeoutMs, method);
        const reused = used > 0;
        used++;
        if (outcome.kind === "response") {
          options.onResponse?.(outcome.response);
          const status = outcome.response.status;
          if (status >= 200 && status < 300) result.ok++;
          else result.failures.push(`client ${index}: ${method} ${path} got ${status} ${outcome.response.text.slice(0, 100)}`);
          if (outcome.close) {
            result.closes++;
            socket.destroy();
            socket = null;
          }
          continue;
        }
        socket.destroy();
        socket = null;
        if (outcome.kind === "closed-before-answer" && reused) {
          result.retries++;
          n--; // the same request again, on a new connection
          continue;
        }
        if (outcome.kind === "closed-before-answer") {
          result.unanswered.push({ at: Date.now(), message: `client ${index}: ${path} closed before an answer on a fresh connection${outcome.error ? ` (${outcome.error})` : ""}` });
          continue;
        }
        result.failures.push(`client ${index}: ${method} ${path} ${outcome.kind}${"bytes" in outcome ? ` after ${outcome.bytes} bytes` : ""}${"error" in outcome && outcome.error ? ` (${outcome.error})` : ""}${reused ? " on a reused connection" : " on a fresh connection"}`);
      }
    } finally {
      socket?.destroy();
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  return result;
}
