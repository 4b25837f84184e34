// A small HTTP/2 client for tests over node:http2 (a test client only): one session reused for
// every request, request() → status, fields and the whole body. Also the two HTTP/2 targets the
// "over HTTP/2" suites run on: h2c by prior knowledge (`http2: true`) and h2 by ALPN over TLS.
import { mkdtempSync, rmSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeCert } from "./ops-tls.js";
import type { ServeOptions } from "./server.js";

/** H2Reply is one complete response. */
export interface H2Reply {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** get reads one field, a repeated one joined with ", ". */
  get(name: string): string | undefined;
}

/** H2RequestInit is what request() sends: fields without pseudo-headers, and a body. */
export interface H2RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
}

/** H2Client is one HTTP/2 session to a server. */
export class H2Client {
  readonly session: http2.ClientHttp2Session;

  private constructor(session: http2.ClientHttp2Session) {
    this.session = session;
  }

  /** connect opens a session to `origin` (http: is h2c by prior knowledge; https: accepts any certificate). */
  static connect(origin: string | URL, options: http2.SecureClientSessionOptions = {}): Promise<H2Client> {
    const session = http2.connect(origin, { rejectUnauthorized: false, ...options });
    session.on("error", () => {}); // seen by the requests that fail
    return new Promise((resolve, reject) => {
      session.once("connect", () => {
        session.off("error", reject);
        resolve(new H2Client(session));
      });
      session.once("error", reject);
    });
  }

  /** localPort is the client's port of the connection (what server.requestIP reports). */
  get localPort(): number {
    return this.session.socket.localPort ?? 0;
  }

  /** request sends one request on the session and reads the whole response; a reset rejects. */
  request(target: string, init: H2RequestInit = {}): Promise<H2Reply> {
    const stream = this.session.request({ ":method": init.method ?? "GET", ":path": target, ...init.headers }, { endStream: init.body === undefined });
    if (init.body !== undefined) stream.end(init.body);
    return readReply(stream, init.timeoutMs ?? 10_000);
  }

  /** open starts a request and returns its stream, for tests that write the body themselves. */
  open(target: string, init: Omit<H2RequestInit, "body"> = {}): http2.ClientHttp2Stream {
    const stream = this.session.request({ ":method": init.method ?? "GET", ":path": target, ...init.headers }, { endStream: false });
    stream.on("error", () => {});
    return stream;
  }

  /** closed resolves once the session has closed (the server ended it, or close() finished). */
  closed(): Promise<void> {
    if (this.session.closed || this.session.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.session.once("close", () => resolve()));
  }

  /** close ends the session once its streams are done. */
  close(): Promise<void> {
    const done = this.closed();
    this.session.close();
    return done;
  }

  destroy(): void {
    this.session.destroy();
  }
}

/** readReply collects a stream's response; it rejects on a reset, an error, or after `timeoutMs`. */
export function readReply(stream: http2.ClientHttp2Stream, timeoutMs = 10_000): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error(`no complete response within ${timeoutMs} ms`));
    }, timeoutMs);
    stream.on("response", (h) => (headers = h));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    stream.on("close", () => {
      clearTimeout(timer);
      if (headers[":status"] === undefined) return reject(new Error(`stream closed without a response (RST_STREAM code ${stream.rstCode})`));
      const body = Buffer.concat(chunks);
      resolve({ status: Number(headers[":status"]), headers, body, text: body.toString("utf8"), get: (name) => fieldOf(headers, name) });
    });
  });
}

function fieldOf(headers: http2.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** H2Target is one way of serving HTTP/2: the serve() options and the origin a client connects to. */
export interface H2Target {
  name: "h2c" | "h2 (TLS)";
  /** options turn HTTP/2 on: `http2: true` on plain TCP, or `tls` (ALPN offers h2). */
  options: Omit<Partial<ServeOptions>, "workers">;
  origin(port: number): string;
}

/** H2Targets are both targets, with the temporary directory holding the TLS certificate. */
export interface H2Targets {
  list: H2Target[];
  remove(): void;
}

/** h2Targets makes a certificate for the TLS target; call remove() once done. */
export function h2Targets(): H2Targets {
  const dir = mkdtempSync(path.join(tmpdir(), "sockserve-overh2-"));
  const cert = makeCert(dir, "server", "localhost");
  return {
    list: [
      { name: "h2c", options: { http2: true }, origin: (port) => `http://127.0.0.1:${port}` },
      { name: "h2 (TLS)", options: { tls: { cert: cert.cert, key: cert.key } }, origin: (port) => `https://127.0.0.1:${port}` },
    ],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
