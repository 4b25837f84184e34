// Http2Connection: one HTTP/2 connection (RFC 9113), the second implementation of the shared
// exchange. It reads frames, keeps the connection's state (settings, windows, HPACK, stream ids),
// turns each request into an Exchange owned by its H2Stream, and enforces limits and timeouts.
import type { Duplex } from "node:stream";
import { Exchange, type EngineOptions } from "../http/exchange.js";
import { ProtocolError } from "../http/protocol-error.js";
import { RequestBody } from "../http/request-body.js";
import { SendWatch } from "../http/send-watch.js";
import { FrameParser } from "./frame-parser.js";
import { FrameType, MAX_STREAM_ID, type DataFrame, type Frame, type HeadersFrame, type PingFrame, type RstStreamFrame, type SettingsFrame, type WindowUpdateFrame } from "./frame-types.js";
import { goawayFrame, pingFrame, SETTINGS_ACK, settingsFrame, windowUpdateFrame } from "./frame-writer.js";
import { ErrorCode, H2Error, connectionError, streamError } from "./h2-error.js";
import { H2Session, State } from "./h2-session.js";
import { H2Stream } from "./h2-stream.js";
import { HpackDecoder } from "./hpack/hpack-decoder.js";
import { checkTrailers, requestHeadOf } from "./message.js";
import { applySettings, defaultSettings, settingsList, type Settings } from "./settings.js";
import { transition } from "./stream-state.js";

const SHUTDOWN_PING = Buffer.from("sockstop", "latin1");

/** Http2Connection drives one socket's streams; it is the registry's Tracked entry for it. */
export class Http2Connection extends H2Session {
  #parser: FrameParser;
  #decoder: HpackDecoder;
  #sendWatch: SendWatch;
  #peerSettings: Settings = { ...defaultSettings };
  #scheme: string;
  #startedAt = Date.now();
  #settingsAcked = false;
  #blockOpenSince = 0;
  #goawayAt = 0;
  #pendingError: H2Error | null = null;

  constructor(socket: Duplex, options: EngineOptions) {
    super(socket, options);
    const limits = this.limits;
    this.#scheme = options.encrypted === true ? "https" : "http";
    this.#sendWatch = new SendWatch(socket);
    this.#decoder = new HpackDecoder({ maxTableSize: limits.hpackTableSize, maxHeaderListSize: limits.maxHeaderListSize, maxFieldCount: limits.maxFieldCount });
    this.#parser = new FrameParser(
      { onFrame: (f) => this.#onFrame(f), onStreamError: (e) => this.#onParserStreamError(e) },
      { maxFrameSize: limits.maxFrameSize, maxHeaderBlockSize: limits.maxHeaderBlockSize, maxContinuationFrames: limits.maxContinuationFrames, preface: true, server: true },
    );
    this.writer.frame(settingsFrame(settingsList(this.#ourSettings())));
    const grow = this.recvWindow.setTarget(limits.initialConnectionWindow);
    if (grow > 0) this.writer.frame(windowUpdateFrame(0, grow));
    socket.on("data", (chunk: Buffer) => this.#socketOnData(chunk));
    socket.on("end", () => this.#socketOnEnd());
    socket.on("close", () => this.#socketOnClose());
    socket.on("error", () => {}); // 'close' follows
  }

  #ourSettings(): Settings {
    const l = this.limits;
    return {
      headerTableSize: l.hpackTableSize,
      enablePush: false,
      maxConcurrentStreams: l.maxConcurrentStreams,
      initialWindowSize: l.initialStreamWindow,
      maxFrameSize: l.maxFrameSize,
      maxHeaderListSize: l.maxHeaderListSize,
    };
  }

  // ---- socket side -------------------------------------------------------------------------

  #socketOnData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.#parser.execute(chunk);
      this.#flushPendingError();
    } catch (err) {
      if (!(err instanceof H2Error)) throw err;
      this.connectionError(err);
    }
    if (!this.closed) this.writer.schedule();
  }

  #socketOnEnd(): void {
    // The peer sends no more: requests still arriving are cut short; answered ones may finish.
    for (const s of this.streams.live()) if (s.exchange !== null && !s.exchange.requestDone) this.resetStream(s.id, "CANCEL", false);
    if (this.ids.active === 0) this.end();
    else this.lastAccepted = this.ids.highest;
  }

  #socketOnClose(): void {
    this.state = State.Closed;
    for (const s of this.streams.live()) this.abandon(s, new Error("connection closed"));
  }

  // ---- frames ------------------------------------------------------------------------------

  #onFrame(f: Frame): void {
    if (this.closed) return; // the rest of a chunk after a connection error
    if (this.state === State.Preface) this.state = State.Open; // the parser checked preface + SETTINGS
    if (this.#pendingError !== null && (f.type !== FrameType.HEADERS || f.streamId !== this.#pendingError.streamId)) this.#flushPendingError();
    switch (f.type) {
      case FrameType.DATA:
        return this.#onData(f);
      case FrameType.HEADERS:
        return this.#guard(() => this.#onHeaders(f));
      case FrameType.RST_STREAM:
        return this.#onRstStream(f);
      case FrameType.SETTINGS:
        return this.#onSettings(f);
      case FrameType.PING:
        return this.#onPing(f);
      case FrameType.GOAWAY:
        this.lastAccepted = Math.min(this.lastAccepted, this.ids.highest);
        if (this.ids.active === 0) this.end();
        return;
      case FrameType.WINDOW_UPDATE:
        return this.#onWindowUpdate(f);
      default:
        return; // PRIORITY: validated by the parser, no tree kept (§5.3); PUSH_PROMISE: the parser refused it
    }
  }

  /** #guard runs a stream's frame handler and answers a stream error with RST_STREAM. */
  #guard(run: () => void): void {
    try {
      run();
    } catch (err) {
      if (!(err instanceof H2Error) || err.isConnectionError) throw err;
      this.resetStream(err.streamId, err.codeName, true, err);
    }
  }

