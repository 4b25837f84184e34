// Limits: every bound the HTTP engine enforces, with its name, default and unit.
// Each one is crossed by a test in test/http/limits.test.ts and test/e2e/limits.test.ts.

/**
 * Limits bounds every resource a peer can make the engine spend. Sizes are bytes, times
 * milliseconds. Pass any subset as `serve({ limits })`; the rest keep {@link defaultLimits}.
 *
 * @example
 * ```ts
 * import { serve, type Limits } from "sockserve";
 *
 * const limits: Partial<Limits> = { maxHeaderCount: 50, headerTimeout: 10_000 };
 * await serve({ port: 0, limits, fetch: () => new Response("ok") });
 * ```
 */
export interface Limits {
  /** maxRequestLineSize: longest request-line (RFC 9112 §3). Crossing it gives 414, or 501 when the method alone fills it. */
  maxRequestLineSize: number;
  /** maxHeaderSize: longest header section, request-line included. Crossing it gives 431. */
  maxHeaderSize: number;
  /** maxHeaderCount: most header fields in one request. Crossing it gives 431. */
  maxHeaderCount: number;
  /** maxBodySize: largest request body, after de-chunking. Crossing it gives 413. */
  maxBodySize: number;
  /** maxChunkExtensionSize: longest chunk-ext on a single chunk-size line. Crossing it gives 400. */
  maxChunkExtensionSize: number;
  /** maxTrailerSize: largest trailer section of a chunked body. Crossing it gives 431. */
  maxTrailerSize: number;
  /** headerTimeout: time allowed from a request's first byte to the end of its header section. Gives 408 and close. */
  headerTimeout: number;
  /** keepAliveTimeout: how long an idle persistent connection waits for the next request before it is closed. */
  keepAliveTimeout: number;
  /** bodyTimeout: longest silence while a request body is still arriving. Gives 408 (or a reset once a response has begun). */
  bodyTimeout: number;
  /** maxDrainSize: request body bytes the engine will read and discard after a handler ignored them, before it closes instead. */
  maxDrainSize: number;
  /** lingerTimeout: how long a closing connection keeps reading (and discarding) so the peer sees the response, not a reset. */
  lingerTimeout: number;
  /**
   * sendTimeout: longest time response bytes may wait without the peer taking any of them (as
   * nginx's send_timeout). Crossing it closes the connection (on HTTP/2, a stream waiting for a
   * window of its own is reset instead); a slow reader that keeps taking bytes is never cut.
   */
  sendTimeout: number;
  /** bodyHighWaterMark: unread request body bytes queued for a handler before the engine stops reading the socket. */
  bodyHighWaterMark: number;
  /** maxRequestIdLength: longest client X-Request-Id that is echoed and logged; a longer one is ignored. */
  maxRequestIdLength: number;
  /** tlsHandshakeTimeout: time from accepting a TLS connection to the end of its handshake; past it the connection is closed. */
  tlsHandshakeTimeout: number;
  /**
   * maxTlsHandshakes: TLS handshakes in progress at once. A connection accepted past it closes the
   * oldest handshake still in progress, so stalled handshakes cannot crowd out new clients.
   */
  maxTlsHandshakes: number;
  /** maxConcurrentStreams: HTTP/2 streams (and so handlers) running at once per connection; past it, REFUSED_STREAM. */
  maxConcurrentStreams: number;
  /** maxHeaderListSize: HTTP/2 header list size (name + value + 32 octets per field, RFC 9113 §6.5.2). Crossing it gives 431. */
  maxHeaderListSize: number;
  /** maxFieldCount: most fields in one HTTP/2 header block, each cookie crumb counted. Crossing it gives 431. */
  maxFieldCount: number;
  /** hpackTableSize: the HPACK dynamic table we let the peer use (SETTINGS_HEADER_TABLE_SIZE). */
  hpackTableSize: number;
  /** maxContinuationFrames: CONTINUATION frames after one HEADERS. Crossing it ends the connection (ENHANCE_YOUR_CALM). */
  maxContinuationFrames: number;
  /** maxHeaderBlockSize: compressed octets of one HTTP/2 header block, all frames together. Crossing it ends the connection. */
  maxHeaderBlockSize: number;
  /** initialStreamWindow: bytes of request body a stream may send before its handler reads (SETTINGS_INITIAL_WINDOW_SIZE). */
  initialStreamWindow: number;
  /** initialConnectionWindow: bytes of request bodies all streams of a connection may have unread; advertised at start. */
  initialConnectionWindow: number;
  /** maxFrameSize: the largest HTTP/2 frame we accept (SETTINGS_MAX_FRAME_SIZE, 16384..16777215). */
  maxFrameSize: number;
  /** maxQueuedControlFrames: PING/SETTINGS ACKs and RST_STREAMs owed to a peer that does not read. Crossing it ends the connection. */
  maxQueuedControlFrames: number;
  /**
   * misbehaviourBudget: tokens per HTTP/2 connection, refilled at a tenth of it per second, that
   * resets received or sent, empty DATA frames, zero-length WINDOW_UPDATEs, frames for closed
   * streams, and the SETTINGS and PINGs that each cost a reply draw from. Exhaustion ends the connection with GOAWAY ENHANCE_YOUR_CALM.
   */
  misbehaviourBudget: number;
  /** settingsAckTimeout: how long the peer has to acknowledge our SETTINGS; then GOAWAY SETTINGS_TIMEOUT. */
  settingsAckTimeout: number;
}

