// Flow-control windows (RFC 9113 §5.2, §6.9): FlowWindow is what the peer lets us send;
// ReceiveWindow is what we let the peer send, credited back only as the application reads.
import { connectionError, streamError, type H2Error } from "./h2-error.js";
import { MAX_WINDOW_SIZE } from "./frame-types.js";

function flowError(streamId: number, message: string): H2Error {
  return streamId === 0 ? connectionError("FLOW_CONTROL_ERROR", message) : streamError("FLOW_CONTROL_ERROR", message, streamId);
}

/** FlowWindow is a send window of one stream, or of the connection when `streamId` is 0. */
export class FlowWindow {
  #size: number;
  #streamId: number;

  constructor(initialSize: number, streamId: number) {
    this.#size = initialSize;
    this.#streamId = streamId;
  }

  /** size is how many flow-controlled octets may still be sent; negative after a SETTINGS shrink (§6.9.2). */
  get size(): number {
    return this.#size;
  }

  /**
   * consume takes `n` octets (a DATA frame's whole payload, padding included) about to be sent. An
   * empty DATA frame (END_STREAM alone) may go out whatever the window (§6.9.1).
   */
  consume(n: number): void {
    if (n !== 0 && n > this.#size) throw new RangeError(`sending ${n} octets exceeds the flow-control window of ${this.#size}`);
    this.#size -= n;
  }

  /**
   * credit adds a WINDOW_UPDATE increment. §6.9.1: a window above 2^31-1 "MUST ... terminate either
   * the stream or the connection": a stream FLOW_CONTROL_ERROR, or a connection one on stream 0.
   */
  credit(increment: number): void {
    if (this.#size + increment > MAX_WINDOW_SIZE) throw flowError(this.#streamId, "WINDOW_UPDATE takes the window above 2^31-1");
    this.#size += increment;
  }

  /**
   * adjust applies a change of the peer's SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2). The window may go
   * negative; above 2^31-1 it is a connection FLOW_CONTROL_ERROR ("MUST treat ... as a connection error").
   */
  adjust(delta: number): void {
    if (this.#size + delta > MAX_WINDOW_SIZE) throw connectionError("FLOW_CONTROL_ERROR", "SETTINGS_INITIAL_WINDOW_SIZE takes a window above 2^31-1");
    this.#size += delta;
  }
}

/**
 * ReceiveWindow accounts for DATA we receive on one stream, or the connection (`streamId` 0). The
 * peer may send `available` octets; they come back as WINDOW_UPDATE increments once the
 * application has consumed at least half of `target` since the last update, so a reader that
 * stops reading stops the peer.
 */
export class ReceiveWindow {
  #streamId: number;
  #target: number;
  #available: number;
  #unconsumed = 0; // received, not yet consumed
  #pending = 0; // consumed, not yet credited by a WINDOW_UPDATE

  /** `target` is the window we keep open; `initialSize` the one the peer starts with (default: target). */
  constructor(target: number, streamId: number, initialSize = target) {
    this.#target = target;
    this.#available = initialSize;
    this.#streamId = streamId;
  }

  /** available is how many octets the peer may still send without a WINDOW_UPDATE. */
  get available(): number {
    return this.#available;
  }

  /** unconsumed is how many received octets the application has not consumed yet. */
  get unconsumed(): number {
    return this.#unconsumed;
  }

  /**
   * received counts a DATA frame's flowLength (padding included). More than the window allows is
   * FLOW_CONTROL_ERROR: a stream error on a stream, a connection error on the connection (§6.9).
   */
  received(n: number): void {
    // an empty DATA frame (END_STREAM alone) fits even a window at or below zero (§6.9.1)
    if (n !== 0 && n > this.#available) throw flowError(this.#streamId, `peer sent ${n} octets with a window of ${this.#available}`);
    this.#available -= n;
    this.#unconsumed += n;
  }

  /**
   * consumed records `n` octets taken by the application (and padding, at once) and returns the
   * WINDOW_UPDATE increment to send now, or 0 while less than half of `target` is owed.
   */
  consumed(n: number): number {
    if (n > this.#unconsumed) throw new RangeError(`consumed ${n} octets of ${this.#unconsumed} received`);
    this.#unconsumed -= n;
    this.#pending += n;
    return this.#pending * 2 >= this.#target ? this.#flush() : 0;
  }

  /**
   * setTarget changes the window we keep open (for the connection window, which only WINDOW_UPDATE
   * can raise, §6.9.2). Growing returns the increment to send at once.
   */
  setTarget(target: number): number {
    if (target > MAX_WINDOW_SIZE) throw new RangeError("a window cannot exceed 2^31-1");
    const grow = target - this.#target;
    this.#target = target;
    if (grow <= 0) return 0;
    this.#pending += grow;
    return this.#flush();
  }

  /** adjust applies a change of our SETTINGS_INITIAL_WINDOW_SIZE once the peer has acknowledged it (§6.9.2). */
  adjust(delta: number): void {
    this.#target += delta;
    this.#available += delta;
  }

  #flush(): number {
    // never credit past 2^31-1: the peer would have to treat that as FLOW_CONTROL_ERROR
    const increment = Math.min(this.#pending, MAX_WINDOW_SIZE - this.#available);
    this.#pending -= increment;
    this.#available += increment;
    return increment;
  }
}
