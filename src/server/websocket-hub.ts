// WebSocketHub: what serve() adds for WebSockets. server.upgrade() checks the handshake, answers
// 101 through the engine and hands the socket to a ServerWebSocket; topics are shared by all sockets.
import type { Duplex } from "node:stream";
import { exchangeOf, requestHeader } from "../fetch/incoming-request.js";
import { isFieldValue, isToken } from "../http/chars.js";
import { acceptFields, checkHandshake } from "../websocket/handshake.js";
import { negotiateDeflate, PerMessageDeflate } from "../websocket/permessage-deflate.js";
import { Topics } from "../websocket/pubsub.js";
import { ServerWebSocket } from "../websocket/server-websocket.js";
import { resolveWebSocketConfig, type WebSocketConfig } from "../websocket/websocket-config.js";
import type { WebSocketHandler } from "../websocket/websocket-handler.js";

/**
 * UpgradeOptions is the second argument of `server.upgrade()`: `data` to attach to the socket
 * as `ws.data`, and extra `headers` for the 101 response.
 *
 * @example
 * ```ts
 * import { serve, type UpgradeOptions } from "sockserve";
 *
 * await serve({
 *   port: 0,
 *   fetch(request, server) {
 *     const options: UpgradeOptions<{ room: string }> = { data: { room: "lobby" }, headers: { "X-Room": "lobby" } };
 *     if (server.upgrade(request, options)) return; // 101 sent by sockserve
 *     return new Response("Expected a WebSocket", { status: 426 });
 *   },
 *   websocket: { message(ws, message) { ws.send(message); } },
 * });
 * ```
 */
export interface UpgradeOptions<T> {
  /** data is attached to the socket as ws.data. */
  data?: T;
  /** headers are added to the 101 response. */
  headers?: Record<string, string> | [string, string][];
}

/** SocketTracker is what the hub needs of the server: swap a connection for a socket in the registry. */
export interface SocketTracker {
  isStopping(): boolean;
  adopt(ws: ServerWebSocket<unknown>, socket: Duplex): void;
}

/** WebSocketHub owns the `websocket` config and the topics of one server. */
export class WebSocketHub {
  readonly topics = new Topics<ServerWebSocket<unknown>>();
  #config: WebSocketConfig<ServerWebSocket<unknown>> | null;
  #tracker: SocketTracker;

  constructor(handler: WebSocketHandler<unknown> | undefined, tracker: SocketTracker) {
    this.#config = handler === undefined ? null : resolveWebSocketConfig(handler);
    this.#tracker = tracker;
  }

  /**
   * upgrade switches a WebSocket handshake request to the WebSocket protocol. It returns false for
   * a request that is not one; a malformed handshake is answered here (400, or 426 for a wrong
   * version) and the handler's own response is then ignored.
   */
  upgrade(request: Request, options: UpgradeOptions<unknown> = {}): boolean {
    const config = this.#config;
    if (config === null) throw new TypeError("server.upgrade() needs a `websocket` handler in serve()");
    const ex = exchangeOf(request);
    // An HTTP/2 stream cannot switch protocols (RFC 9113 §8.6): false, unanswered, so the app's fallback runs.
    if (ex === null || ex.responseStarted || ex.head.protocol === "HTTP/2") return false;
    const field = (name: string): string | null => requestHeader(request, name);
    if (field("upgrade") === null) return false;
    const check = checkHandshake(ex.head.method, ex.head.protocol, field);
    if (!check.ok) {
      const headers = check.status === 426 ? ["Sec-WebSocket-Version", "13"] : [];
      ex.respond({ status: check.status, statusText: "", headers: [...headers, "Content-Type", "text/plain; charset=utf-8"], body: `${check.reason}\n`, bodyLength: -1 });
      return false;
    }
    if (this.#tracker.isStopping()) {
      ex.respond({ status: 503, statusText: "", headers: ["Connection", "close", "Content-Type", "text/plain; charset=utf-8"], body: "server is stopping\n", bodyLength: -1 });
      return false;
    }
    const chosen = config.protocol?.(check.protocols, request) ?? null;
    const protocol = chosen !== null && check.protocols.includes(chosen) ? chosen : null;
    const negotiated = config.deflate === null ? null : negotiateDeflate(check.extensions, config.deflate);
    const fields = acceptFields(check.key, protocol, negotiated?.response ?? null, extraHeaders(options.headers));
    const remoteAddress = ex.peer.remoteAddress;
    ex.upgrade("websocket", fields, (socket, rest) => {
      const deflate = negotiated === null ? null : new PerMessageDeflate(negotiated.params);
      const ws = new ServerWebSocket(socket, config, this.topics, options.data, remoteAddress, deflate);
      this.#tracker.adopt(ws, socket);
      queueMicrotask(() => ws.start(rest));
    });
    return true;
  }

  /** publish sends to every subscriber of a topic; it returns the payload bytes sent, or 0 when no one listens. */
  publish(topic: string, data: string | ArrayBufferView | ArrayBuffer, compress = false): number {
    const bytes = typeof data === "string" || data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return this.topics.publish(topic, bytes, compress, null);
  }

  subscriberCount(topic: string): number {
    return this.topics.subscriberCount(topic);
  }
}


function extraHeaders(headers: UpgradeOptions<unknown>["headers"]): [string, string][] {
  const pairs = headers === undefined ? [] : Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of pairs) {
    if (!isToken(name) || !isFieldValue(value)) throw new TypeError(`invalid upgrade response header ${JSON.stringify(name)}`);
  }
  return pairs;
}
