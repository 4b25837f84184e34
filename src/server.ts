// serve(): Bun.serve's API on Node. It listens with node:net, runs the HTTP engine on every
// connection, and calls the app's fetch handler through the fetch bridge.
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { Connection } from "./http/connection.js";
import type { Exchange } from "./http/exchange.js";
import { resolveLimits, type Limits } from "./http/limits.js";
import { accessLogEntry, type AccessLogEntry } from "./access-log.js";
import { createFetchListener } from "./fetch/fetch-handler.js";
import { IncomingRequest, requestPath } from "./fetch/incoming-request.js";
import { LightResponse } from "./fetch/light-response.js";
import { ConnectionRegistry, sweepInterval, type Tracked } from "./net/connection-registry.js";
import type { Duplex } from "node:stream";
import { TlsAcceptor, type TlsOptions } from "./net/tls-accept.js";
import { isClusterPrimary, joinCluster, startPrimary, type ClusterServer } from "./cluster-server.js";
import { WebSocketHub, type UpgradeOptions } from "./websocket-hub.js";
import { ServerWebSocket } from "./websocket/server-websocket.js";
import type { WebSocketHandler } from "./websocket/websocket-config.js";
import { listen } from "./net/listener.js";
import { createRouter, type Routes } from "./router/router.js";

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

type Handler = (request: Request, server: Server) => Response | undefined | void | Promise<Response | undefined | void>;

/**
 * SocketAddress is where a request came from: the peer's address, family ("IPv4" or "IPv6") and
 * port, as returned by {@link Server.requestIP}.
 *
 * @example
 * ```ts
 * import { serve, type SocketAddress } from "sockserve";
 *
 * await serve({
 *   port: 0,
 *   fetch(request, server) {
 *     const peer: SocketAddress | null = server.requestIP(request);
 *     return new Response(`you are ${peer?.address ?? "unknown"}`);
 *   },
 * });
 * ```
 */
export interface SocketAddress {
  /** address is the peer's IP address. */
  address: string;
  /** family is "IPv4" or "IPv6". */
  family: string;
  /** port is the peer's port. */
  port: number;
}

/**
 * Server is a running sockserve server, as {@link serve} resolves it: its address (`port`,
 * `hostname`, `url`), WebSocket upgrades and pub/sub, `requestIP`, `fetch`, and graceful or
 * immediate `stop`. It is also the second argument of every handler.
 *
 * @example
 * ```ts
 * import { serve, type Server } from "sockserve";
 *
 * const server: Server = await serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("hi") });
 * const res = await fetch(server.url);
 * console.log(server.port, await res.text()); // e.g. 41234 hi
 * await server.stop();
 * ```
 */
export class Server {
  readonly #net: NetServer;
  readonly #registry: ConnectionRegistry<Tracked>;
  readonly #hub: WebSocketHub;
  readonly #handler: Handler;
  readonly #tls: TlsAcceptor | null;
  #stopping: Promise<void> | null = null;
  /** port the server listens on (0 for a unix socket). */
  readonly port: number;
  /** hostname the server is bound to, or the unix socket path. */
  readonly hostname: string;
  /** url is the base URL to reach the server. */
  readonly url: URL;

