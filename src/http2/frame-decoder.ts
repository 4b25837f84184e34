// Frame decoding as pure functions (RFC 9113 §4.2 and §6): the checks a frame header allows before
// its payload is read, then each known type's payload turned into a typed frame.
import { connectionError, streamError, type H2Error } from "./h2-error.js";
import {
  Flag,
  FrameType,
  type ContinuationFrame,
  type DataFrame,
  type Frame,
  type FrameHeader,
  type HeadersFrame,
  type Priority,
  type PushPromiseFrame,
  type Setting,
  type SettingsFrame,
  type WindowUpdateFrame,
} from "./frame-types.js";

/** DecodedFrame is what a payload decodes to; CONTINUATION is still separate here. */
export type DecodedFrame = Frame | ContinuationFrame;

const ON_STREAM = 1; // the type MUST NOT be on stream 0
const ON_CONNECTION = 2; // the type MUST be on stream 0
/** STREAM_RULE[type] says where each known frame type may be sent (§6.1 to §6.10). */
const STREAM_RULE = [ON_STREAM, ON_STREAM, ON_STREAM, ON_STREAM, ON_CONNECTION, ON_STREAM, ON_CONNECTION, ON_CONNECTION, 0, ON_STREAM];
const TYPE_NAMES = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"];

/** isKnownFrameType tells whether `type` is one of RFC 9113's; others are ignored (§5.5). */
export function isKnownFrameType(type: number): boolean {
  return type <= FrameType.CONTINUATION;
}

/**
 * checkFrameHeader applies the checks a known frame's header allows: the stream it may be on and
 * fixed payload lengths. It throws connection errors and returns a stream error (the frame is then
 * skipped), or null.
 */
export function checkFrameHeader(h: FrameHeader): H2Error | null {
  const rule = STREAM_RULE[h.type];
  const name = TYPE_NAMES[h.type];
  if (rule === ON_STREAM && h.streamId === 0) throw connectionError("PROTOCOL_ERROR", `${name} frame on stream 0`);
  if (rule === ON_CONNECTION && h.streamId !== 0) throw connectionError("PROTOCOL_ERROR", `${name} frame on stream ${h.streamId}`);
  switch (h.type) {
    case FrameType.PRIORITY:
      // §6.3: "a stream error of type FRAME_SIZE_ERROR"
      return h.length === 5 ? null : streamError("FRAME_SIZE_ERROR", "PRIORITY frame length is not 5", h.streamId);
    case FrameType.RST_STREAM:
    case FrameType.WINDOW_UPDATE:
      if (h.length !== 4) throw connectionError("FRAME_SIZE_ERROR", `${name} frame length is not 4`);
      return null;
    case FrameType.SETTINGS:
      if ((h.flags & Flag.ACK) !== 0 && h.length !== 0) throw connectionError("FRAME_SIZE_ERROR", "SETTINGS ACK with a payload");
      if (h.length % 6 !== 0) throw connectionError("FRAME_SIZE_ERROR", "SETTINGS length is not a multiple of 6");
      return null;
    case FrameType.PING:
      if (h.length !== 8) throw connectionError("FRAME_SIZE_ERROR", "PING frame length is not 8");
      return null;
    case FrameType.GOAWAY:
      if (h.length < 8) throw connectionError("FRAME_SIZE_ERROR", "GOAWAY frame shorter than 8");
      return null;
    default:
      return null;
  }
}

/** uint31 reads a 31-bit value at `i`, dropping the reserved high bit (§4.1). */
function uint31(p: Uint8Array, i: number): number {
  return (p[i] & 0x7f) * 0x1000000 + ((p[i + 1] << 16) | (p[i + 2] << 8) | p[i + 3]);
}

function uint32(p: Uint8Array, i: number): number {
  return p[i] * 0x1000000 + ((p[i + 1] << 16) | (p[i + 2] << 8) | p[i + 3]);
}

function priorityAt(p: Uint8Array, i: number): Priority {
  return { exclusive: (p[i] & 0x80) !== 0, dependency: uint31(p, i), weight: p[i + 4] + 1 };
}

/**
 * unpad returns the end of the content once the Pad Length octet (read at 0) and `fixed` more
 * octets are set aside; padding that reaches into them is a connection PROTOCOL_ERROR (§6.1, §6.2).
 */
function unpad(h: FrameHeader, p: Uint8Array, fixed: number): number {
  if ((h.flags & Flag.PADDED) === 0) {
    if (p.length < fixed) throw connectionError("FRAME_SIZE_ERROR", `${TYPE_NAMES[h.type]} frame too short`);
    return p.length;
  }
  if (p.length < 1 + fixed) throw connectionError("FRAME_SIZE_ERROR", `${TYPE_NAMES[h.type]} frame too short for its padding`);
  const padLength = p[0];
  if (padLength > p.length - 1 - fixed) throw connectionError("PROTOCOL_ERROR", "padding exceeds the frame payload");
  return p.length - padLength;
}

