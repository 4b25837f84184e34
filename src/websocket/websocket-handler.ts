// WebSocketHandler: the public type of the `websocket` option of serve(), tied to ServerWebSocket.
import type { ServerWebSocket } from "./server-websocket.js";
import type { WebSocketHandlerOf } from "./websocket-config.js";

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
export type WebSocketHandler<T = undefined> = WebSocketHandlerOf<ServerWebSocket<T>>;
