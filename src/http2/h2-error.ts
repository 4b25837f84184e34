// HTTP/2 errors as values (RFC 9113 §5.4 and §7): every fault carries the RFC's error code and
// whether it ends one stream (RST_STREAM) or the whole connection (GOAWAY).

/** ErrorCode holds the HTTP/2 error codes of RFC 9113 §7. */
export const ErrorCode = Object.freeze({
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const);

/** ErrorCodeName is the name of one of the codes in {@link ErrorCode}. */
export type ErrorCodeName = keyof typeof ErrorCode;

/**
 * H2Error is a peer's protocol fault. With `streamId` 0 it is a connection error (answered with
 * GOAWAY and a close); otherwise a stream error (answered with RST_STREAM on that stream).
 */
export class H2Error extends Error {
  /** code is the RFC 9113 §7 error code sent to the peer. */
  readonly code: number;
  /** codeName is the code's RFC name, for logs and tests. */
  readonly codeName: ErrorCodeName;
  /** streamId is the stream to reset, or 0 when the whole connection is at fault. */
  readonly streamId: number;

  constructor(codeName: ErrorCodeName, message: string, streamId = 0) {
    super(message);
    this.name = "H2Error";
    this.codeName = codeName;
    this.code = ErrorCode[codeName];
    this.streamId = streamId;
  }

  /** isConnectionError tells whether the fault ends the connection rather than one stream. */
  get isConnectionError(): boolean {
    return this.streamId === 0;
  }
}

/** connectionError builds a connection error (RFC 9113 §5.4.1). */
export function connectionError(codeName: ErrorCodeName, message: string): H2Error {
  return new H2Error(codeName, message, 0);
}

/** streamError builds a stream error (RFC 9113 §5.4.2) for `streamId`, which must not be 0. */
export function streamError(codeName: ErrorCodeName, message: string, streamId: number): H2Error {
  if (streamId === 0) throw new RangeError("a stream error needs a stream id other than 0");
  return new H2Error(codeName, message, streamId);
}
