// Server: a running sockserve server (what serve() resolves to): its address, requestIP,
// upgrade, publish, in-process fetch, and graceful stop.
import type { Server as NetServer } from "node:net";
import { exchangeOf } from "../fetch/incoming-request.js";
import type { ConnectionRegistry, Tracked } from "../net/connection-registry.js";
import type { TlsAcceptor, TlsOptions } from "../net/tls-accept.js";
import { joinCluster } from "./cluster-server.js";
import type { PubSubBroker, PubSubStatus } from "./pubsub-broker.js";
import { linkBroker } from "./pubsub-link.js";
import { WebSocketHub, type UpgradeOptions } from "./websocket-hub.js";
import { ServerWebSocket } from "../websocket/server-websocket.js";
import type { WebSocketHandler } from "../websocket/websocket-handler.js";

/** Handler is what serve() runs for each request: `fetch`, or the routes with `fetch` as fallback. */
export type Handler = (request: Request, server: Server) => Response | undefined | void | Promise<Response | undefined | void>;


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
  readonly #pubsub: PubSubBroker | null;
  #stopping: Promise<void> | null = null;
  readonly #shutdownDelay: number;
  #lameDuck: Promise<void> | null = null;
  #endLameDuck: () => void = () => {};
  /** port the server listens on (0 for a unix socket). */
  readonly port: number;
  /** hostname the server is bound to, or the unix socket path. */
  readonly hostname: string;
  /** url is the base URL to reach the server. */
  readonly url: URL;

  /** @internal */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(net: NetServer, registry: ConnectionRegistry<Tracked>, options: { unix?: string | undefined; websocket?: WebSocketHandler<any> | undefined; shutdownDelay?: number | undefined; pubsub?: PubSubBroker | undefined }, handler: Handler, tls: TlsAcceptor | null, log: (line: string) => void = () => {}) {
    const { unix, websocket } = options;
    this.#shutdownDelay = (options.shutdownDelay ?? 0) * 1000;
    this.#handler = handler;
    this.#tls = tls;
    const scheme = tls === null ? "http" : "https";
    this.#net = net;
    this.#registry = registry;
    this.#hub = new WebSocketHub(websocket, {
      isStopping: () => this.stopping,
      adopt: (ws, socket) => registry.adopt(socket, ws),
    });
    this.#pubsub = options.pubsub ?? null;
    if (this.#pubsub !== null) linkBroker(this.#hub.topics, this.#pubsub, log);
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

  /** pendingRequests counts requests in progress (on HTTP/1.1, connections with a request in progress). */
  get pendingRequests(): number {
    return this.#registry.pendingRequests();
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

  /**
   * writeEarlyHints sends a `103 Early Hints` response with `headers` (typically `Link` preloads)
   * before the final one (RFC 8297), as Node's `res.writeEarlyHints` does. It returns false and
   * sends nothing for an HTTP/1.0 client (RFC 9110 §15.2: no 1xx to HTTP/1.0), once the response
   * has begun, or for a request this server did not receive. Invalid field names or values throw.
   */
  writeEarlyHints(request: Request, headers: Record<string, string | string[]> | [string, string][] | Headers): boolean {
    const ex = exchangeOf(request);
    if (ex === null) return false;
    const fields: string[] = [];
    const pairs = headers instanceof Headers || Array.isArray(headers) ? headers : Object.entries(headers);
    for (const [name, value] of pairs) {
      for (const one of Array.isArray(value) ? value : [value]) fields.push(name, one);
    }
    return ex.inform(103, fields);
  }

  /** pubsubStatus tells whether the `pubsub` broker is connected; null without one. */
  get pubsubStatus(): PubSubStatus | null {
    return this.#pubsub?.status ?? null;
  }

  /** requestIP returns the peer address of a request this server received, or null. */
  requestIP(request: Request): SocketAddress | null {
    const ex = exchangeOf(request);
    if (ex === null) return null;
    const peer = ex.peer;
    return { address: peer.remoteAddress, family: peer.remoteFamily, port: peer.remotePort };
  }

  /**
   * stop stops accepting connections. Graceful by default: after `shutdownDelay` seconds of lame
   * duck (still accepting and serving, the health endpoint answering 503), in-flight requests
   * finish and idle connections close at once. With `closeActiveConnections` every connection is
   * cut now, without the delay.
   */
  stop(closeActiveConnections = false): Promise<void> {
    if (closeActiveConnections) return this.#stopNow(true);
    return this.#lameDuckFor(this.#shutdownDelay).then(() => this.#stopNow(false));
  }

  /**
   * #lameDuckFor keeps serving for `ms` while health answers 503, so a balancer sees the server
   * go unhealthy before its port closes (Caddy's shutdown_delay); a forced stop ends it early.
   */
  #lameDuckFor(ms: number): Promise<void> {
    if (this.#lameDuck === null && ms > 0 && this.#stopping === null) {
      this.#lameDuck = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.#endLameDuck = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#lameDuck ?? Promise.resolve();
  }

  #stopNow(closeActiveConnections: boolean): Promise<void> {
    this.#endLameDuck();
    this.#tls?.close();
    this.#stopping ??= new Promise<void>((resolve) => this.#net.close(() => resolve()));
    if (closeActiveConnections) this.#registry.destroyAll();
    else this.#registry.shutdownAll();
    // The broker link closes last: sockets still draining keep hearing the other nodes.
    return Promise.all([this.#stopping, this.#registry.empty()]).then(() => this.#pubsub?.close());
  }

  /**
   * drain stops gracefully, after `delayMs` of lame duck (default: the `shutdownDelay` option),
   * and cuts whatever is still running `timeoutMs` after the listener has closed.
   */
  async drain(timeoutMs: number, delayMs = this.#shutdownDelay): Promise<void> {
    await this.#lameDuckFor(delayMs);
    const timer = setTimeout(() => void this.stop(true), timeoutMs);
    timer.unref();
    await this.#stopNow(false);
    clearTimeout(timer);
  }

  /** @internal joinCluster wires a worker's server to the primary. */
  joinCluster(): void {
    const address = this.#net.address();
    if (typeof address !== "object" || address === null) return;
    joinCluster({
      address: { port: address.port, address: address.address, family: address.family },
      stop: (ms, delayMs) => this.drain(ms, delayMs),
      publishLocal: (topic, data, compress) => void this.#hub.topics.publish(topic, data, compress, null, true),
      // With a broker, other workers hear a publish from the broker, not through the primary.
      setRelay: (relay) => (this.#pubsub === null ? (this.#hub.topics.relay = relay) : undefined),
      setTicketKeys: (keys, previous) => this.#tls?.setTicketKeys(keys, previous),
      pending: () => this.pendingRequests + this.pendingWebSockets,
    });
  }

  /**
   * reloadTLS replaces the certificates for new connections (the CLI does this on SIGHUP); open
   * connections keep theirs. A missing, unparsable or mismatched certificate or key throws and
   * leaves the old ones serving.
   */
  reloadTLS(tls: TlsOptions | TlsOptions[]): void {
    if (this.#tls === null) throw new Error("this server was started without tls");
    this.#tls.reload(tls);
  }

  /** @internal stopping is true once the listener is closing (after any lame duck). */
  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** @internal draining is true from the moment a stop begins, lame duck included: health answers 503. */
  get draining(): boolean {
    return this.#lameDuck !== null || this.#stopping !== null;
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