  /** @internal */
  constructor(net: NetServer, registry: ConnectionRegistry<Tracked>, options: ServeOptions, handler: Handler, tls: TlsAcceptor | null) {
    const { unix, websocket } = options;
    this.#handler = handler;
    this.#tls = tls;
    const scheme = tls === null ? "http" : "https";
    this.#net = net;
    this.#registry = registry;
    this.#hub = new WebSocketHub(websocket, {
      isStopping: () => this.stopping,
      adopt: (ws, socket) => adoptSocket(socket, ws),
    });
    const address = net.address();
    if (typeof address === "object" && address !== null) {
      this.port = address.port;
      this.hostname = address.address;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      this.url = new URL(`${scheme}://${host}:${address.port}/`);
    } else {
      this.port = 0;
      this.hostname = unix ?? String(address);
      this.url = new URL(`unix://${encodeURI(this.hostname)}`);
    }
  }

  /** pendingRequests counts connections with a request in progress. */
  get pendingRequests(): number {
    let n = 0;
    for (const conn of this.#registry.connections()) if (conn instanceof Connection && !conn.idle) n++;
    return n;
  }

  /** pendingWebSockets counts open WebSockets. */
  get pendingWebSockets(): number {
    let n = 0;
    for (const conn of this.#registry.connections()) if (conn instanceof ServerWebSocket) n++;
    return n;
  }

  /**
   * upgrade switches a WebSocket handshake to the WebSocket protocol: the engine sends the 101 and
   * the socket goes to `websocket.open`. It returns false for a request that is not a handshake
   * (a malformed handshake has then been answered with 400 or 426 already).
   */
  upgrade<T>(request: Request, options?: UpgradeOptions<T>): boolean {
    return this.#hub.upgrade(request, options);
  }

  /** publish sends a message to every socket subscribed to `topic`; it returns the bytes sent, 0 if none listen. */
  publish(topic: string, data: string | ArrayBufferView | ArrayBuffer, compress?: boolean): number {
    return this.#hub.publish(topic, data, compress);
  }

  /** subscriberCount tells how many sockets are subscribed to a topic. */
  subscriberCount(topic: string): number {
    return this.#hub.subscriberCount(topic);
  }

  /** requestIP returns the peer address of a request this server received, or null. */
  requestIP(request: Request): SocketAddress | null {
    if (!(request instanceof IncomingRequest)) return null;
    const peer = request.exchange.peer;
    return { address: peer.remoteAddress, family: peer.remoteFamily, port: peer.remotePort };
  }

  /**
   * stop stops accepting connections. Graceful by default: in-flight requests finish, idle
   * connections close at once. With `closeActiveConnections` every connection is cut now.
   */
  stop(closeActiveConnections = false): Promise<void> {
    this.#stopping ??= new Promise<void>((resolve) => this.#net.close(() => resolve()));
    if (closeActiveConnections) this.#registry.destroyAll();
    else this.#registry.shutdownAll();
    return Promise.all([this.#stopping, this.#registry.empty()]).then(() => undefined);
  }

  /**
   * drain stops gracefully, and cuts whatever is still running after `timeoutMs`.
   */
  async drain(timeoutMs: number): Promise<void> {
    const timer = setTimeout(() => void this.stop(true), timeoutMs);
    timer.unref();
    await this.stop();
    clearTimeout(timer);
  }

  /** @internal joinCluster wires a worker's server to the primary. */
  joinCluster(): void {
    const address = this.#net.address();
    if (typeof address !== "object" || address === null) return;
    joinCluster({
      address: { port: address.port, address: address.address, family: address.family },
      stop: (ms) => this.drain(ms),
      publishLocal: (topic, data, compress) => void this.#hub.topics.publish(topic, data, compress, null, true),
      setRelay: (relay) => (this.#hub.topics.relay = relay),
    });
  }

  /** reloadTLS replaces the certificate for new connections (the CLI does this on SIGHUP). */
  reloadTLS(tls: TlsOptions): void {
    if (this.#tls === null) throw new Error("this server was started without tls");
    this.#tls.reload(tls);
  }

  /** @internal */
  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /**
   * fetch runs the server's own handler on a request (as Bun's server.fetch does), without a
   * network round trip; a path or URL string is resolved against server.url. CGI local redirects use it.
   */
  async fetch(request: Request | string): Promise<Response> {
    const req = typeof request === "string" ? new Request(new URL(request, this.url)) : request;
    const res = await this.#handler(req, this);
    if (!(res instanceof Response)) throw new TypeError("the fetch handler returned no Response");
    return res;
  }

}

// Which object owns each socket now: its Connection, or the ServerWebSocket it was upgraded to.
const owners = new WeakMap<Duplex, Tracked>();
const registries = new WeakMap<Duplex, ConnectionRegistry<Tracked>>();

function adoptSocket(socket: Duplex, ws: Tracked): void {
  const registry = registries.get(socket);
  const previous = owners.get(socket);
  if (registry !== undefined && previous !== undefined) {
    registry.delete(previous);
    registry.add(ws);
  }
  owners.set(socket, ws);
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
    sweepInterval(Math.min(limits.headerTimeout, limits.keepAliveTimeout, limits.bodyTimeout, limits.lingerTimeout)),
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
