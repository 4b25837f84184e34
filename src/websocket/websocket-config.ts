// WebSocketConfig: the `websocket` option of serve(), in Bun's shape, with its defaults resolved.
// It is generic over the socket type `S`, so that it needs nothing from the socket's own module.
import { resolveWebSocketLimits } from "../http/limits.js";

/** WebSocketHandlerOf is {@link WebSocketHandler} for any socket type `S` (see websocket-handler.ts). */
export interface WebSocketHandlerOf<S> {
  /** open is called once the 101 is sent. */
  open?(ws: S): void;
  /** message gets a string for a text message and a Buffer for a binary one. */
  message(ws: S, message: string | Buffer): void | Promise<void>;
  /** close is called once the socket is closed, with the close code and reason. */
  close?(ws: S, code: number, reason: string): void;
  /** drain fires when a socket that reported backpressure (-1) can take more. */
  drain?(ws: S): void;
  /** ping is called for each ping from the peer (which sockserve answers itself). */
  ping?(ws: S, data: Buffer): void;
  /** pong is called for each pong from the peer. */
  pong?(ws: S, data: Buffer): void;
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
export interface WebSocketConfig<S> {
  open: WebSocketHandlerOf<S>["open"];
  message: WebSocketHandlerOf<S>["message"];
  close: WebSocketHandlerOf<S>["close"];
  drain: WebSocketHandlerOf<S>["drain"];
  ping: WebSocketHandlerOf<S>["ping"];
  pong: WebSocketHandlerOf<S>["pong"];
  protocol: WebSocketHandlerOf<S>["protocol"];
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
export function resolveWebSocketConfig<S>(h: WebSocketHandlerOf<S>): WebSocketConfig<S> {
  if (typeof h.message !== "function") throw new TypeError("websocket.message(ws, message) is required");
  const limits = resolveWebSocketLimits({
    maxPayloadLength: h.maxPayloadLength,
    backpressureLimit: h.backpressureLimit,
    idleTimeout: h.idleTimeout === undefined ? undefined : h.idleTimeout * 1000,
    closeTimeout: h.closeTimeout === undefined ? undefined : h.closeTimeout * 1000,
  });
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
    maxPayloadLength: limits.maxPayloadLength,
    idleTimeout: limits.idleTimeout,
    backpressureLimit: limits.backpressureLimit,
    closeOnBackpressureLimit: h.closeOnBackpressureLimit ?? false,
    sendPings: h.sendPings ?? true,
    publishToSelf: h.publishToSelf ?? false,
    closeTimeout: limits.closeTimeout,
    pauseWhileHandling: h.pauseWhileHandling ?? false,
  };
}
