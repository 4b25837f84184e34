// FrameParser: the incremental HTTP/2 frame reader (RFC 9113 §3.4, §4): an explicit state machine
// (preface, 9-octet header, payload, skip) fed any split of the input, with field blocks assembled.
import { HeaderBlockAssembler, type HeaderBlockLimits } from "./header-block-assembler.js";
import { checkFrameHeader, decodeFrame, isKnownFrameType } from "./frame-decoder.js";
import { H2Error, connectionError } from "./h2-error.js";
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  FRAME_HEADER_LENGTH,
  Flag,
  FrameType,
  MAX_ALLOWED_FRAME_SIZE,
  type Frame,
  type FrameHeader,
} from "./frame-types.js";

/**
 * FrameHandler receives what the parser finds, in wire order. Byte fields (DATA's data, PING's
 * opaqueData, GOAWAY's debugData) are views into the buffer given to execute() when the payload
 * came whole, else into a fresh copy: never into memory the parser reuses.
 */
export interface FrameHandler {
  /**
   * onFrame receives each decoded frame. HEADERS and PUSH_PROMISE come once per field block, with
   * the CONTINUATION fragments joined into `headerBlock` and `endHeaders` true; CONTINUATION frames
   * themselves and frames of unknown type (§5.5) are never delivered.
   */
  onFrame(frame: Frame): void;
  /**
   * onStreamError receives a stream error (§5.4.2) found while decoding; parsing goes on. For a
   * HEADERS frame that depends on itself it comes just before that frame's onFrame: the block must
   * still go through HPACK, then the stream is reset.
   */
  onStreamError(error: H2Error): void;
}

/** FrameParserOptions tunes a {@link FrameParser}; see {@link defaultFrameParserOptions}. */
export interface FrameParserOptions extends HeaderBlockLimits {
  /** maxFrameSize: our SETTINGS_MAX_FRAME_SIZE; a longer frame is a connection FRAME_SIZE_ERROR (§4.2). */
  maxFrameSize: number;
  /** preface: expect the 24-octet client preface, then a SETTINGS frame, first (§3.4). */
  preface: boolean;
  /** server: the peer is a client, so PUSH_PROMISE is a connection PROTOCOL_ERROR (§8.4). */
  server: boolean;
}

/** defaultFrameParserOptions: a server's parser, preface not expected (the listener may consume it). */
export const defaultFrameParserOptions: Readonly<FrameParserOptions> = Object.freeze({
  maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  maxHeaderBlockSize: 64 * 1024,
  maxContinuationFrames: 16,
  preface: false,
  server: true,
});

const EMPTY = new Uint8Array(0);

const enum State {
  Preface,
  Header,
  Payload,
  Skip, // a frame of unknown type, or one dropped after a stream error: its octets are counted, not kept
}

/**
 * FrameParser reads frames from a byte stream. execute() throws an H2Error for a connection error
 * (§5.4.1); the parser is then spent and rethrows that error on any later call.
 */
export class FrameParser {
  #handler: FrameHandler;
  #options: FrameParserOptions;
  #assembler: HeaderBlockAssembler;
  #state: State;
  #header: FrameHeader = { length: 0, type: 0, flags: 0, streamId: 0 };
  #headBytes = Buffer.alloc(FRAME_HEADER_LENGTH); // a header split across buffers
  #have = 0; // octets gathered of the preface, the header or a split payload
  #payload: Buffer | null = null;
  #remaining = 0; // octets still to skip
  #needSettings: boolean;
  #failed: H2Error | null = null;
  #report: (e: H2Error) => void;

  constructor(handler: FrameHandler, options: Partial<FrameParserOptions> = {}) {
    this.#handler = handler;
    this.#options = { ...defaultFrameParserOptions, ...options };
    this.maxFrameSize = this.#options.maxFrameSize;
    this.#assembler = new HeaderBlockAssembler(this.#options);
    this.#state = this.#options.preface ? State.Preface : State.Header;
    this.#needSettings = this.#options.preface;
    this.#report = (e) => this.#handler.onStreamError(e);
  }

  /** maxFrameSize is the largest frame accepted; raise it when advertising a larger SETTINGS_MAX_FRAME_SIZE. */
  get maxFrameSize(): number {
    return this.#options.maxFrameSize;
  }

  set maxFrameSize(size: number) {
    if (!Number.isInteger(size) || size < DEFAULT_MAX_FRAME_SIZE || size > MAX_ALLOWED_FRAME_SIZE) {
      throw new RangeError(`maxFrameSize must be an integer in ${DEFAULT_MAX_FRAME_SIZE}..${MAX_ALLOWED_FRAME_SIZE}`);
    }
    this.#options.maxFrameSize = size;
  }

  /** headerBlockBytes is how many field-block octets are held for an unfinished HEADERS. */
  get headerBlockBytes(): number {
    return this.#assembler.bufferedBytes;
  }

  /** headerBlockOpen tells whether a HEADERS has arrived whose CONTINUATION frames are still to come. */
  get headerBlockOpen(): boolean {
    return this.#assembler.streamId !== 0;
  }

