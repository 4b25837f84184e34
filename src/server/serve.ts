// serve(): Bun.serve's API on Node. It listens with node:net, runs a protocol engine on every
// connection, and calls the app's handler through the fetch bridge.
import { createServer, type Server as NetServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { accessLogEntry } from "./access-log.js";
import { isClusterPrimary, startPrimary, tellPrimaryListenFailed, type ClusterServer } from "./cluster-server.js";
import { compress } from "../compress/compress.js";
import { createFetchListener } from "../fetch/fetch-handler.js";
import { LightResponse } from "../fetch/light-response.js";
import type { EngineOptions, Exchange } from "../http/exchange.js";
import { resolveLimits, type Limits } from "../http/limits.js";
import { ConnectionRegistry, sweepInterval, type Tracked } from "../net/connection-registry.js";
import { listen } from "../net/listener.js";
import { PendingSocket } from "../net/pending-socket.js";
import { TlsAcceptor } from "../net/tls-accept.js";
import { MAX_ROTATION_PERIOD, ROTATION_PERIOD } from "../net/ticket-key-rotation.js";
import { createRouter } from "../router/router.js";
import { withHealth } from "./health.js";
import { Engines, http1, http2, sniffPreface, type ProtocolEngine } from "./protocols.js";
import type { ServeOptions } from "./serve-options.js";
import { Server, type Handler } from "./server.js";

/** ServeOptions with `workers` absent or 1: serve() serves in this process. */
type SingleProcess = ServeOptions & { workers?: 1 | undefined };

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
export function serve(options: SingleProcess): Promise<Server>;
export function serve(options: ServeOptions): Promise<Server | ClusterServer>;
export async function serve(options: ServeOptions): Promise<Server | ClusterServer> {
  if (typeof options.fetch !== "function" && options.routes === undefined) throw new TypeError("serve() needs a fetch(request, server) handler or routes");
  const drainTimeout = (options.drainTimeout ?? 10) * 1000;
  const shutdownDelay = options.shutdownDelay ?? 0;
  if (!(shutdownDelay >= 0)) throw new RangeError(`shutdownDelay must be a number of seconds >= 0, not ${String(options.shutdownDelay)}`);
  const ticketKeyRotation = ticketKeyRotationOf(options);
  if (options.workers !== undefined && isClusterPrimary(options.workers)) {
    const log = (message: string): void => console.error(`sockserve: ${message}`);
    return startPrimary({ workers: options.workers, drainTimeout, shutdownDelay: shutdownDelay * 1000, scheme: options.tls ? "https" : "http", log, pubsub: options.pubsub, ticketKeyRotation });
  }
  const app: Handler = options.routes !== undefined ? await createRouter(options.routes, options.fetch) : options.fetch!;
  const routed: Handler = options.compress === undefined || options.compress === false ? app : compress(app, options.compress === true ? {} : options.compress);
  let server: Server | null = null;
  const handler: Handler = options.health === true ? withHealth(routed, () => server?.draining === true) : routed;
  const limits = limitsOf(options);
  if (options.overrideGlobalResponse !== false) globalThis.Response = LightResponse;
  const registry = new ConnectionRegistry<Tracked>(sweepInterval(Math.min(limits.headerTimeout, limits.keepAliveTimeout, limits.bodyTimeout, limits.lingerTimeout, limits.sendTimeout, limits.tlsHandshakeTimeout)));
  const log = options.logger ?? ((err: unknown) => console.error("sockserve: handler error:", err));
  const engines = enginesFor(options);
  const tls = options.tls === undefined ? null : new TlsAcceptor(options.tls, { alpn: engines.alpn, registry, handshakeTimeout: limits.tlsHandshakeTimeout, maxHandshakes: limits.maxTlsHandshakes, ticketKeyRotation });
  let listener: (ex: Exchange) => void = () => {};
  const accessLog = options.accessLog;
  const engineOptions: EngineOptions = {
    limits,
    onExchange: (ex) => listener(ex),
    onExchangeEnd: accessLog === undefined ? undefined : (ex) => accessLog(accessLogEntry(ex)),
    onError: (err) => log(err),
    encrypted: tls !== null,
  };
  const accept = acceptor(engines, tls === null && options.http2 === true ? limits.headerTimeout : 0, registry, (socket, engine, raw) => {
    const conn = engine.open(socket, raw === undefined ? engineOptions : { ...engineOptions, addressSocket: raw });
    if (server?.stopping) conn.shutdown();
    return conn;
  });
  const netServer = createServer({ allowHalfOpen: true, noDelay: true });
  netServer.on("connection", (socket: Socket) => (tls === null ? accept(socket) : tls.accept(socket, accept)));
  if (options.maxConnections !== undefined) limitConnections(netServer, options.maxConnections, log);
  await listen(netServer, { port: options.port, hostname: options.hostname, unix: options.unix }).catch((err: unknown) => {
    tellPrimaryListenFailed(err);
    throw err;
  });
  server = new Server(netServer, registry, options, handler, tls, (line) => (options.logger ?? console.error)(`sockserve: ${line}`));
  server.joinCluster();
  listener = createFetchListener({ fetch: handler, error: options.error, log, defaultAuthority }, server);
  return server;
}

/**
 * enginesFor lists the engines of a server: over TLS, h2 first (ALPN offers it, so browsers take
 * it) unless `http2: false`; on plain TCP, h2 beside HTTP/1.1 with `http2: true` (the h2c preface
 * is sniffed), else HTTP/1.1 alone.
 */
function enginesFor(options: ServeOptions): Engines {
  if (options.tls !== undefined) return new Engines(options.http2 === false ? [http1] : [http2, http1]);
  return new Engines(options.http2 === true ? [http1, http2] : [http1]);
}

/**
 * acceptor returns serve's accept(socket): the engine is picked by ALPN, or, with `sniffTimeout`
 * above 0 (h2c beside HTTP/1.1), by the first bytes, which the connection gets `sniffTimeout` to send.
 */
function acceptor(engines: Engines, sniffTimeout: number, registry: ConnectionRegistry<Tracked>, open: (socket: Duplex, engine: ProtocolEngine, raw?: Socket) => Tracked): (socket: Duplex, raw?: Socket) => void {
  return (socket, raw) => {
    if (sniffTimeout === 0) return registry.track(socket, open(socket, engines.forAlpn((socket as Partial<TLSSocket>).alpnProtocol), raw));
    registry.track(socket, new PendingSocket(socket, Date.now() + sniffTimeout));
    sniffPreface(socket, (alpn) => registry.adopt(socket, open(socket, engines.forAlpn(alpn), raw)));
  };
}

/** limitsOf merges Bun's option names and `limits` onto the defaults. */
function limitsOf(options: ServeOptions): Limits {
  return resolveLimits({
    ...(options.maxRequestBodySize !== undefined ? { maxBodySize: options.maxRequestBodySize } : {}),
    ...(options.idleTimeout !== undefined ? { keepAliveTimeout: options.idleTimeout * 1000 } : {}),
    ...options.limits,
  });
}

/** ticketKeyRotationOf checks the `ticketKeyRotation` option (seconds) and returns it in ms; a timer waits at most 2^31 - 1 ms. */
function ticketKeyRotationOf(options: ServeOptions): number {
  if (options.ticketKeyRotation === undefined) return ROTATION_PERIOD;
  const ms = options.ticketKeyRotation * 1000;
  if (!(ms >= 1 && ms <= MAX_ROTATION_PERIOD)) throw new RangeError(`ticketKeyRotation must be a number of seconds in 0.001..${Math.floor(MAX_ROTATION_PERIOD / 1000)}, not ${String(options.ticketKeyRotation)}`);
  return ms;
}

/** limitConnections refuses connections past `max`, logging the refusals once per 10 s, not per connection. */
function limitConnections(netServer: NetServer, max: number, log: (err: unknown) => void): void {
  netServer.maxConnections = max;
  let lastLogged = 0;
  let dropped = 0;
  netServer.on("drop", () => {
    dropped++;
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    log(new Error(`maxConnections (${max}) reached: refused ${dropped} connection(s) in the last interval`));
    dropped = 0;
  });
}

/** defaultAuthority is the authority of a request that named none: the address it arrived on. */
function defaultAuthority(ex: Exchange): string {
  const { localAddress, localPort } = ex.peer;
  return localAddress.includes(":") ? `[${localAddress}]:${localPort}` : `${localAddress || "localhost"}:${localPort}`;
}
