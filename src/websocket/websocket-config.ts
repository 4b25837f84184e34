// WebSocketConfig: the `websocket` option of serve(), in Bun's shape, with its defaults resolved.
import type { ServerWebSocket } from "./server-websocket.js";

/**
 * WebSocketHandler is what an app passes as `websocket` to serve() (Bun's shape): the `open`,
 * `message`, `close`, `drain`, `ping` and `pong` handlers and the socket options. `T` is the type
 * of `ws.data`. Times are in seconds, sizes in bytes.
 *
 * @example
 * ```ts
 * import { serve, type WebSocketHandler } from "sockserve";
 *
 * const chat: WebSocketHandler<{ user: string }> = {
 *   open(ws) { ws.subscribe("chat"); },
 *   message(ws, message) { ws.publish("chat", `${ws.data.user}: ${String(message)}`); },
 *   idleTimeout: 60,
 * };
 * await serve({
 *   port: 0,
 *   fetch: (request, server) => (server.upgrade(request, { data: { user: "guest" } }) ? undefined : new Response("hi")),
 *   websocket: chat,
 * });
 * ```
 */
export interface WebSocketHandler<T = undefined> {
  /** open is called once the 101 is sent. */
  open?(ws: ServerWebSocket<T>): void;
  /** message gets a string for a text message and a Buffer for a binary one. */
  message(ws: ServerWebSocket<T>, message: string | Buffer): void | Promise<void>;
  /** close is called once the socket is closed, with the close code and reason. */
  close?(ws: ServerWebSocket<T>, code: number, reason: string): void;
  /** drain fires when a socket that reported backpressure (-1) can take more. */
  drain?(ws: ServerWebSocket<T>): void;
  /** ping is called for each ping from the peer (which sockserve answers itself). */
  ping?(ws: ServerWebSocket<T>, data: Buffer): void;
  /** pong is called for each pong from the peer. */
  pong?(ws: ServerWebSocket<T>, data: Buffer): void;
  /** protocol picks one of the client's offered subprotocols (Sec-WebSocket-Protocol), or none. */
  protocol?(offered: string[], request: Request): string | null | undefined;
  /** perMessageDeflate negotiates RFC 7692 compression. Default false. */
  perMessageDeflate?: boolean | { threshold?: number; serverNoContextTakeover?: boolean };
  /** maxPayloadLength bounds a message (and its inflated size): above it the socket closes with 1009. Default 16 MiB. */
  maxPayloadLength?: number;
  /** idleTimeout closes sockets silent this long (seconds; 0 = never). Default 120. */
  idleTimeout?: number;
  /** backpressureLimit: bytes buffered for a socket before messages are dropped. Default 16 MiB. */
  backpressureLimit?: number;
  /** closeOnBackpressureLimit closes (1008) instead of dropping. Default false. */
  closeOnBackpressureLimit?: boolean;
  /** sendPings pings sockets idle for half of idleTimeout, so live peers are not cut. Default true. */
  sendPings?: boolean;
  /** publishToSelf makes ws.publish reach the sender too. Default false. */
  publishToSelf?: boolean;
  /** closeTimeout: seconds to wait for the peer's answer to our Close before cutting the connection. Default 5. */
  closeTimeout?: number;
  /** pauseWhileHandling stops reading while an async message() is running. Default false. */
  pauseWhileHandling?: boolean;
}

/** WebSocketConfig is the handler with every default filled in (times in ms). */
export interface WebSocketConfig<T> {
  open: WebSocketHandler<T>["open"];
  message: WebSocketHandler<T>["message"];
  close: WebSocketHandler<T>["close"];
  drain: WebSocketHandler<T>["drain"];
  ping: WebSocketHandler<T>["ping"];
  pong: WebSocketHandler<T>["pong"];
  protocol: WebSocketHandler<T>["protocol"];
  deflate: { threshold: number; serverNoContextTakeover: boolean } | null;
  compressThreshold: number;
  maxPayloadLength: number;
  idleTimeout: number;
  backpressureLimit: number;
  closeOnBackpressureLimit: boolean;
  sendPings: boolean;
  publishToSelf: boolean;
  closeTimeout: number;
  pauseWhileHandling: boolean;
}

/** resolveWebSocketConfig fills in the defaults. */
export function resolveWebSocketConfig<T>(h: WebSocketHandler<T>): WebSocketConfig<T> {
  if (typeof h.message !== "function") throw new TypeError("websocket.message(ws, message) is required");
  const pmd = h.perMessageDeflate;
  const deflate = pmd === undefined || pmd === false ? null : { threshold: (pmd === true ? undefined : pmd.threshold) ?? 1024, serverNoContextTakeover: (pmd === true ? undefined : pmd.serverNoContextTakeover) ?? true };
  return {
    open: h.open,
    message: h.message,
    close: h.close,
    drain: h.drain,
    ping: h.ping,
    pong: h.pong,
    protocol: h.protocol,
    deflate,
    compressThreshold: deflate?.threshold ?? 1024,
    maxPayloadLength: h.maxPayloadLength ?? 16 * 1024 * 1024,
    idleTimeout: (h.idleTimeout ?? 120) * 1000,
    backpressureLimit: h.backpressureLimit ?? 16 * 1024 * 1024,
    closeOnBackpressureLimit: h.closeOnBackpressureLimit ?? false,
    sendPings: h.sendPings ?? true,
    publishToSelf: h.publishToSelf ?? false,
    closeTimeout: (h.closeTimeout ?? 5) * 1000,
    pauseWhileHandling: h.pauseWhileHandling ?? false,
  };
}
