// Frame serialization (RFC 9113 §4.1 and §6): each function returns the wire octets of one frame
// (or of a HEADERS + CONTINUATION run), written byte by byte into Buffer.allocUnsafe memory.
import { DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_LENGTH, Flag, FrameType, type Setting } from "./frame-types.js";

const EMPTY = new Uint8Array(0);

/** writeFrameHeader writes the 9-octet frame header (§4.1) at `offset`, the reserved bit clear. */
export function writeFrameHeader(buf: Uint8Array, offset: number, length: number, type: number, flags: number, streamId: number): void {
  buf[offset] = length >>> 16;
  buf[offset + 1] = (length >>> 8) & 0xff;
  buf[offset + 2] = length & 0xff;
  buf[offset + 3] = type;
  buf[offset + 4] = flags;
  writeUint32(buf, offset + 5, streamId & 0x7fffffff);
}

function writeUint32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 24;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

/** frame writes any frame from its parts; the typed writers below are the usual way. */
export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = EMPTY): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + payload.length);
  writeFrameHeader(buf, 0, payload.length, type, flags, streamId);
  buf.set(payload, FRAME_HEADER_LENGTH);
  return buf;
}


/** SETTINGS_ACK is the constant SETTINGS frame with ACK and no payload (§6.5.3). */
export const SETTINGS_ACK: Buffer = frame(FrameType.SETTINGS, Flag.ACK, 0);

/** settingsFrame writes a SETTINGS frame carrying `settings` in order (§6.5.1). */
export function settingsFrame(settings: readonly Setting[]): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + settings.length * 6);
  writeFrameHeader(buf, 0, settings.length * 6, FrameType.SETTINGS, 0, 0);
  let at = FRAME_HEADER_LENGTH;
  for (const { id, value } of settings) {
    buf[at] = id >>> 8;
    buf[at + 1] = id & 0xff;
    writeUint32(buf, at + 2, value);
    at += 6;
  }
  return buf;
}

/** PING_ACK_HEADER is the header of every PING ACK; the 8 opaque octets follow it (§6.7). */
export const PING_ACK_HEADER: Buffer = Buffer.allocUnsafe(FRAME_HEADER_LENGTH);
writeFrameHeader(PING_ACK_HEADER, 0, 8, FrameType.PING, Flag.ACK, 0);

/** pingFrame writes a PING, or with `ack` its answer, with the 8 opaque octets (§6.7). */
export function pingFrame(opaqueData: Uint8Array, ack = false): Buffer {
  if (opaqueData.length !== 8) throw new RangeError("PING carries exactly 8 octets");
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 8);
  if (ack) PING_ACK_HEADER.copy(buf, 0);
  else writeFrameHeader(buf, 0, 8, FrameType.PING, 0, 0);
  buf.set(opaqueData, FRAME_HEADER_LENGTH);
  return buf;
}

/** goawayFrame writes a GOAWAY (§6.8) with optional debug data. */
export function goawayFrame(lastStreamId: number, errorCode: number, debugData: Uint8Array = EMPTY): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 8 + debugData.length);
  writeFrameHeader(buf, 0, 8 + debugData.length, FrameType.GOAWAY, 0, 0);
  writeUint32(buf, FRAME_HEADER_LENGTH, lastStreamId & 0x7fffffff);
  writeUint32(buf, FRAME_HEADER_LENGTH + 4, errorCode);
  buf.set(debugData, FRAME_HEADER_LENGTH + 8);
  return buf;
}

/** rstStreamFrame writes a RST_STREAM (§6.4). */
export function rstStreamFrame(streamId: number, errorCode: number): Buffer {
  return fourOctetFrame(FrameType.RST_STREAM, streamId, errorCode);
}

/** windowUpdateFrame writes a WINDOW_UPDATE (§6.9); `increment` must be 1..2^31-1. */
export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  if (!(increment >= 1 && increment <= 0x7fffffff)) throw new RangeError("window increment must be 1..2^31-1");
  return fourOctetFrame(FrameType.WINDOW_UPDATE, streamId, increment);
}

function fourOctetFrame(type: number, streamId: number, value: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 4);
  writeFrameHeader(buf, 0, 4, type, 0, streamId);
  writeUint32(buf, FRAME_HEADER_LENGTH, value);
  return buf;
}

/**
 * headersFrames writes a field block as one HEADERS frame followed by as many CONTINUATION frames
 * as the peer's SETTINGS_MAX_FRAME_SIZE needs (§4.3, §6.10), all in one Buffer. END_STREAM goes on
 * the HEADERS, END_HEADERS on the last frame.
 */
export function headersFrames(streamId: number, headerBlock: Uint8Array, endStream: boolean, maxFrameSize = DEFAULT_MAX_FRAME_SIZE): Buffer {
  const frames = Math.max(1, Math.ceil(headerBlock.length / maxFrameSize));
  const buf = Buffer.allocUnsafe(frames * FRAME_HEADER_LENGTH + headerBlock.length);
  let at = 0;
  for (let from = 0, n = 0; n < frames; n++, from += maxFrameSize) {
    const length = Math.min(maxFrameSize, headerBlock.length - from);
    const type = n === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
    const flags = (n === 0 && endStream ? Flag.END_STREAM : 0) | (n === frames - 1 ? Flag.END_HEADERS : 0);
    writeFrameHeader(buf, at, length, type, flags, streamId);
    buf.set(headerBlock.subarray(from, from + length), at + FRAME_HEADER_LENGTH);
    at += FRAME_HEADER_LENGTH + length;
  }
  return buf;
}

/** dataFrameHeader writes the 9-octet header of a DATA frame, to go before its payload in a writev (§6.1). */
export function dataFrameHeader(streamId: number, length: number, endStream: boolean): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH);
  writeFrameHeader(buf, 0, length, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
  return buf;
}

/** dataFrame writes a whole DATA frame into one Buffer: for small payloads, where a copy beats a writev. */
export function dataFrame(streamId: number, data: Uint8Array, endStream: boolean): Buffer {
  return frame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, data);
}
