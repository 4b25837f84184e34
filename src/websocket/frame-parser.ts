// FrameParser: the base framing protocol of RFC 6455 §5.2 as an incremental state machine, for
// frames sent by a client (always masked). Payload bytes are unmasked in place and handed on as
// they arrive, so a bad text message can be refused before it has all come in.
import { WebSocketError } from "./ws-error.js";

/** FrameHeader is what the first bytes of a frame say. */
export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payloadLength: number;
}

/** FrameHandler receives each frame: its header, its payload in pieces, and its end. */
export interface FrameHandler {
  onFrameStart(header: FrameHeader): void;
  onFrameData(chunk: Buffer): void;
  onFrameEnd(): void;
}

/** FrameParserOptions: the negotiated extension, and the limit on any one frame. */
export interface FrameParserOptions {
  /** rsv1Allowed is true when permessage-deflate was negotiated. */
  rsv1Allowed: boolean;
  maxPayloadLength: number;
}

const enum State {
  Header,
  Length16,
  Length64,
  Mask,
  Data,
}

const MAX_SAFE = 2 ** 53 - 1;

/** FrameParser turns a client's byte stream into frames; after an error it must be thrown away. */
export class FrameParser {
  #options: FrameParserOptions;
  #handler: FrameHandler;
  #state = State.Header;
  #need = 2; // bytes needed to finish the current header part
  #part = Buffer.alloc(8);
  #have = 0;
  #header: FrameHeader = { fin: false, rsv1: false, opcode: 0, payloadLength: 0 };
  #mask = Buffer.alloc(4);
  #maskOffset = 0;
  #remaining = 0;
  #inMessage = false; // a data message has begun and not yet ended

  constructor(options: FrameParserOptions, handler: FrameHandler) {
    this.#options = options;
    this.#handler = handler;
  }

  /** execute consumes a buffer, calling the handler for everything it completes. */
  execute(data: Buffer): void {
    let i = 0;
    while (i < data.length) {
      if (this.#state === State.Data) {
        i = this.#data(data, i);
        continue;
      }
      const n = Math.min(this.#need - this.#have, data.length - i);
      data.copy(this.#part, this.#have, i, i + n);
      this.#have += n;
      i += n;
      if (this.#have === this.#need) this.#headerPart();
    }
  }

  #data(data: Buffer, start: number): number {
    const n = Math.min(this.#remaining, data.length - start);
    const chunk = data.subarray(start, start + n);
    unmask(chunk, this.#mask, this.#maskOffset);
    this.#maskOffset = (this.#maskOffset + n) & 3;
    this.#remaining -= n;
    if (n > 0) this.#handler.onFrameData(chunk);
    if (this.#remaining === 0) this.#endFrame();
    return start + n;
  }

  #headerPart(): void {
    const part = this.#part;
    switch (this.#state) {
      case State.Header:
        return this.#firstBytes(part[0], part[1]);
      case State.Length16:
        return this.#setLength(part.readUInt16BE(0));
      case State.Length64: {
        const high = part.readUInt32BE(0);
        const length = high * 2 ** 32 + part.readUInt32BE(4);
        if (high > 0x1fffff || length > MAX_SAFE) throw new WebSocketError(1009, "WS_MESSAGE_TOO_BIG", "frame length above 2^53");
        return this.#setLength(length);
      }
      case State.Mask:
        part.copy(this.#mask, 0, 0, 4);
        this.#maskOffset = 0;
        this.#handler.onFrameStart(this.#header);
        if (this.#remaining === 0) return this.#endFrame();
        this.#state = State.Data;
        return;
    }
  }

  #firstBytes(b0: number, b1: number): void {
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x30) !== 0) throw new WebSocketError(1002, "WS_RSV_BITS", "RSV2 or RSV3 set without an extension");
    if ((b1 & 0x80) === 0) throw new WebSocketError(1002, "WS_UNMASKED_FRAME", "a client frame must be masked (RFC 6455 §5.1)");
    if (opcode >= 0x8) {
      if (opcode > 0xa) throw new WebSocketError(1002, "WS_BAD_OPCODE", `unknown opcode ${opcode}`);
      // RFC 6455 §5.5: control frames MUST have a payload of 125 bytes or less and MUST NOT be fragmented.
      if (!fin) throw new WebSocketError(1002, "WS_CONTROL_FRAGMENTED", "fragmented control frame");
      if ((b1 & 0x7f) > 125) throw new WebSocketError(1002, "WS_CONTROL_TOO_LONG", "control frame payload above 125 bytes");
      if (rsv1) throw new WebSocketError(1002, "WS_RSV_BITS", "RSV1 on a control frame");
    } else {
      if (opcode > 0x2) throw new WebSocketError(1002, "WS_BAD_OPCODE", `unknown opcode ${opcode}`);
      if (opcode === 0 && !this.#inMessage) throw new WebSocketError(1002, "WS_UNEXPECTED_CONTINUATION", "continuation frame without a message");
      if (opcode !== 0 && this.#inMessage) throw new WebSocketError(1002, "WS_EXPECTED_CONTINUATION", "new message before the last one ended");
      // RFC 7692 §6.1: RSV1 marks the first frame of a compressed message, and only with the extension.
      if (rsv1 && (!this.#options.rsv1Allowed || opcode === 0)) throw new WebSocketError(1002, "WS_RSV_BITS", "RSV1 set without permessage-deflate");
      this.#inMessage = !fin;
    }
    this.#header = { fin, rsv1, opcode, payloadLength: 0 };
    const length = b1 & 0x7f;
    if (length === 126) this.#expect(State.Length16, 2);
    else if (length === 127) this.#expect(State.Length64, 8);
    else this.#setLength(length);
  }

  #setLength(length: number): void {
    if (this.#header.opcode < 0x8 && length > this.#options.maxPayloadLength) throw new WebSocketError(1009, "WS_MESSAGE_TOO_BIG", "frame above maxPayloadLength");
    this.#header.payloadLength = length;
    this.#remaining = length;
    this.#expect(State.Mask, 4);
  }

  #expect(state: State, bytes: number): void {
    this.#state = state;
    this.#need = bytes;
    this.#have = 0;
  }

  #endFrame(): void {
    this.#expect(State.Header, 2);
    this.#handler.onFrameEnd();
  }
}

/** unmask XORs bytes with the 4-byte masking key, starting at key position `offset` (RFC 6455 §5.3). */
export function unmask(bytes: Uint8Array, mask: Uint8Array, offset: number): void {
  const m0 = mask[offset & 3];
  const m1 = mask[(offset + 1) & 3];
  const m2 = mask[(offset + 2) & 3];
  const m3 = mask[(offset + 3) & 3];
  const n = bytes.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    bytes[i] = bytes[i] ^ m0;
    bytes[i + 1] = bytes[i + 1] ^ m1;
    bytes[i + 2] = bytes[i + 2] ^ m2;
    bytes[i + 3] = bytes[i + 3] ^ m3;
  }
  const tail = [m0, m1, m2];
  for (let k = 0; i < n; i++, k++) bytes[i] = bytes[i] ^ tail[k];
}
