// Starting and stopping sockserve in tests: always 127.0.0.1 (unless told
// otherwise), always port 0, always stopped in a finally.
import { serve, type ServeOptions, type Server } from "../../src/index.js";

export type { ServeOptions, Server };
export type Handler = NonNullable<ServeOptions["fetch"]>;

/** startServer serves `options` on an ephemeral port of 127.0.0.1. */
export function startServer(options: Omit<Partial<ServeOptions>, "workers"> & { fetch: Handler }): Promise<Server> {
  return serve({ port: 0, hostname: "127.0.0.1", ...options });
}

/** withServer runs `body` against a fresh server and stops it (immediately) afterwards. */
export async function withServer<T>(options: Omit<Partial<ServeOptions>, "workers"> & { fetch: Handler }, body: (server: Server) => Promise<T>): Promise<T> {
  const server = await startServer(options);
  try {
    return await body(server);
  } finally {
    await server.stop(true);
  }
}

/** Deferred is a promise with its resolve and reject exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
  settled: boolean;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const d = {} as Deferred<T>;
  d.settled = false;
  d.promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  d.resolve = (value) => {
    d.settled = true;
    resolve(value);
  };
  d.reject = (reason) => {
    d.settled = true;
    reject(reason);
  };
  return d;
}

/** within fails with `label` when `promise` does not settle within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** echoHandler answers "METHOD target" plus the body, for framing tests; `seen` records each request. */
export function echoHandler(seen: string[] = []): Handler {
  return async (request: Request) => {
    const url = new URL(request.url);
    seen.push(`${request.method} ${url.pathname}${url.search}`);
    const body = request.body ? await request.text() : "";
    return new Response(`${request.method} ${url.pathname}${url.search} ${body.length}:${body}`, {
      headers: { "x-path": url.pathname },
    });
  };
}
