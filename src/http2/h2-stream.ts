// H2Stream: one HTTP/2 stream (RFC 9113 §5.1) as the owner of its Exchange. It holds the stream's
// state, both flow-control windows, the response DATA waiting for window, and hands every decision
// that needs the connection (frames, HPACK, the scheduler) to its StreamHost.
import type { Exchange, ExchangeOwner, OnUpgrade, OutgoingResponse, PeerInfo } from "../http/exchange.js";
import type { Limits } from "../http/limits.js";
import { FlowWindow, ReceiveWindow } from "./flow-window.js";
import type { StreamState } from "./stream-state.js";

/** StreamHost is what a stream needs of its connection. */
export interface StreamHost {
  readonly peer: PeerInfo;
  readonly closed: boolean;
  readonly limits: Limits;
  respondOn(stream: H2Stream, response: OutgoingResponse): void;
  /** handlerAnswered hears that the handler is done although its answer was dropped. */
  handlerAnswered(stream: H2Stream): void;
  informOn(stream: H2Stream, status: number, fields: readonly string[]): boolean;
}

/**
 * A stream's body pump waits once OUT_QUEUE_MIN bytes are queued, or more while the peer's window
 * lets them go (up to OUT_QUEUE_MAX): the next file read overlaps the send, and a stream with no
 * window holds no more than the minimum.
 */
const OUT_QUEUE_MIN = 64 * 1024;
const OUT_QUEUE_MAX = 256 * 1024;

/** H2Stream is one stream's state and the ExchangeOwner of its request. */
export class H2Stream implements ExchangeOwner {
  readonly id: number;
  state: StreamState = "idle";
  readonly sendWindow: FlowWindow;
  readonly recvWindow: ReceiveWindow;
  exchange: Exchange | null = null;
  /** expectContinue: the request asked for 100-continue; continueSent: it was sent. */
  expectContinue = false;
  continueSent = false;
  /** declaredLength is the request's content-length, or -1; received counts its DATA octets. */
  declaredLength = -1;
  received = 0;
  /** lastDataAt is when request DATA last arrived (bodyTimeout). */
  lastDataAt = Date.now();
  /** handlerDone: the handler answered (or was never called), so the stream's slot may be freed. */
  handlerDone = false;
  /** handlerStarted: the exchange went to the application (onExchange). */
  handlerStarted = false;
  /** released: the stream closed and its unread body was credited to the connection. */
  released = false;
  /** slotFreed: the stream's concurrency slot was given back. */
  slotFreed = false;
  /** endsEarly: the engine answers before the request ended (a limit's 408, 413 or 431); RST_STREAM NO_ERROR follows the answer. */
  endsEarly = false;
  /** out holds response bytes waiting for window; outEnd: END_STREAM goes after them. */
  out: Uint8Array[] = [];
  outBytes = 0;
  /** tookWritten is what to call once the socket is done with the chunk the last take() finished (a lent buffer's return), or undefined. */
  tookWritten: (() => void) | undefined = undefined;
  outEnd = false;
  /** scheduled: the stream is in the scheduler's ready list. */
  scheduled = false;
  /** stalledSince is when the stream last found no window for its queued DATA, or 0. */
  stalledSince = 0;
  #host: StreamHost;
  #drained: (() => void) | null = null;
  #outWritten: ((() => void) | undefined)[] = []; // per chunk in `out`: its `written`

  constructor(host: StreamHost, id: number, sendWindow: number, recvWindow: number) {
    this.#host = host;
    this.id = id;
    this.sendWindow = new FlowWindow(sendWindow, id);
    this.recvWindow = new ReceiveWindow(recvWindow, id);
  }

  get peer(): PeerInfo {
    return this.#host.peer;
  }

  get closed(): boolean {
    return this.#host.closed;
  }

  get limits(): Limits {
    return this.#host.limits;
  }

  /** reset tells whether the stream was reset (by either side) before its response was complete. */
  get reset(): boolean {
    return this.state === "resetSent" || (this.state === "closed" && this.exchange !== null && !this.exchange.responseDone);
  }

  respond(_ex: Exchange, response: OutgoingResponse): void {
    this.#host.respondOn(this, response);
  }

  /** answerDropped tells the connection that the handler answered after a response had begun (the engine's 408 or 413). */
  answerDropped(): void {
    this.#host.handlerAnswered(this);
  }

  /** upgrade is refused: HTTP/2 has no Upgrade (RFC 9113 §8.6); WebSockets take an HTTP/1.1 connection. */
  upgrade(): void {
    throw new Error("an HTTP/2 stream cannot be upgraded");
  }

  /** takeSocket returns false: the connection is shared by every stream. */
  takeSocket(_ex: Exchange, _onSocket: OnUpgrade): boolean {
    return false;
  }

  inform(_ex: Exchange, status: number, fields: readonly string[]): boolean {
    return this.#host.informOn(this, status, fields);
  }

  /** queue adds response bytes for the scheduler; `written` runs once the socket is done with them. */
  queue(data: Uint8Array, written?: () => void): void {
    if (data.byteLength === 0) return written?.();
    this.out.push(data);
    this.#outWritten.push(written);
    this.outBytes += data.byteLength;
  }

  /** full tells whether a body pump should wait before queueing more. */
  get full(): boolean {
    return this.outBytes >= Math.min(OUT_QUEUE_MAX, Math.max(OUT_QUEUE_MIN, this.sendWindow.size));
  }

  /** drained resolves once the queue falls below its high-water mark, or the stream ends. */
  drained(): Promise<void> {
    return new Promise((resolve) => (this.#drained = resolve));
  }

  /** wake resolves a waiting pump when there is room, or at once when `force` (a reset, a close). */
  wake(force = false): void {
    const drained = this.#drained;
    if (drained === null || (!force && this.full)) return;
    this.#drained = null;
    drained();
  }

  /** take removes `n` queued bytes from the front (one chunk or part of it) and returns them. */
  take(n: number): Uint8Array {
    const first = this.out[0];
    let piece: Uint8Array;
    if (n >= first.byteLength) {
      piece = first;
      this.out.shift();
      this.tookWritten = this.#outWritten.shift();
    } else {
      this.tookWritten = undefined;
      piece = first.subarray(0, n);
      this.out[0] = first.subarray(n);
    }
    this.outBytes -= piece.byteLength;
    this.wake();
    return piece;
  }

  /**
   * dropOutput forgets the queued response (the stream was reset). Its lent chunks are not handed
   * back: earlier bytes of the first one may still wait in the socket.
   */
  dropOutput(): void {
    this.out = [];
    this.#outWritten = []; // not called: a piece of a chunk may still be in the socket
    this.outBytes = 0;
    this.outEnd = false;
    this.wake(true);
  }
}
