// StreamIds: the bookkeeping of client-initiated stream identifiers (RFC 9113 §5.1.1) and of the
// streams that count toward SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2), for a server.
import { connectionError, streamError } from "./h2-error.js";

/** StreamIds tracks the highest client stream id seen and how many streams are active. */
export class StreamIds {
  #highest = 0;
  #active = 0;
  /** maxConcurrentStreams is the SETTINGS_MAX_CONCURRENT_STREAMS we advertised. */
  maxConcurrentStreams: number;

  constructor(maxConcurrentStreams = Infinity) {
    this.maxConcurrentStreams = maxConcurrentStreams;
  }

  /** highest is the highest client stream id opened so far: GOAWAY's Last-Stream-ID (§6.8). */
  get highest(): number {
    return this.#highest;
  }

  /** active is how many streams are open or half-closed. */
  get active(): number {
    return this.#active;
  }

  /**
   * isIdle tells whether `id` is still unused: above every id opened so far. A lower id the
   * connection no longer knows was closed, explicitly or implicitly (§5.1.1).
   */
  isIdle(id: number): boolean {
    return id > this.#highest;
  }

  /**
   * open accepts HEADERS on an idle stream `id`. Client ids are odd (§5.1.1: "Streams initiated by a
   * client MUST use odd-numbered stream identifiers") and above every earlier one; either fault is
   * a connection PROTOCOL_ERROR. At the concurrency limit the id is used up but the stream is
   * refused: a stream REFUSED_STREAM (§5.1.2), and it does not count as active.
   */
  open(id: number): void {
    if (id % 2 === 0) throw connectionError("PROTOCOL_ERROR", `client stream id ${id} is even`);
    if (id <= this.#highest) throw connectionError("PROTOCOL_ERROR", `stream id ${id} is not above ${this.#highest}`);
    this.#highest = id;
    if (this.#active >= this.maxConcurrentStreams) throw streamError("REFUSED_STREAM", "SETTINGS_MAX_CONCURRENT_STREAMS reached", id);
    this.#active++;
  }

  /** release is called once when an opened stream leaves the open and half-closed states. */
  release(): void {
    if (this.#active === 0) throw new RangeError("release without an active stream");
    this.#active--;
  }
}
