// Frame types, flags, setting identifiers and protocol constants of HTTP/2 (RFC 9113 §3.4, §4.1,
// §6 and §6.5.2), plus the decoded shape of every frame the parser delivers.

/** FrameType holds the frame type codes of RFC 9113 §6. */
export const FrameType = Object.freeze({
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const);

/** Flag holds the frame flags of RFC 9113 §6; ACK and END_STREAM share bit 0x1 on different types. */
export const Flag = Object.freeze({
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const);

/** SettingId holds the SETTINGS parameter identifiers of RFC 9113 §6.5.2. */
export const SettingId = Object.freeze({
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const);

/** CLIENT_PREFACE is the 24 octets every client connection starts with (RFC 9113 §3.4). */
export const CLIENT_PREFACE: Buffer = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** FRAME_HEADER_LENGTH is the size of the fixed frame header (RFC 9113 §4.1). */
export const FRAME_HEADER_LENGTH = 9;
/** DEFAULT_MAX_FRAME_SIZE is SETTINGS_MAX_FRAME_SIZE's initial value and lowest allowed value (§6.5.2). */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
/** MAX_ALLOWED_FRAME_SIZE is the largest SETTINGS_MAX_FRAME_SIZE a peer may set: 2^24-1 (§6.5.2). */
export const MAX_ALLOWED_FRAME_SIZE = 16_777_215;
/** DEFAULT_INITIAL_WINDOW_SIZE is the initial flow-control window of streams and the connection (§6.9.2). */
export const DEFAULT_INITIAL_WINDOW_SIZE = 65_535;
/** MAX_WINDOW_SIZE is the largest flow-control window: 2^31-1 (§6.9.1). */
export const MAX_WINDOW_SIZE = 2_147_483_647;
/** DEFAULT_HEADER_TABLE_SIZE is SETTINGS_HEADER_TABLE_SIZE's initial value (§6.5.2). */
export const DEFAULT_HEADER_TABLE_SIZE = 4_096;
/** MAX_STREAM_ID is the largest 31-bit stream identifier (§5.1.1). */
export const MAX_STREAM_ID = 2_147_483_647;

/** Priority is the deprecated stream dependency of HEADERS and PRIORITY frames (§5.3.2, §6.3). */
export interface Priority {
  exclusive: boolean;
  dependency: number;
  /** weight is the wire value plus one: 1..256. */
  weight: number;
}

/** DataFrame is a DATA frame with its padding removed (§6.1). */
export interface DataFrame {
  type: typeof FrameType.DATA;
  streamId: number;
  endStream: boolean;
  data: Uint8Array;
  /** flowLength is the whole payload length, padding included: what flow control counts (§6.9). */
  flowLength: number;
}

/** HeadersFrame is a HEADERS frame; the parser delivers it once, with the whole field block (§6.2, §4.3). */
export interface HeadersFrame {
  type: typeof FrameType.HEADERS;
  streamId: number;
  endStream: boolean;
  endHeaders: boolean;
  priority: Priority | null;
  /** headerBlock is the field block fragment; once delivered, the complete field block. */
  headerBlock: Uint8Array;
}

/** PriorityFrame is a PRIORITY frame (§6.3). */
export interface PriorityFrame {
  type: typeof FrameType.PRIORITY;
  streamId: number;
  priority: Priority;
}

/** RstStreamFrame is a RST_STREAM frame (§6.4). */
export interface RstStreamFrame {
  type: typeof FrameType.RST_STREAM;
  streamId: number;
  errorCode: number;
}

/** Setting is one identifier/value pair of a SETTINGS frame (§6.5.1). */
export interface Setting {
  id: number;
  value: number;
}

/** SettingsFrame is a SETTINGS frame, in wire order; an ACK carries no settings (§6.5). */
export interface SettingsFrame {
  type: typeof FrameType.SETTINGS;
  streamId: 0;
  ack: boolean;
  settings: Setting[];
}

/** PushPromiseFrame is a PUSH_PROMISE frame with padding removed (§6.6); only a server sends one. */
export interface PushPromiseFrame {
  type: typeof FrameType.PUSH_PROMISE;
  streamId: number;
  endHeaders: boolean;
  promisedStreamId: number;
  headerBlock: Uint8Array;
}

/** PingFrame is a PING frame: 8 opaque octets (§6.7). */
export interface PingFrame {
  type: typeof FrameType.PING;
  streamId: 0;
  ack: boolean;
  opaqueData: Uint8Array;
}

/** GoawayFrame is a GOAWAY frame (§6.8). */
export interface GoawayFrame {
  type: typeof FrameType.GOAWAY;
  streamId: 0;
  lastStreamId: number;
  errorCode: number;
  debugData: Uint8Array;
}

/** WindowUpdateFrame is a WINDOW_UPDATE frame (§6.9); streamId 0 is the connection's window. */
export interface WindowUpdateFrame {
  type: typeof FrameType.WINDOW_UPDATE;
  streamId: number;
  windowSizeIncrement: number;
}

/** ContinuationFrame is a CONTINUATION frame (§6.10); the parser merges it into its HEADERS. */
export interface ContinuationFrame {
  type: typeof FrameType.CONTINUATION;
  streamId: number;
  endHeaders: boolean;
  headerBlock: Uint8Array;
}

/** Frame is any frame the parser delivers (CONTINUATION never is: it is merged). */
export type Frame =
  | DataFrame
  | HeadersFrame
  | PriorityFrame
  | RstStreamFrame
  | SettingsFrame
  | PushPromiseFrame
  | PingFrame
  | GoawayFrame
  | WindowUpdateFrame;

/** FrameHeader is the fixed 9-octet frame header (§4.1), the reserved bit dropped. */
export interface FrameHeader {
  length: number;
  type: number;
  flags: number;
  streamId: number;
}