/**
 * defaultLimits holds the default {@link Limits}, close to nginx and Go's net/http (frozen).
 *
 * @example
 * ```ts
 * import { defaultLimits, serve } from "sockserve";
 *
 * console.log(defaultLimits.maxBodySize); // 134217728 (128 MiB)
 * await serve({
 *   port: 0,
 *   limits: { maxBodySize: defaultLimits.maxBodySize * 4 },
 *   fetch: () => new Response("ok"),
 * });
 * ```
 */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxRequestLineSize: 8 * 1024,
  maxHeaderSize: 16 * 1024,
  maxHeaderCount: 100,
  maxBodySize: 128 * 1024 * 1024,
  maxChunkExtensionSize: 4 * 1024,
  maxTrailerSize: 16 * 1024,
  headerTimeout: 30_000,
  keepAliveTimeout: 5_000,
  bodyTimeout: 30_000,
  maxDrainSize: 256 * 1024,
  lingerTimeout: 2_000,
  sendTimeout: 60_000,
  bodyHighWaterMark: 64 * 1024,
  maxRequestIdLength: 200,
  tlsHandshakeTimeout: 10_000,
  maxTlsHandshakes: 1024,
  maxConcurrentStreams: 100,
  maxHeaderListSize: 16 * 1024,
  maxFieldCount: 128,
  hpackTableSize: 4096,
  maxContinuationFrames: 16,
  maxHeaderBlockSize: 64 * 1024,
  initialStreamWindow: 256 * 1024,
  initialConnectionWindow: 16 * 1024 * 1024,
  maxFrameSize: 16_384,
  maxQueuedControlFrames: 1000,
  misbehaviourBudget: 1000,
  settingsAckTimeout: 10_000,
});

/** resolveLimits merges partial overrides onto the defaults and rejects values that are not positive numbers. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = mergeLimits(defaultLimits, overrides);
  // RFC 9113 §6.5.2 and §6.9.1 bound these on the wire: refuse what could not be advertised.
  inRange(limits, "maxFrameSize", 16_384, 16_777_215);
  inRange(limits, "initialStreamWindow", 1, 2_147_483_647);
  inRange(limits, "initialConnectionWindow", 65_535, 2_147_483_647);
  return limits;
}

function inRange(limits: Limits, name: "maxFrameSize" | "initialStreamWindow" | "initialConnectionWindow", min: number, max: number): void {
  const value = limits[name];
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`limit "${name}" must be an integer in ${min}..${max}, got ${value}`);
}

/**
 * WebSocketLimits bounds one WebSocket (RFC 6455): they come from the `websocket` handler's
 * options (Bun's names, times there in seconds), resolved here in bytes and milliseconds.
 */
export interface WebSocketLimits {
  /** maxPayloadLength: largest message, and its inflated size. Crossing it closes with 1009. */
  maxPayloadLength: number;
  /** backpressureLimit: bytes queued for one socket before messages are dropped (or the socket closed). */
  backpressureLimit: number;
  /** idleTimeout: silence after which a socket is closed (0: never). */
  idleTimeout: number;
  /** closeTimeout: how long to wait for the peer's Close after ours before cutting the connection. */
  closeTimeout: number;
}

/** defaultWebSocketLimits holds the default {@link WebSocketLimits} (frozen). */
export const defaultWebSocketLimits: Readonly<WebSocketLimits> = Object.freeze({
  maxPayloadLength: 16 * 1024 * 1024,
  backpressureLimit: 16 * 1024 * 1024,
  idleTimeout: 120_000,
  closeTimeout: 5_000,
});

/** resolveWebSocketLimits merges overrides onto the WebSocket defaults, checked like every other limit (idleTimeout may be 0). */
export function resolveWebSocketLimits(overrides: Partial<WebSocketLimits>): WebSocketLimits {
  return mergeLimits(defaultWebSocketLimits, overrides, ["idleTimeout"]);
}

/** mergeLimits puts overrides over defaults; every value must be a positive number (or 0 where `zeroAllowed`). */
function mergeLimits<T extends object>(defaults: Readonly<T>, overrides: Partial<T>, zeroAllowed: readonly string[] = []): T {
  const limits = { ...defaults } as T;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(name in defaults)) throw new TypeError(`unknown limit "${name}"`);
    const ok = typeof value === "number" && (value > 0 || (value === 0 && zeroAllowed.includes(name)));
    if (!ok) throw new RangeError(`limit "${name}" must be a positive number, got ${String(value)}`);
    (limits as Record<string, number>)[name] = value;
  }
  return limits;
}
