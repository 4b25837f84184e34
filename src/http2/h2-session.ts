// H2Session: the state an HTTP/2 connection shares between reading frames and writing answers
// (RFC 9113): the writer, stream ids and table, flow-control credit, the misbehaviour budget,
// responses on streams, and how streams and the connection end. Http2Connection extends it.
import type { Duplex } from "node:stream";
import { cancelBody } from "../http/body-reader.js";
import { peerInfoOf, type EngineOptions, type OutgoingResponse, type PeerInfo } from "../http/exchange.js";
import type { Limits } from "../http/limits.js";
import type { ProtocolError } from "../http/protocol-error.js";
import { ReceiveWindow } from "./flow-window.js";
import { DEFAULT_INITIAL_WINDOW_SIZE, MAX_STREAM_ID } from "./frame-types.js";
import { goawayFrame, headersFrames, rstStreamFrame, windowUpdateFrame } from "./frame-writer.js";
import { ErrorCode, connectionError, type H2Error } from "./h2-error.js";
import type { H2Stream, StreamHost } from "./h2-stream.js";
import { H2Writer } from "./h2-writer.js";
import { HpackEncoder } from "./hpack/hpack-encoder.js";
import { responseFields } from "./message.js";
import { MisbehaviourBudget } from "./misbehaviour-budget.js";
import { sendResponse, type ResponseHost } from "./response-sender.js";
import { StreamIds } from "./stream-ids.js";
import { transition } from "./stream-state.js";
import { StreamTable } from "./stream-table.js";

/** State is where a connection is in its life. */
export const enum State {
  Preface, // waiting for the client preface and its SETTINGS: headerTimeout
  Open,
  Linger, // GOAWAY sent and the socket ended: reading and discarding until lingerTimeout
  Closed,
}

/** H2Session holds what frames and answers both need; see Http2Connection. */
export abstract class H2Session implements StreamHost, ResponseHost {
  readonly socket: Duplex;
  readonly peer: PeerInfo;
  readonly limits: Limits;
  protected readonly options: EngineOptions;
  protected state = State.Preface;
  protected readonly encoder = new HpackEncoder();
  protected readonly writer: H2Writer;
  protected readonly ids: StreamIds;
  protected readonly streams = new StreamTable();
  protected readonly recvWindow = new ReceiveWindow(DEFAULT_INITIAL_WINDOW_SIZE, 0);
  protected readonly budget: MisbehaviourBudget;
  protected idleSince = Date.now();
  /** goaway: 0 none sent; 1 the first of a graceful stop (2^31-1) with its PING out; 2 the real last id sent. */
  protected goaway = 0;
  /** lastAccepted is the highest stream id we still take: streams above it are ignored (§6.8). */
  protected lastAccepted = MAX_STREAM_ID;
  protected deadline = 0;

  constructor(socket: Duplex, options: EngineOptions) {
    this.socket = socket;
    this.options = options;
    this.limits = options.limits;
    this.peer = peerInfoOf(options.addressSocket ?? socket, options.encrypted === true);
    this.writer = new H2Writer(socket, () => this.state === State.Closed || socket.writableEnded, (s) => this.sentEnd(s));
    this.ids = new StreamIds(this.limits.maxConcurrentStreams);
    this.budget = new MisbehaviourBudget(this.limits.misbehaviourBudget);
  }

  /** closed tells whether the connection is gone (or going: GOAWAY for an error has been sent). */
  get closed(): boolean {
    return this.state >= State.Linger;
  }

  /** idle tells whether no stream has a handler running. */
  get idle(): boolean {
    return this.ids.active === 0;
  }

  /** pendingRequests counts the streams whose handlers are running or whose responses are being sent. */
  get pendingRequests(): number {
    return this.ids.active;
  }

  // ---- flow control and budget --------------------------------------------------------------

  /** consumed credits `n` octets the handler took (or padding) back to the stream and the connection. */
  protected consumed(s: H2Stream, n: number, padding = false): void {
    if (s.released && !padding) return; // credited to the connection when the stream closed
    const inc = s.recvWindow.consumed(n);
    if (inc > 0 && (s.state === "open" || s.state === "halfClosedLocal")) this.writer.frame(windowUpdateFrame(s.id, inc));
    this.credit(n);
  }