/** decodeData decodes a DATA frame (§6.1). */
function decodeData(h: FrameHeader, p: Uint8Array): DataFrame {
  const end = unpad(h, p, 0);
  const start = (h.flags & Flag.PADDED) === 0 ? 0 : 1;
  const endStream = (h.flags & Flag.END_STREAM) !== 0;
  return { type: FrameType.DATA, streamId: h.streamId, endStream, data: p.subarray(start, end), flowLength: p.length };
}

/** decodeHeaders decodes a HEADERS frame (§6.2); a self-dependency is reported, the block kept for HPACK. */
function decodeHeaders(h: FrameHeader, p: Uint8Array, report: (e: H2Error) => void): HeadersFrame {
  const hasPriority = (h.flags & Flag.PRIORITY) !== 0;
  const end = unpad(h, p, hasPriority ? 5 : 0);
  let start = (h.flags & Flag.PADDED) === 0 ? 0 : 1;
  let priority: Priority | null = null;
  if (hasPriority) {
    priority = priorityAt(p, start);
    start += 5;
    // §5.3.1: "A stream cannot depend on itself ... a stream error of type PROTOCOL_ERROR"
    if (priority.dependency === h.streamId) report(streamError("PROTOCOL_ERROR", "stream depends on itself", h.streamId));
  }
  return {
    type: FrameType.HEADERS,
    streamId: h.streamId,
    endStream: (h.flags & Flag.END_STREAM) !== 0,
    endHeaders: (h.flags & Flag.END_HEADERS) !== 0,
    priority,
    headerBlock: p.subarray(start, end),
  };
}

function decodeSettings(h: FrameHeader, p: Uint8Array): SettingsFrame {
  const settings: Setting[] = [];
  for (let i = 0; i < p.length; i += 6) settings.push({ id: (p[i] << 8) | p[i + 1], value: uint32(p, i + 2) });
  return { type: FrameType.SETTINGS, streamId: 0, ack: (h.flags & Flag.ACK) !== 0, settings };
}

function decodePushPromise(h: FrameHeader, p: Uint8Array): PushPromiseFrame {
  const end = unpad(h, p, 4);
  const start = (h.flags & Flag.PADDED) === 0 ? 0 : 1;
  return {
    type: FrameType.PUSH_PROMISE,
    streamId: h.streamId,
    endHeaders: (h.flags & Flag.END_HEADERS) !== 0,
    promisedStreamId: uint31(p, start),
    headerBlock: p.subarray(start + 4, end),
  };
}

function decodeWindowUpdate(h: FrameHeader, p: Uint8Array, report: (e: H2Error) => void): WindowUpdateFrame | null {
  const windowSizeIncrement = uint31(p, 0);
  if (windowSizeIncrement !== 0) return { type: FrameType.WINDOW_UPDATE, streamId: h.streamId, windowSizeIncrement };
  // §6.9: "a flow-control window increment of 0 as a stream error ...; errors on the connection
  // flow-control window MUST be treated as a connection error"
  if (h.streamId === 0) throw connectionError("PROTOCOL_ERROR", "WINDOW_UPDATE increment of 0 on the connection");
  report(streamError("PROTOCOL_ERROR", "WINDOW_UPDATE increment of 0", h.streamId));
  return null;
}

/**
 * decodeFrame decodes the payload of a known frame whose header passed {@link checkFrameHeader}.
 * Byte fields are views into `p`. Connection errors are thrown; stream errors go to `report`, and
 * null means the frame is dropped after its stream error.
 */
export function decodeFrame(h: FrameHeader, p: Uint8Array, report: (e: H2Error) => void): DecodedFrame | null {
  const streamId = h.streamId;
  switch (h.type) {
    case FrameType.DATA:
      return decodeData(h, p);
    case FrameType.HEADERS:
      return decodeHeaders(h, p, report);
    case FrameType.PRIORITY: {
      const priority = priorityAt(p, 0);
      if (priority.dependency !== streamId) return { type: FrameType.PRIORITY, streamId, priority };
      report(streamError("PROTOCOL_ERROR", "stream depends on itself", streamId));
      return null;
    }
    case FrameType.RST_STREAM:
      return { type: FrameType.RST_STREAM, streamId, errorCode: uint32(p, 0) };
    case FrameType.SETTINGS:
      return decodeSettings(h, p);
    case FrameType.PUSH_PROMISE:
      return decodePushPromise(h, p);
    case FrameType.PING:
      return { type: FrameType.PING, streamId: 0, ack: (h.flags & Flag.ACK) !== 0, opaqueData: p };
    case FrameType.GOAWAY:
      return { type: FrameType.GOAWAY, streamId: 0, lastStreamId: uint31(p, 0), errorCode: uint32(p, 4), debugData: p.subarray(8) };
    case FrameType.WINDOW_UPDATE:
      return decodeWindowUpdate(h, p, report);
    default:
      return { type: FrameType.CONTINUATION, streamId, endHeaders: (h.flags & Flag.END_HEADERS) !== 0, headerBlock: p };
  }
}
