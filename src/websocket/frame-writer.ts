// Frames from the server (RFC 6455 §5.2): never masked; header and payload in one buffer.

/** Opcode names the frame types of RFC 6455 §5.2. */
export const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

/** encodeFrame builds one final frame: header and payload together. */
export function encodeFrame(opcode: number, payload: Uint8Array, rsv1 = false): Buffer {
  const length = payload.byteLength;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, headerLength);
  return frame;
}

/** closePayload builds a close frame's body: the code, then a UTF-8 reason cut to fit 125 bytes. */
export function closePayload(code: number | undefined, reason = ""): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  let text = Buffer.from(reason);
  if (text.length > 123) text = text.subarray(0, 123);
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

/** isValidCloseCode tells whether a code may appear in a close frame (RFC 6455 §7.4). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}
