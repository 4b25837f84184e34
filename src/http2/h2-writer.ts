// H2Writer: the output side of an HTTP/2 connection. Every frame goes through one SocketWriter,
// so the frames of one tick leave in one socket write; DATA is sent by a round-robin scheduler
// within the peer's stream and connection windows (RFC 9113 §5.2, §6.9), one frame per stream per turn,
// in corked batches that leave as one writev each.
import type { Duplex } from "node:stream";
import { SocketWriter } from "../http/socket-writer.js";
import { FlowWindow } from "./flow-window.js";
import { DEFAULT_INITIAL_WINDOW_SIZE, DEFAULT_MAX_FRAME_SIZE } from "./frame-types.js";
import { dataFrame, dataFrameHeader } from "./frame-writer.js";
import type { H2Stream } from "./h2-stream.js";

const COPY_LIMIT = 1024; // DATA payloads up to this size are copied behind their header: one buffer
const JOIN_BELOW = 4096; // larger payloads leave as they are, in the batch's writev, not joined by copying
const BATCH_BYTES = 512 * 1024; // DATA per corked batch: one writev each

/** H2Writer owns a connection's output. */
export class H2Writer {
  readonly #socket: Duplex;
  readonly #writer: SocketWriter;
  readonly #onStreamEnd: (stream: H2Stream) => void;
  /** sendWindow is the peer's connection-level window for our DATA. */
  readonly sendWindow = new FlowWindow(DEFAULT_INITIAL_WINDOW_SIZE, 0);
  /** maxFrameSize is the peer's SETTINGS_MAX_FRAME_SIZE. */
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  /** #windowClosedSince is when DATA last found the connection window closed with streams waiting, or 0. */
  #windowClosedSince = 0;
  #blocked = false; // the last batch left streams that no window let send
  #ready: H2Stream[] = [];
  #owed = 0; // control frames written while the socket was full
  #scheduling = false;
  #scheduleQueued = false;

  constructor(socket: Duplex, closed: () => boolean, onStreamEnd: (stream: H2Stream) => void) {
    this.#socket = socket;
    this.#writer = new SocketWriter(socket, closed);
    this.#onStreamEnd = onStreamEnd;
    socket.on("drain", () => {
      this.#owed = 0;
      this.schedule();
    });
  }

  /** frame queues a frame the caller made. */
  frame(bytes: Buffer): void {
    this.#writer.write(bytes, undefined, true);
  }

  /**
   * control queues a reply the peer's frame made us owe (PING ACK, SETTINGS ACK, RST_STREAM); it
   * returns how many such replies are waiting behind a full socket.
   */
  control(bytes: Buffer): number {
    if (this.#socket.writableNeedDrain) this.#owed++;
    this.#writer.write(bytes, undefined, true);
    return this.#owed;
  }

  /** flush sends what is queued now; `done` runs once the socket has taken it. */
  flush(done?: () => void): void {
    this.#writer.flush();
    if (done !== undefined) this.#socket.write(Buffer.alloc(0), () => done());
  }

  /** ready puts a stream with DATA to send (or END_STREAM) in the scheduler's list. */
  ready(stream: H2Stream): void {
    if (stream.scheduled) return;
    stream.scheduled = true;
    this.#ready.push(stream);
  }

  /** scheduleSoon runs schedule() at the end of this tick, so every stream answered in it takes turns. */
  scheduleSoon(): void {
    if (this.#scheduleQueued) return;
    this.#scheduleQueued = true;
    process.nextTick(() => {
      this.#scheduleQueued = false;
      this.schedule();
    });
  }

  /**
   * schedule sends DATA round-robin while the socket takes it and windows allow: in corked
   * batches, so each batch's frames leave in one writev, body pieces uncopied.
   */
  schedule(): void {
    if (this.#scheduling) return;
    this.#scheduling = true;
    this.#blocked = false;
    const now = Date.now(); // one time for the turn: streams' stalledSince and the connection's timer agree
    try {
      while (this.#ready.length > 0 && !this.#socket.writableNeedDrain && this.#batch(now)) {
        // Another batch: the socket took the last one without filling up.
      }
    } finally {
      this.#scheduling = false;
    }
    // A full socket stopped the turn before every stream was tried: the window timer stays as it is.
    const full = this.#socket.writableNeedDrain;
    if (this.sendWindow.size > 0 || (!this.#blocked && !full)) this.#windowClosedSince = 0;
    else if (this.#blocked && this.#windowClosedSince === 0) this.#windowClosedSince = now;
  }

  /** #batch sends up to BATCH_BYTES of DATA, one frame per stream per turn; false when no window let anything go. */
  #batch(now: number): boolean {
    let blocked: H2Stream[] | null = null;
    let budget = BATCH_BYTES;
    let sent = false;
    this.#socket.cork();
    try {
      while (this.#ready.length > 0 && budget > 0) {
        const stream = this.#ready.shift()!;
        stream.scheduled = false;
        const n = this.#sendOne(stream);
        if (n < 0) {
          if (stream.outBytes > 0 && !stream.reset) (blocked ??= []).push(stream);
          if (stream.outBytes > 0 && stream.stalledSince === 0) stream.stalledSince = now;
          continue;
        }
        sent = true;
        budget -= n + 9;
        stream.stalledSince = 0;
        if (stream.outBytes > 0 || stream.outEnd) this.ready(stream);
      }
      this.#writer.flush();
    } finally {
      this.#socket.uncork();
    }
    this.#blocked = blocked !== null;
    if (blocked !== null) for (const stream of blocked) this.ready(stream);
    return sent;
  }

  /**
   * windowStalled tells whether DATA has waited `timeout` ms for a connection window the peer
   * keeps closed, with a stream (not reset since) still waiting for it (the sendTimeout sweep).
   */
  windowStalled(now: number, timeout: number): boolean {
    const since = this.#windowClosedSince;
    if (since === 0 || now - since < timeout || this.sendWindow.size > 0) return false;
    return this.#ready.some((stream) => stream.outBytes > 0 && !stream.reset);
  }

  /** #sendOne sends one DATA frame of `stream` and returns its payload's size; -1 when no window lets it. */
  #sendOne(stream: H2Stream): number {
    if (stream.reset) return -1;
    if (stream.outBytes === 0) {
      if (!stream.outEnd) return -1;
      this.frame(dataFrame(stream.id, EMPTY, true));
      stream.outEnd = false;
      this.#onStreamEnd(stream);
      return 0;
    }
    const n = Math.min(this.maxFrameSize, stream.sendWindow.size, this.sendWindow.size, stream.out[0].byteLength);
    if (n <= 0) return -1;
    const piece = stream.take(n);
    const written = stream.tookWritten;
    const end = stream.outEnd && stream.outBytes === 0;
    stream.sendWindow.consume(n);
    this.sendWindow.consume(n);
    if (n <= COPY_LIMIT && written === undefined) this.frame(dataFrame(stream.id, piece, end));
    else {
      this.frame(dataFrameHeader(stream.id, n, end));
      // A lent chunk's last piece goes uncopied, so its return waits for every piece before it.
      if (written !== undefined || n > JOIN_BELOW) this.#writer.writeUnjoined(piece, written);
      else this.#writer.write(piece);
    }
    if (stream.exchange !== null) stream.exchange.bodyBytes += n;
    if (end) {
      stream.outEnd = false;
      this.#onStreamEnd(stream);
    }
    return n;
  }
}

const EMPTY = new Uint8Array(0);
