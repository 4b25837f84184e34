// ServeOptions: everything serve() accepts.
import type { AccessLogEntry } from "./access-log.js";
import type { CompressOptions } from "../compress/compress.js";
import type { Limits } from "../http/limits.js";
import type { TlsOptions } from "../net/tls-accept.js";
import type { Routes } from "../router/router.js";
import type { WebSocketHandler } from "../websocket/websocket-handler.js";
import type { PubSubBroker } from "./pubsub-broker.js";
import type { Server } from "./server.js";

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
  /** error turns a handler fault into a response; without it the client gets a plain 500. A thrown HttpError never reaches it. */
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
  /**
   * tls serves HTTPS (and WSS): PEM `cert` and `key`, optional `ca` and `passphrase`; an array
   * serves several names by SNI (`serverName`, wildcards "*.example.test"; the first is the
   * default). ALPN offers the engines' protocols (h2 and http/1.1); a client offering none of them gets
   * the no_application_protocol alert.
   */
  tls?: TlsOptions | TlsOptions[];
  /**
   * ticketKeyRotation: seconds one TLS session ticket key encrypts new tickets before a fresh one
   * replaces it; the replaced key still decrypts for one more period, so resumption survives a
   * rotation. With `workers` the primary rotates the keys all the workers share. Default 3600.
   */
  ticketKeyRotation?: number;
  /**
   * http2 turns HTTP/2 on or off. With `tls` it is on unless false (ALPN offers "h2" then
   * "http/1.1"); on plain TCP, `true` also accepts h2c by prior knowledge on the same port.
   */
  http2?: boolean;
  /**
   * workers runs N processes sharing the port (node:cluster); "auto" is one per CPU. Default 1.
   * In the primary, serve() forks them and returns a ClusterServer; in each worker it serves.
   */
  workers?: number | "auto";
  /** drainTimeout: seconds a graceful stop waits for in-flight requests before cutting them. Default 10. */
  drainTimeout?: number;
  /**
   * shutdownDelay: seconds of lame duck at the start of a graceful stop (`server.stop()`, drain,
   * SIGTERM in the CLI), as Caddy's shutdown_delay: the server keeps accepting and serving while
   * the health endpoint answers 503, then closes its listener and drains. Default 0.
   */
  shutdownDelay?: number;
  /** health answers GET /.well-known/sockserve/health: 200 while serving, 503 once stopping (lame duck included). */
  health?: boolean;
  /** maxConnections refuses connections beyond this many (logged once per 10 s, not per connection). */
  maxConnections?: number;
  /**
   * compress runs every response through {@link compress} (br or gzip as Accept-Encoding allows,
   * for compressible types of at least 1 KiB); `true` for the defaults, or its options. Default off.
   */
  compress?: boolean | CompressOptions;
  /**
   * pubsub carries server.publish() and ws.publish() to every node through a broker:
   * `redisPubSub()` from "sockserve/pubsub/redis" or `postgresPubSub()` from "sockserve/pubsub/postgres".
   */
  pubsub?: PubSubBroker;
  /** accessLog receives an entry for every exchange once its response is complete or cut short. */
  accessLog?: (entry: AccessLogEntry) => void;
}
