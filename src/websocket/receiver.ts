// Receiver: turns frames into messages (RFC 6455 §5.4 fragmentation, §5.5 control frames),
// checks text as it arrives, and hands out messages, pings, pongs and the peer's close.
import type { FrameHandler, FrameHeader } from "./frame-parser.js";
import { isValidCloseCode, Opcode } from "./frame-writer.js";
import { Utf8Validator } from "./utf8-validator.js";
import { WebSocketError } from "./ws-error.js";

/** ReceiverEvents are what a Receiver reports. */
export interface ReceiverEvents {
  /** onMessage gets a whole message; `compressed` messages still need inflating. */
  onMessage(binary: boolean, payload: Buffer, compressed: boolean): void;
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** onClose gets the peer's close: 1005 when it gave no code. */
  onClose(code: number, reason: string): void;
}

/** Receiver implements FrameHandler; it throws WebSocketError on a protocol fault. */
export class Receiver implements FrameHandler {
  #events: ReceiverEvents;
  #maxPayloadLength: number;
  #header: FrameHeader | null = null;
  #messageBinary = false;
  #messageCompressed = false;
  #parts: Buffer[] = [];
  #messageLength = 0;
  #control: Buffer[] = [];
  #utf8 = new Utf8Validator();

  constructor(events: ReceiverEvents, maxPayloadLength: number) {
    this.#events = events;
    this.#maxPayloadLength = maxPayloadLength;
  }

  onFrameStart(header: FrameHeader): void {
    this.#header = header;
    if (header.opcode === Opcode.Text || header.opcode === Opcode.Binary) {
      this.#messageBinary = header.opcode === Opcode.Binary;
      this.#messageCompressed = header.rsv1;
      this.#parts = [];
      this.#messageLength = 0;
    }
    if (header.opcode < 0x8) {
      this.#messageLength += header.payloadLength;
      if (this.#messageLength > this.#maxPayloadLength) {
        throw new WebSocketError(1009, "WS_MESSAGE_TOO_BIG", "message above maxPayloadLength");
      }
    } else {
      this.#control = [];
    }
  }

  onFrameData(chunk: Buffer): void {
    const header = this.#header!;
    if (header.opcode >= 0x8) {
      this.#control.push(Buffer.from(chunk));
      return;
    }
    // Uncompressed text is checked as it arrives, so a bad byte ends the connection at once.
    if (!this.#messageBinary && !this.#messageCompressed && !this.#utf8.write(chunk)) {
      throw new WebSocketError(1007, "WS_INVALID_UTF8", "text message is not valid UTF-8");
    }
    this.#parts.push(chunk);
  }

  onFrameEnd(): void {
    const header = this.#header!;
    if (header.opcode >= 0x8) return this.#controlFrame(header.opcode, concat(this.#control));
    if (!header.fin) return;
    if (!this.#messageBinary && !this.#messageCompressed && !this.#utf8.end()) {
      throw new WebSocketError(1007, "WS_INVALID_UTF8", "text message ends inside a character");
    }
    const payload = concat(this.#parts);
    this.#parts = [];
    this.#events.onMessage(this.#messageBinary, payload, this.#messageCompressed);
  }

  #controlFrame(opcode: number, payload: Buffer): void {
    if (opcode === Opcode.Ping) return this.#events.onPing(payload);
    if (opcode === Opcode.Pong) return this.#events.onPong(payload);
    const { code, reason } = parseClose(payload);
    this.#events.onClose(code, reason);
  }
}

/** parseClose reads a close frame's code and reason (RFC 6455 §5.5.1); bad ones are errors (1002). */
export function parseClose(payload: Buffer): { code: number; reason: string } {
  if (payload.length === 0) return { code: 1005, reason: "" };
  if (payload.length === 1) throw new WebSocketError(1002, "WS_INVALID_CLOSE_FRAME", "close frame with a 1-byte body");
  const code = payload.readUInt16BE(0);
  if (!isValidCloseCode(code)) throw new WebSocketError(1002, "WS_INVALID_CLOSE_CODE", `invalid close code ${code}`);
  const validator = new Utf8Validator();
  if (!validator.write(payload, 2) || !validator.end()) {
    throw new WebSocketError(1002, "WS_INVALID_CLOSE_FRAME", "close reason is not valid UTF-8");
  }
  return { code, reason: payload.toString("utf8", 2) };
}

/** validUtf8 checks a whole buffer (used for inflated text messages). */
export function validUtf8(bytes: Uint8Array): boolean {
  const v = new Utf8Validator();
  return v.write(bytes) && v.end();
}

function concat(parts: Buffer[]): Buffer {
  if (parts.length === 1) return parts[0];
  return parts.length === 0 ? Buffer.alloc(0) : Buffer.concat(parts);
}