  /** execute consumes all of `data`, calling the handler for each complete frame. */
  execute(data: Uint8Array): void {
    if (this.#failed !== null) throw this.#failed;
    try {
      let i = 0;
      while (i < data.length) {
        if (this.#state === State.Header) i = this.#readHeader(data, i);
        else if (this.#state === State.Payload) i = this.#readPayload(data, i);
        else if (this.#state === State.Skip) i = this.#skip(data, i);
        else i = this.#readPreface(data, i);
      }
    } catch (err) {
      if (err instanceof H2Error) this.#failed = err;
      throw err;
    }
  }

  #readPreface(data: Uint8Array, i: number): number {
    while (i < data.length && this.#have < CLIENT_PREFACE.length) {
      // §3.4: "an invalid connection preface as a connection error of type PROTOCOL_ERROR"
      if (data[i] !== CLIENT_PREFACE[this.#have]) throw connectionError("PROTOCOL_ERROR", "invalid connection preface");
      i++;
      this.#have++;
    }
    if (this.#have === CLIENT_PREFACE.length) {
      this.#have = 0;
      this.#state = State.Header;
    }
    return i;
  }

  #readHeader(data: Uint8Array, i: number): number {
    let head: Uint8Array = data;
    let at = i;
    if (this.#have > 0 || data.length - i < FRAME_HEADER_LENGTH) {
      const n = Math.min(FRAME_HEADER_LENGTH - this.#have, data.length - i);
      this.#headBytes.set(data.subarray(i, i + n), this.#have);
      this.#have += n;
      if (this.#have < FRAME_HEADER_LENGTH) return i + n;
      this.#have = 0;
      head = this.#headBytes;
      at = 0;
      i += n;
    } else {
      i += FRAME_HEADER_LENGTH;
    }
    const h = this.#header;
    h.length = (head[at] << 16) | (head[at + 1] << 8) | head[at + 2];
    h.type = head[at + 3]!;
    h.flags = head[at + 4]!;
    h.streamId = (head[at + 5] & 0x7f) * 0x1000000 + ((head[at + 6] << 16) | (head[at + 7] << 8) | head[at + 8]);
    this.#onHeader(h);
    return i;
  }

  /** #onHeader applies every check the header allows, then picks how its payload is read. */
  #onHeader(h: FrameHeader): void {
    if (h.length > this.#options.maxFrameSize) throw connectionError("FRAME_SIZE_ERROR", `frame of ${h.length} octets exceeds SETTINGS_MAX_FRAME_SIZE`);
    if (this.#needSettings) {
      // §3.4: the preface "MUST be followed by a SETTINGS frame"
      if (h.type !== FrameType.SETTINGS || (h.flags & Flag.ACK) !== 0) throw connectionError("PROTOCOL_ERROR", "the preface must be followed by SETTINGS");
      this.#needSettings = false;
    }
    this.#assembler.checkHeader(h);
    if (!isKnownFrameType(h.type)) return this.#skipFrame(h.length);
    if (h.type === FrameType.PUSH_PROMISE && this.#options.server) throw connectionError("PROTOCOL_ERROR", "a client sent PUSH_PROMISE");
    const error = checkFrameHeader(h);
    if (error !== null) {
      this.#report(error);
      return this.#skipFrame(h.length);
    }
    if (h.length === 0) return this.#dispatch(EMPTY);
    this.#state = State.Payload;
  }

  #skipFrame(length: number): void {
    this.#remaining = length;
    this.#state = length === 0 ? State.Header : State.Skip;
  }

  #skip(data: Uint8Array, i: number): number {
    const n = Math.min(this.#remaining, data.length - i);
    this.#remaining -= n;
    if (this.#remaining === 0) this.#state = State.Header;
    return i + n;
  }

  /** #readPayload hands on a view when the payload is whole in `data`, else gathers a copy. */
  #readPayload(data: Uint8Array, i: number): number {
    const length = this.#header.length;
    if (this.#payload === null && data.length - i >= length) {
      this.#dispatch(data.subarray(i, i + length));
      return i + length;
    }
    const payload = (this.#payload ??= Buffer.allocUnsafe(length));
    const n = Math.min(length - this.#have, data.length - i);
    payload.set(data.subarray(i, i + n), this.#have);
    this.#have += n;
    if (this.#have === length) {
      this.#payload = null;
      this.#have = 0;
      this.#dispatch(payload);
    }
    return i + n;
  }

  #dispatch(payload: Uint8Array): void {
    this.#state = State.Header;
    const frame = decodeFrame(this.#header, payload, this.#report);
    if (frame === null) return;
    if (frame.type === FrameType.HEADERS || frame.type === FrameType.PUSH_PROMISE) {
      const whole = this.#assembler.begin(frame);
      if (whole !== null) this.#handler.onFrame(whole);
    } else if (frame.type === FrameType.CONTINUATION) {
      const whole = this.#assembler.continue(frame);
      if (whole !== null) this.#handler.onFrame(whole);
    } else {
      this.#handler.onFrame(frame);
    }
  }
}
