// sockserve's public API. Everything an app may use is exported from here and nowhere else.
export { Server, type SocketAddress } from "./server/server.js";
export { serve, type ServeOptions } from "./server/serve.js";
export { defaultLimits, type Limits } from "./http/limits.js";
export { ProtocolError, type ProtocolErrorCode } from "./http/protocol-error.js";
export { LightResponse, NativeResponse } from "./fetch/light-response.js";
export { serveStatic, type StaticOptions } from "./static/serve-static.js";
export { formatAccessLog, type AccessLogEntry, type AccessLogFormat } from "./server/access-log.js";
export { ServerWebSocket, ReadyState } from "./websocket/server-websocket.js";
export type { WebSocketHandler } from "./websocket/websocket-handler.js";
export type { UpgradeOptions } from "./server/websocket-hub.js";
export { cgi, type CgiOptions } from "./cgi/cgi-handler.js";
export { HttpError } from "./router/http-error.js";
export type { Routes } from "./router/router.js";
export type { RouteHandler, MethodHandlers } from "./router/route-table.js";
export type { TlsOptions } from "./net/tls-accept.js";
export { ClusterServer } from "./server/cluster-server.js";
export type { PubSubBroker, PubSubEvents, PubSubMessage, PubSubStatus } from "./server/pubsub-broker.js";