  /** credit gives `n` octets back to the connection window (received and dropped, or consumed). */
  protected credit(n: number): void {
    const inc = this.recvWindow.consumed(n);
    if (inc > 0) this.writer.frame(windowUpdateFrame(0, inc));
  }

  /** misbehaved draws a token; an exhausted budget ends the connection. False once it did. */
  protected misbehaved(): boolean {
    if (this.budget.draw()) return true;
    this.connectionError(connectionError("ENHANCE_YOUR_CALM", "too many resets or useless frames"));
    return false;
  }

  protected control(frame: Buffer): void {
    if (this.writer.control(frame) > this.limits.maxQueuedControlFrames) {
      this.connectionError(connectionError("ENHANCE_YOUR_CALM", "the peer does not read our control frames"));
    }
  }

  // ---- responses ----------------------------------------------------------------------------

  respondOn(s: H2Stream, response: OutgoingResponse): void {
    const ex = s.exchange!;
    if (this.closed || s.reset || ex.responseStarted) {
      this.handlerAnswered(s);
      return cancelBody(response.body);
    }
    s.handlerDone = true;
    sendResponse(this, s, response);
    if (!ex.requestDone && ex.body !== null && !ex.body.started) ex.body.discard();
  }

  informOn(s: H2Stream, status: number, fields: readonly string[]): boolean {
    if (!Number.isInteger(status) || status < 100 || status > 199 || status === 101) throw new RangeError(`interim status ${status} must be 1xx other than 101`);
    if (this.closed || s.reset) return false;
    this.sendHeaders(s, responseFields(status, fields), false);
    return true;
  }

  sendHeaders(s: H2Stream, fields: readonly string[], endStream: boolean): void {
    const block = this.encoder.encode(fields);
    this.writer.frame(headersFrames(s.id, block, endStream, this.writer.maxFrameSize));
    if (fields[1] !== undefined && fields[1].charCodeAt(0) === 0x31) return; // 1xx: not the response's HEADERS
    s.state = transition(s.state, endStream ? "sendHeadersEnd" : "sendHeaders", s.id).state;
    if (endStream) this.responseEnd(s);
  }

  ready(s: H2Stream): void {
    this.writer.ready(s);
    this.writer.scheduleSoon();
  }

  fail(s: H2Stream, err: unknown): void {
    if (s.exchange !== null && !s.exchange.aborted) this.options.onError(err, s.exchange);
    this.resetStream(s.id, "INTERNAL_ERROR", false);
  }

  handlerAnswered(s: H2Stream): void {
    s.handlerDone = true;
    this.releaseIfDone(s);
  }

  /**
   * answer sends an engine-made response (a limit crossed) without calling the handler. A body
   * still to come is not wanted: RST_STREAM NO_ERROR follows the answer (§8.1).
   */
  protected answer(s: H2Stream, status: number, reason: string): void {
    s.endsEarly = !s.exchange!.requestDone;
    this.respondOn(s, plainAnswer(status, reason));
  }

  /**
   * endRequestEarly ends a request whose body the engine stops taking (it stalled past
   * bodyTimeout, or grew past maxBodySize). Before any response the handler's read fails with
   * `err` (as on HTTP/1.1) and the peer gets its status, then RST_STREAM NO_ERROR (§8.1: a server "MAY request that the client
   * abort transmission of a request without error"); the handler's own answer is dropped. Once a
   * response has begun, the stream is reset with CANCEL.
   */
  protected endRequestEarly(s: H2Stream, err: ProtocolError): void {
    const ex = s.exchange!;
    if (ex.responseStarted) return this.resetStream(s.id, "CANCEL", false);
    ex.abort(err);
    if (ex.responseStarted || s.reset) return; // answered from an abort listener
    s.endsEarly = true;
    sendResponse(this, s, plainAnswer(err.status, err.message));
  }

  protected sendContinue(s: H2Stream): void {
    if (!s.expectContinue || s.continueSent || s.exchange!.responseStarted || this.closed || s.reset) return;
    s.continueSent = true;
    this.sendHeaders(s, [":status", "100"], false);
  }

  protected sentEnd(s: H2Stream): void {
    s.state = transition(s.state, "sendDataEnd", s.id).state;
    this.responseEnd(s);
  }

