// serve(): Bun.serve's API on Node. It listens with node:net, runs the HTTP engine on every
// connection, and calls the app's handler through the fetch bridge.
import { createServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { accessLogEntry, type AccessLogEntry } from "./access-log.js";
import { isClusterPrimary, startPrimary, type ClusterServer } from "./cluster-server.js";
import { createFetchListener } from "./fetch/fetch-handler.js";
import { requestPath } from "./fetch/incoming-request.js";
import { LightResponse } from "./fetch/light-response.js";
import { Connection } from "./http/connection.js";
import type { Exchange } from "./http/exchange.js";
import { resolveLimits, type Limits } from "./http/limits.js";
import { ConnectionRegistry, sweepInterval, type Tracked } from "./net/connection-registry.js";
import { listen } from "./net/listener.js";
import { TlsAcceptor, type TlsOptions } from "./net/tls-accept.js";
import { createRouter, type Routes } from "./router/router.js";
import type { WebSocketHandler } from "./websocket/websocket-config.js";
import { owners, registries, Server, type Handler } from "./server.js";

/**
 * ServeOptions configures {@link serve}: where to listen, the `fetch` handler or `routes`,
 * WebSockets, limits, TLS, workers and logging. Only `fetch` or `routes` is required.
 *
 * @example
 * ```ts
 * import { serve, type ServeOptions } from "sockserve";
 *
 * const options: ServeOptions = {
 *   port: 0,
 *   hostname: "127.0.0.1",
 *   fetch: () => new Response("Hello"),
 *   error: () => new Response("Something went wrong", { status: 500 }),
 * };
 * const server = await serve(options);
 * ```
 */
export interface ServeOptions {
  /** port to listen on; 0 picks a free one. Default 3000. */
  port?: number;
  /** hostname (address) to bind; IPv6 works ("::1", "::"). Default "0.0.0.0". */
  hostname?: string;
  /** unix listens on a unix domain socket path instead of TCP. */
  unix?: string;
  /** fetch handles every request (with `routes`: those no route matches). After `server.upgrade(request)` it returns nothing. */
  fetch?(request: Request, server: Server): Response | undefined | void | Promise<Response | undefined | void>;
  /** routes maps path patterns ("/a", "/a/:id", "/a/*") to a Response, a handler, or handlers by method. */
  routes?: Routes<Server>;
  /** websocket handles upgraded sockets (Bun's shape): open, message, close, drain and their options. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  websocket?: WebSocketHandler<any>;
  /** error turns a handler fault into a response; without it the client gets a plain 500. */
  error?: (error: unknown) => Response | Promise<Response>;
  /** limits overrides the engine's limits (see Limits). */
  limits?: Partial<Limits>;
  /** maxRequestBodySize is Bun's name for limits.maxBodySize (bytes). */
  maxRequestBodySize?: number;
  /** idleTimeout is Bun's name for limits.keepAliveTimeout, in seconds. */
  idleTimeout?: number;
  /**
   * overrideGlobalResponse installs sockserve's LightResponse as globalThis.Response (default true),
   * so `new Response(...)` in handlers skips undici's stream machinery. Set false to keep Node's own.
   */
  overrideGlobalResponse?: boolean;
  /** logger receives handler faults; default console.error. */
  logger?: (error: unknown) => void;
  /** tls serves HTTPS (and WSS): PEM `cert` and `key`, optional `ca` and `passphrase`. ALPN offers http/1.1. */
  tls?: TlsOptions;
  /**
   * workers runs N processes sharing the port (node:cluster); "auto" is one per CPU. Default 1.
   * In the primary, serve() forks them and returns a ClusterServer; in each worker it serves.
   */
  workers?: number | "auto";
  /** drainTimeout: seconds a graceful stop waits for in-flight requests before cutting them. Default 10. */
  drainTimeout?: number;
  /** health answers GET /.well-known/sockserve/health: 200 while serving, 503 once stopping. */
  health?: boolean;
  /** maxConnections refuses connections beyond this many (logged once per 10 s, not per connection). */
  maxConnections?: number;
  /** accessLog receives an entry for every exchange once its response is complete or cut short. */
  accessLog?: (entry: AccessLogEntry) => void;
}


const HEALTH_PATH = "/.well-known/sockserve/health";

/** withHealth answers the health path before the app: 200 while serving, 503 while draining. */
function withHealth(handler: Handler, stopping: () => boolean): Handler {
  return (request, server) => {
    if (request.method === "GET" || request.method === "HEAD") {
      const path = requestPath(request);
      if (path === HEALTH_PATH) {
        const draining = stopping();
        return new Response(draining ? "draining\n" : "ok\n", { status: draining ? 503 : 200, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
      }
    }
    return handler(request, server);
  };
}

/**
 * serve starts a server (Bun's `serve()` API) and resolves once it is listening; it rejects when
 * the address cannot be bound (`EADDRINUSE`, `EACCES`, ...). With `workers` other than 1, the
 * primary process forks the workers and resolves to a cluster handle instead of serving itself.
 *
 * @example
 * ```ts
 * import { serve } from "sockserve";
 *
 * const server = await serve({
 *   port: 0, // a free port
 *   fetch: (request) => new Response(`Hello from ${new URL(request.url).pathname}`),
 * });
 * console.log(`listening on ${server.url.href}`);
 * ```
 */
export async function serve(options: ServeOptions): Promise<Server> {
  if (typeof options.fetch !== "function" && options.routes === undefined) throw new TypeError("serve() needs a fetch(request, server) handler or routes");
  const drainTimeout = (options.drainTimeout ?? 10) * 1000;
  if (isClusterPrimary(options.workers)) {
    const log = (message: string): void => console.error(`sockserve: ${message}`);
    const primary: ClusterServer = await startPrimary({ workers: options.workers!, drainTimeout, scheme: options.tls ? "https" : "http", log });
    return primary as unknown as Server;
  }
  const routed: Handler = options.routes !== undefined ? await createRouter(options.routes, options.fetch) : options.fetch!;
  const handler: Handler = options.health === true ? withHealth(routed, () => server?.stopping === true) : routed;
  const limits = resolveLimits({
    ...(options.maxRequestBodySize !== undefined ? { maxBodySize: options.maxRequestBodySize } : {}),
    ...(options.idleTimeout !== undefined ? { keepAliveTimeout: options.idleTimeout * 1000 } : {}),
    ...options.limits,
  });
  if (options.overrideGlobalResponse !== false) globalThis.Response = LightResponse as unknown as typeof Response;
  const registry = new ConnectionRegistry<Tracked>(
    sweepInterval(Math.min(limits.headerTimeout, limits.keepAliveTimeout, limits.bodyTimeout, limits.lingerTimeout, limits.sendTimeout)),
  );
  const log = options.logger ?? ((err: unknown) => console.error("sockserve: handler error:", err));
  const netServer = createServer({ allowHalfOpen: true, noDelay: true });
  let server: Server | null = null;
  const onExchange = (ex: Exchange): void => listener(ex);
  const accessLog = options.accessLog;
  const onExchangeEnd = accessLog === undefined ? undefined : (ex: Exchange): void => accessLog(accessLogEntry(ex));
  let listener: (ex: Exchange) => void = () => {};
  const tls = options.tls === undefined ? null : new TlsAcceptor(options.tls);
  const accept = (socket: Duplex, raw?: Socket): void => {
    const conn = new Connection(socket, { limits, onExchange, onExchangeEnd, onError: (err) => log(err), encrypted: tls !== null, addressSocket: raw });
    registry.add(conn);
    owners.set(socket, conn);
    registries.set(socket, registry);
    socket.on("close", () => registry.delete(owners.get(socket)!));
    if (server?.stopping) conn.shutdown();
  };
  netServer.on("connection", (socket: Socket) => {
    if (tls === null) accept(socket);
    else tls.accept(socket, accept, limits.headerTimeout);
  });
  if (options.maxConnections !== undefined) {
    netServer.maxConnections = options.maxConnections;
    let lastLogged = 0;
    let dropped = 0;
    netServer.on("drop", () => {
      dropped++;
      if (Date.now() - lastLogged < 10_000) return;
      lastLogged = Date.now();
      log(new Error(`maxConnections (${options.maxConnections}) reached: refused ${dropped} connection(s) in the last interval`));
      dropped = 0;
    });
  }
  await listen(netServer, { port: options.port, hostname: options.hostname, unix: options.unix });
  server = new Server(netServer, registry, options, handler, tls);
  server.joinCluster();
  const defaultAuthority = (ex: Exchange): string => {
    const { localAddress, localPort } = ex.peer;
    return localAddress.includes(":") ? `[${localAddress}]:${localPort}` : `${localAddress || "localhost"}:${localPort}`;
  };
  listener = createFetchListener(
    { fetch: handler, error: options.error, log, defaultAuthority, scheme: tls === null ? "http" : "https" },
    server,
  );
  return server;
}
