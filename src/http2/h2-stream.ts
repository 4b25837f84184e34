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

/** OUT_HIGH_WATER is how many response bytes a stream queues before its body pump waits. */
const OUT_HIGH_WATER = 64 * 1024;

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
  outEnd = false;
  /** takenRecycle is the lender's recycle call of the chunk whose last bytes take() just returned, if lent. */
  takenRecycle: (() => void) | undefined = undefined;
  /** #recycle holds, beside each chunk of `out`, its lender's recycle call (a BodyReader's), if any. */
  #recycle: ((() => void) | undefined)[] = [];
  /** scheduled: the stream is in the scheduler's ready list. */
  scheduled = false;
  /** stalledSince is when the stream last found no window for its queued DATA, or 0. */
  stalledSince = 0;
  #host: StreamHost;
  #drained: (() => void) | null = null;

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

  /** queue adds response bytes for the scheduler; `recycle` hands a lent chunk back once the socket is done with it. */
  queue(data: Uint8Array, recycle?: () => void): void {
    if (data.byteLength === 0) return;
    this.out.push(data);
    this.#recycle.push(recycle);
    this.outBytes += data.byteLength;
  }

  /** full tells whether a body pump should wait before queueing more. */
  get full(): boolean {
    return this.outBytes >= OUT_HIGH_WATER;
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
      this.takenRecycle = this.#recycle.shift();
    } else {
      piece = first.subarray(0, n);
      this.out[0] = first.subarray(n);
      this.takenRecycle = undefined;
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
    this.#recycle = [];
    this.outBytes = 0;
    this.outEnd = false;
    this.wake(true);
  }
}