  /** responseEnd runs once END_STREAM of the response is queued. */
  protected responseEnd(s: H2Stream): void {
    const ex = s.exchange!;
    ex.responseDone = true;
    this.options.onExchangeEnd?.(ex);
    if (s.state === "closed") return this.closeStream(s);
    if (s.endsEarly) return this.resetStream(s.id, "NO_ERROR", false);
    // The answer is complete before the request: the rest of the body is read and dropped (its
    // window credited), so the stream still ends as the peer expects. §8.1 also allows RST_STREAM
    // NO_ERROR here; not sent, since the peer could no longer learn of its own framing errors.
    ex.body?.discard();
    this.releaseIfDone(s);
  }

  // ---- streams ending --------------------------------------------------------------------------

  /** resetStream sends RST_STREAM (§5.4.2) and abandons the stream's exchange. */
  protected resetStream(id: number, code: keyof typeof ErrorCode, misbehaviour: boolean, err?: H2Error): void {
    if (this.closed) return;
    if (misbehaviour && !this.misbehaved()) return;
    this.control(rstStreamFrame(id, ErrorCode[code]));
    const s = this.streams.get(id);
    if (s === undefined) return this.streams.forgetReset(id);
    s.state = "resetSent";
    this.abandon(s, err ?? new Error(`stream reset (${code})`));
  }

  /** abandon ends a stream that will not complete: its exchange is aborted, its output dropped. */
  protected abandon(s: H2Stream, reason: Error): void {
    s.dropOutput();
    const ex = s.exchange;
    if (!s.handlerStarted) s.handlerDone = true;
    if (ex !== null) {
      const unfinished = !ex.responseDone && !ex.aborted;
      ex.abort(reason);
      if (unfinished && s.handlerStarted) this.options.onExchangeEnd?.(ex);
    }
    this.closeStream(s);
  }

  /** closeStream forgets a closed stream: its unread body is credited to the connection; its slot waits for the handler. */
  protected closeStream(s: H2Stream): void {
    if (!this.streams.remove(s)) return;
    const unread = s.recvWindow.unconsumed;
    if (unread > 0) this.credit(unread);
    s.released = true;
    this.releaseIfDone(s);
  }

  /** releaseIfDone gives the stream's concurrency slot back once it is closed and its handler has answered. */
  protected releaseIfDone(s: H2Stream): void {
    if (!s.handlerDone || this.streams.get(s.id) !== undefined || s.state === "idle") return;
    if (s.slotFreed) return;
    s.slotFreed = true;
    this.ids.release();
    if (this.ids.active === 0) this.becameIdle();
  }

  protected becameIdle(): void {
    this.idleSince = Date.now();
    if (this.goaway === 2 || this.lastAccepted < MAX_STREAM_ID) this.end();
  }

  protected finalGoaway(): void {
    this.goaway = 2;
    this.lastAccepted = this.ids.highest;
    this.writer.frame(goawayFrame(this.lastAccepted, ErrorCode.NO_ERROR));
    this.writer.flush();
    if (this.ids.active === 0) this.end();
  }

  protected connectionError(err: H2Error): void {
    this.goAway(err.codeName, err.message);
  }

  /** goAway sends GOAWAY with `code`, abandons every stream and ends the connection. */
  protected goAway(code: keyof typeof ErrorCode, message = ""): void {
    if (this.closed) return;
    this.writer.frame(goawayFrame(this.ids.highest, ErrorCode[code], Buffer.from(message.slice(0, 200), "latin1")));
    for (const s of this.streams.live()) this.abandon(s, new Error(`connection error: ${message || code}`));
    this.end();
  }

  /** end flushes, half-closes and keeps draining input until lingerTimeout (so the peer reads our GOAWAY). */
  protected end(): void {
    if (this.closed) return;
    this.state = State.Linger;
    this.deadline = Date.now() + this.limits.lingerTimeout;
    this.writer.flush();
    this.socket.end();
    this.socket.resume();
  }
}

/** plainAnswer is an engine-made text/plain response: "<status> <reason>". */
function plainAnswer(status: number, reason: string): OutgoingResponse {
  return { status, statusText: "", headers: ["content-type", "text/plain; charset=utf-8"], body: `${status} ${reason}\n`, bodyLength: -1, trusted: true };
}
