// WebSocketError: a protocol fault found in a peer's frames, with the close code to answer with
// (RFC 6455 §7.4.1) and a stable name, as the HTTP engine's ProtocolError carries a status.

/** WebSocketErrorCode names each way a peer can break the protocol or a limit. */
export type WebSocketErrorCode =
  | "WS_RSV_BITS"
  | "WS_BAD_OPCODE"
  | "WS_UNMASKED_FRAME"
  | "WS_CONTROL_TOO_LONG"
  | "WS_CONTROL_FRAGMENTED"
  | "WS_UNEXPECTED_CONTINUATION"
  | "WS_EXPECTED_CONTINUATION"
  | "WS_MESSAGE_TOO_BIG"
  | "WS_INVALID_UTF8"
  | "WS_INVALID_CLOSE_CODE"
  | "WS_INVALID_CLOSE_FRAME"
  | "WS_INFLATE_FAILED";

/** WebSocketError is thrown by the frame parser and the receiver; the socket closes with `closeCode`. */
export class WebSocketError extends Error {
  readonly closeCode: number;
  readonly code: WebSocketErrorCode;

  constructor(closeCode: number, code: WebSocketErrorCode, message: string) {
    super(message);
    this.name = "WebSocketError";
    this.closeCode = closeCode;
    this.code = code;
  }
}
