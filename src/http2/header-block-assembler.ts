// HeaderBlockAssembler: joins a HEADERS or PUSH_PROMISE frame and its CONTINUATION frames into one
// field block (RFC 9113 §4.3, §6.10), bounded in bytes and in frames (the CONTINUATION flood).
import { connectionError } from "./h2-error.js";
import { FrameType, type ContinuationFrame, type FrameHeader, type HeadersFrame, type PushPromiseFrame } from "./frame-types.js";

/** HeaderBlockLimits bounds one field block; crossing either is a connection ENHANCE_YOUR_CALM. */
export interface HeaderBlockLimits {
  /** maxHeaderBlockSize: most compressed field-block octets, all fragments together (padding excluded). */
  maxHeaderBlockSize: number;
  /** maxContinuationFrames: most CONTINUATION frames after one HEADERS or PUSH_PROMISE. */
  maxContinuationFrames: number;
}

/** HeaderBlockFrame is a frame that starts a field block. */
export type HeaderBlockFrame = HeadersFrame | PushPromiseFrame;

/**
 * HeaderBlockAssembler keeps the fragments of the one field block that may be open at a time.
 * Fragments are copied (never views into the caller's buffers), so what it holds is exactly
 * {@link HeaderBlockAssembler.bufferedBytes}, never more than maxHeaderBlockSize.
 */
export class HeaderBlockAssembler {
  #limits: HeaderBlockLimits;
  #pending: HeaderBlockFrame | null = null;
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #continuations = 0;

  constructor(limits: HeaderBlockLimits) {
    this.#limits = limits;
  }

  /** streamId is the stream whose field block is open, or 0 when none is. */
  get streamId(): number {
    return this.#pending === null ? 0 : this.#pending.streamId;
  }

  /** bufferedBytes is how many fragment octets are held for the open block. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /**
   * checkHeader enforces sequencing and the limits at each frame header, before any payload is
   * read: while a block is open only CONTINUATION on its stream may come (§4.3: "no interleaved
   * frames of any other type or from any other stream"); a CONTINUATION needs an open block (§6.10).
   */
  checkHeader(h: FrameHeader): void {
    const pending = this.#pending;
    if (pending === null) {
      if (h.type === FrameType.CONTINUATION) throw connectionError("PROTOCOL_ERROR", "CONTINUATION without an open field block");
      return;
    }
    if (h.type !== FrameType.CONTINUATION || h.streamId !== pending.streamId) {
      throw connectionError("PROTOCOL_ERROR", `frame type ${h.type} on stream ${h.streamId} inside the field block of stream ${pending.streamId}`);
    }
    if (++this.#continuations > this.#limits.maxContinuationFrames) {
      throw connectionError("ENHANCE_YOUR_CALM", "too many CONTINUATION frames in one field block");
    }
    this.#checkSize(this.#bytes + h.length);
  }

  /** begin takes a HEADERS or PUSH_PROMISE frame: returns it when it ends the block, else keeps it and returns null. */
  begin(frame: HeaderBlockFrame): HeaderBlockFrame | null {
    this.#checkSize(frame.headerBlock.length);
    if (frame.endHeaders) return frame;
    this.#pending = frame;
    this.#keep(frame.headerBlock);
    return null;
  }

  /** continue adds a CONTINUATION's fragment; at END_HEADERS it returns the whole block's frame. */
  continue(frame: ContinuationFrame): HeaderBlockFrame | null {
    const pending = this.#pending!;
    this.#keep(frame.headerBlock);
    if (!frame.endHeaders) return null;
    const whole = Buffer.concat(this.#parts, this.#bytes);
    pending.headerBlock = whole;
    pending.endHeaders = true;
    this.#pending = null;
    this.#parts = [];
    this.#bytes = 0;
    this.#continuations = 0;
    return pending;
  }

  #keep(fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    this.#parts.push(fragment.slice());
    this.#bytes += fragment.length;
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#limits.maxHeaderBlockSize) {
      throw connectionError("ENHANCE_YOUR_CALM", "field block exceeds maxHeaderBlockSize");
    }
  }
}
