// ProtocolError: the one error type the engine raises for a peer's bad input.
// It carries the HTTP status to answer with and a stable code name for logs and tests.

/**
 * ProtocolErrorCode names every way a request can break the protocol or a limit; it is the
 * {@link ProtocolError.code} and appears in the error response (`400 Bad Request (HTTP_INVALID_HEADER)`).
 *
 * @example
 * ```ts
 * import { ProtocolError, type ProtocolErrorCode } from "sockserve";
 *
 * function isTooLarge(err: unknown): boolean {
 *   const code: ProtocolErrorCode | undefined = err instanceof ProtocolError ? err.code : undefined;
 *   return code === "HTTP_BODY_TOO_LARGE";
 * }
 * ```
 */
export type ProtocolErrorCode =
  | "HTTP_INVALID_REQUEST_LINE"
  | "HTTP_INVALID_METHOD"
  | "HTTP_INVALID_TARGET"
  | "HTTP_VERSION_NOT_SUPPORTED"
  | "HTTP_INVALID_HEADER"
  | "HTTP_OBS_FOLD"
  | "HTTP_BARE_LF"
  | "HTTP_BARE_CR"
  | "HTTP_MISSING_HOST"
  | "HTTP_INVALID_HOST"
  | "HTTP_INVALID_CONTENT_LENGTH"
  | "HTTP_INVALID_TRANSFER_ENCODING"
  | "HTTP_UNSUPPORTED_TRANSFER_ENCODING"
  | "HTTP_CONTENT_LENGTH_WITH_TRANSFER_ENCODING"
  | "HTTP_INVALID_CHUNK"
  | "HTTP_CHUNK_EXTENSION_TOO_LARGE"
  | "HTTP_TRAILERS_TOO_LARGE"
  | "HTTP_EXPECTATION_FAILED"
  | "HTTP_REQUEST_LINE_TOO_LONG"
  | "HTTP_METHOD_TOO_LONG"
  | "HTTP_HEADERS_TOO_LARGE"
  | "HTTP_TOO_MANY_HEADERS"
  | "HTTP_BODY_TOO_LARGE"
  | "HTTP_HEADER_TIMEOUT"
  | "HTTP_BODY_TIMEOUT"
  | "HTTP_BODY_INCOMPLETE";

/**
 * ProtocolError is thrown by the parsers and limit checks for a peer's bad input; the connection
 * answers with `status` and closes. A handler sees it when reading a request body fails (for
 * example a chunked body over `maxBodySize`); the engine has then already answered.
 *
 * @example
 * ```ts
 * import { ProtocolError, serve } from "sockserve";
 *
 * await serve({
 *   port: 0,
 *   limits: { maxBodySize: 1024 },
 *   async fetch(request) {
 *     try {
 *       return new Response(await request.text());
 *     } catch (err) {
 *       if (err instanceof ProtocolError) console.log(err.status, err.code); // 413 HTTP_BODY_TOO_LARGE
 *       throw err;
 *     }
 *   },
 * });
 * ```
 */
export class ProtocolError extends Error {
  /** status is the HTTP status the connection answers with (400, 408, 413, 414, 417, 431, 501 or 505). */
  readonly status: number;
  /** code names the fault, stable across versions. */
  readonly code: ProtocolErrorCode;

  constructor(status: number, code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.status = status;
    this.code = code;
  }
}

/** isProtocolError tells a ProtocolError from any other thrown value. */
export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}

/** bodyIncomplete is the error a request body still arriving gets when its connection ends (RFC 9112 §8). */
export function bodyIncomplete(): ProtocolError {
  return new ProtocolError(400, "HTTP_BODY_INCOMPLETE", "the connection ended before the request body was complete");
}