  #onParserStreamError(err: H2Error): void {
    const self = err.message.includes("depends on itself");
    // A HEADERS that depends on itself still goes through HPACK first (see FrameParser).
    if (self && this.ids.isIdle(err.streamId) && this.streams.get(err.streamId) === undefined) {
      this.#pendingError = err;
      return;
    }
    this.resetStream(err.streamId, err.codeName, true, err);
  }

  /** #flushPendingError resets a stream whose self-dependency came on a PRIORITY frame, not a HEADERS. */
  #flushPendingError(): void {
    const err = this.#pendingError;
    if (err === null) return;
    this.#pendingError = null;
    this.resetStream(err.streamId, err.codeName, true, err);
  }

  #onHeaders(f: HeadersFrame): void {
    const block = this.#decoder.decode(f.headerBlock); // always: the table must stay in sync
    const id = f.streamId;
    const live = this.streams.get(id);
    if (live !== undefined) return this.#onTrailers(live, f, block.fields, block.overLimit !== null);
    if (!this.ids.isIdle(id)) {
      if (this.streams.wasReset(id)) return void this.misbehaved();
      // §5.1 closed: "An endpoint MUST treat ... as a connection error ... of type STREAM_CLOSED"
      throw connectionError(this.streams.wasClosed(id) ? "STREAM_CLOSED" : "PROTOCOL_ERROR", `HEADERS on closed stream ${id}`);
    }
    if (id % 2 === 0) throw connectionError("PROTOCOL_ERROR", `client stream id ${id} is even`);
    if (id > this.lastAccepted) return; // §6.8: streams after our GOAWAY's last id are ignored
    const pending = this.#pendingError;
    this.#pendingError = null;
    this.ids.open(id); // a REFUSED_STREAM stream error past the concurrency limit
    const s = new H2Stream(this, id, this.#peerSettings.initialWindowSize, this.limits.initialStreamWindow);
    s.state = transition("idle", f.endStream ? "recvHeadersEnd" : "recvHeaders", id).state;
    this.streams.add(s);
    this.idleSince = 0;
    if (pending !== null && pending.streamId === id) throw pending;
    this.#startExchange(s, f.endStream, block.fields, block.overLimit !== null);
  }

  #startExchange(s: H2Stream, endStream: boolean, fields: string[], overLimit: boolean): void {
    const head = overLimit ? requestHeadOf([":method", "GET", ":scheme", this.#scheme, ":path", "/"], s.id) : requestHeadOf(fields, s.id);
    if (head.scheme === "") head.scheme = this.#scheme;
    const hooks = { onFirstRead: () => this.sendContinue(s), onLow: () => {}, onConsumed: (n: number) => this.consumed(s, n) };
    const body = endStream ? null : new RequestBody(hooks, this.limits.initialStreamWindow);
    const ex = new Exchange(s, head, body);
    s.exchange = ex;
    s.declaredLength = head.contentLength;
    s.expectContinue = body !== null && headerIs(head.headers, "expect", "100-continue");
    ex.requestDone = endStream;
    if (endStream && head.contentLength > 0) throw streamError("PROTOCOL_ERROR", "content-length without DATA", s.id);
    if (overLimit) return this.answer(s, 431, "header list too large");
    if (head.contentLength > this.limits.maxBodySize) return this.answer(s, 413, "content too large");
    s.handlerStarted = true;
    this.options.onExchange(ex);
  }

  #onTrailers(s: H2Stream, f: HeadersFrame, fields: string[], overLimit: boolean): void {
    s.state = transition(s.state, f.endStream ? "recvHeadersEnd" : "recvHeaders", s.id).state;
    if (s.state === "resetSent") return void this.misbehaved();
    if (overLimit) throw streamError("PROTOCOL_ERROR", "trailers too large", s.id);
    const ex = s.exchange!;
    ex.trailers = checkTrailers(fields, s.id);
    this.#requestEnd(s);
  }

  #onData(f: DataFrame): void {
    this.recvWindow.received(f.flowLength); // a connection FLOW_CONTROL_ERROR past the window
    const s = this.streams.get(f.streamId);
    if (s === undefined) {
      this.credit(f.flowLength);
      if (this.ids.isIdle(f.streamId)) throw connectionError("PROTOCOL_ERROR", `DATA on idle stream ${f.streamId}`);
      if (this.streams.wasReset(f.streamId)) return void this.misbehaved();
      return this.resetStream(f.streamId, "STREAM_CLOSED", true);
    }
    this.#guard(() => this.#onStreamData(s, f));
  }

  #onStreamData(s: H2Stream, f: DataFrame): void {
    const padding = f.flowLength - f.data.byteLength;
    try {
      s.state = transition(s.state, f.endStream ? "recvDataEnd" : "recvData", s.id).state;
      s.recvWindow.received(f.flowLength);
    } catch (err) {
      this.credit(f.flowLength);
      throw err;
    }
    if (padding > 0) this.consumed(s, padding, true);
    if (f.data.byteLength === 0 && !f.endStream) this.misbehaved();
    s.lastDataAt = Date.now();
    s.received += f.data.byteLength;
    const body = s.exchange!.body!;
    if (s.declaredLength >= 0 && s.received > s.declaredLength) throw streamError("PROTOCOL_ERROR", "more DATA than content-length", s.id);
    if (s.received > this.limits.maxBodySize && !s.endsEarly) this.endRequestEarly(s, new ProtocolError(413, "HTTP_BODY_TOO_LARGE", "request body exceeds maxBodySize"));
    if (s.reset) return;
    if (s.endsEarly) this.consumed(s, f.data.byteLength); // answered already: the rest is dropped
    else body.push(f.data);
    if (f.endStream) {
      if (s.declaredLength >= 0 && s.received !== s.declaredLength) throw streamError("PROTOCOL_ERROR", "less DATA than content-length", s.id);
      this.#requestEnd(s);
    }
  }

  #requestEnd(s: H2Stream): void {
    const ex = s.exchange!;
    ex.requestDone = true;
    ex.body?.end();
    if (s.state === "closed") this.closeStream(s);
  }

  #onRstStream(f: RstStreamFrame): void {
    const s = this.streams.get(f.streamId);
    if (!this.misbehaved()) return;
    if (s === undefined) {
      if (this.ids.isIdle(f.streamId)) throw connectionError("PROTOCOL_ERROR", `RST_STREAM on idle stream ${f.streamId}`);
      return;
    }
    s.state = transition(s.state, "recvRstStream", s.id).state;
    this.abandon(s, new Error(`stream reset by the peer (code ${f.errorCode})`));
  }

  #onSettings(f: SettingsFrame): void {
    if (f.ack) {
      this.#settingsAcked = true;
      return;
    }
    // Each SETTINGS and PING costs a reply: floods of them (CVE-2019-9512, -9515) draw from the
    // budget, whether or not the peer reads the replies fast enough for the socket to stay empty.
    if (!this.misbehaved()) return;
    const update = applySettings(this.#peerSettings, f.settings);
    this.#peerSettings = update.settings;
    if (update.headerTableSize !== null) this.encoder.setMaxTableSize(update.headerTableSize);
    if (update.maxFrameSize !== null) this.writer.maxFrameSize = update.maxFrameSize;
    if (update.initialWindowDelta !== 0) for (const s of this.streams.live()) s.sendWindow.adjust(update.initialWindowDelta);
    this.control(SETTINGS_ACK);
    for (const s of this.streams.live()) if (s.outBytes > 0) this.writer.ready(s);
  }

  #onPing(f: PingFrame): void {
    if (!f.ack) return void (this.misbehaved() && this.control(pingFrame(f.opaqueData, true)));
    if (this.goaway === 1 && Buffer.compare(f.opaqueData, SHUTDOWN_PING) === 0) this.finalGoaway();
  }

  #onWindowUpdate(f: WindowUpdateFrame): void {
    if (f.streamId === 0) {
      this.writer.sendWindow.credit(f.windowSizeIncrement);
      for (const s of this.streams.live()) if (s.outBytes > 0) this.writer.ready(s);
      return;
    }
    const s = this.streams.get(f.streamId);
    if (s === undefined) {
      if (this.ids.isIdle(f.streamId)) throw connectionError("PROTOCOL_ERROR", `WINDOW_UPDATE on idle stream ${f.streamId}`);
      return void this.misbehaved();
    }
    this.#guard(() => {
      s.sendWindow.credit(f.windowSizeIncrement);
      if (s.outBytes > 0 || s.outEnd) this.writer.ready(s);
    });
  }

  // ---- closing -----------------------------------------------------------------------------

  /** sweep enforces the timeouts; the server calls it periodically with the current time. */
  sweep(now: number): void {
    if (this.state === State.Closed) return;
    if (this.#sendWatch.stalled(now, this.limits.sendTimeout)) return this.destroy();
    if (this.state === State.Linger) return void (now >= this.deadline && this.socket.destroy());
    const l = this.limits;
    if (this.state === State.Preface) return void (now - this.#startedAt >= l.headerTimeout && this.socket.destroy());
    if (!this.#parser.headerBlockOpen) this.#blockOpenSince = 0;
    else if (this.#blockOpenSince === 0) this.#blockOpenSince = now;
    else if (now - this.#blockOpenSince >= l.headerTimeout) return this.connectionError(connectionError("ENHANCE_YOUR_CALM", "header block timeout"));
    // A connection window the peer never reopens stalls every stream, present and future: close.
    if (this.writer.windowStalled(now, l.sendTimeout)) return this.goAway("NO_ERROR", "send timeout: the connection window stayed closed");
    if (!this.#settingsAcked && now - this.#startedAt >= l.settingsAckTimeout) return this.connectionError(connectionError("SETTINGS_TIMEOUT", "SETTINGS not acknowledged"));
    if (this.goaway === 1 && now - this.#goawayAt >= l.settingsAckTimeout) this.finalGoaway();
    if (this.ids.active === 0 && this.idleSince > 0 && now - this.idleSince >= l.keepAliveTimeout) return this.goAway("NO_ERROR");
    this.#sweepStreams(now);
  }

  #sweepStreams(now: number): void {
    const l = this.limits;
    for (const s of this.streams.live()) {
      const ex = s.exchange;
      if (ex !== null && !ex.requestDone && !s.endsEarly && s.recvWindow.available > 0 && now - s.lastDataAt >= l.bodyTimeout) this.endRequestEarly(s, new ProtocolError(408, "HTTP_BODY_TIMEOUT", "request body timeout"));
      else if (s.stalledSince > 0 && s.outBytes > 0 && now - s.stalledSince >= l.sendTimeout) this.resetStream(s.id, "CANCEL", false);
    }
  }

  /** shutdown stops gracefully (§6.8): GOAWAY 2^31-1 and a PING, then the real last id; accepted streams finish. */
  shutdown(): void {
    if (this.closed || this.goaway !== 0) return;
    if (this.state === State.Preface) return this.goAway("NO_ERROR");
    this.goaway = 1;
    this.#goawayAt = Date.now();
    this.writer.frame(goawayFrame(MAX_STREAM_ID, ErrorCode.NO_ERROR));
    this.writer.frame(pingFrame(SHUTDOWN_PING));
    this.writer.flush();
  }

  /** destroy stops at once: GOAWAY with the last stream id, then the socket is cut. */
  destroy(): void {
    if (this.state === State.Closed) return;
    const socket = this.socket;
    if (!this.closed) {
      this.writer.frame(goawayFrame(this.ids.highest, ErrorCode.NO_ERROR));
      this.writer.flush(() => socket.destroy());
    }
    this.state = State.Closed;
    for (const s of this.streams.live()) this.abandon(s, new Error("connection destroyed"));
    setImmediate(() => socket.destroy()).unref();
  }
}

function headerIs(headers: readonly string[], name: string, value: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name && headers[i + 1].toLowerCase() === value) return true;
  return false;}
