// Connection: one HTTP/1.1 connection (RFC 9112 §9), the HTTP/1.x implementation of the shared
// exchange. It feeds socket bytes to the parser, hands each request on as an Exchange, writes
// responses in order, and enforces the timeouts of the state it is in.
import type { Duplex } from "node:stream";
import { Exchange, peerInfoOf, type EngineOptions, type ExchangeOwner, type OnUpgrade, type OutgoingResponse, type PeerInfo } from "./exchange.js";
import type { Limits } from "./limits.js";
import { bodyIncomplete, isProtocolError, ProtocolError } from "./protocol-error.js";
import { RequestBody } from "./request-body.js";
import type { Http1Head } from "./request-head.js";
import { RequestParser } from "./request-parser.js";
import { frameHttp1, informationalHead } from "./response-head.js";
import { planResponse } from "./response-plan.js";
import { errorResponse, writeResponse, type ResponseSink } from "./response-writer.js";
import { SendWatch } from "./send-watch.js";
import { SocketWriter } from "./socket-writer.js";

/** State is where a connection is in its life; each state has at most one engine timeout. */
const enum State {
  Head, // waiting for (the rest of) a request head: headerTimeout
  Idle, // between requests on a persistent connection: keepAliveTimeout
  Body, // reading a request body: bodyTimeout since the last byte
  Busy, // the application or the response write is in charge: no engine timeout
  Linger, // closing: the last answer is queued; reading and discarding until lingerTimeout
  Handed, // given to another protocol (an upgrade) or a raw writer (NPH): no longer ours
  Closed, // destroyed, or closed by the peer
}

const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";

/** Connection drives one socket through any number of exchanges. */
export class Connection implements ExchangeOwner, ResponseSink {
  readonly socket: Duplex;
  readonly peer: PeerInfo;
  readonly limits: Limits;
  #options: EngineOptions;
  #parser: RequestParser;
  #state = State.Head;
  #deadline: number;
  /**
   * #last is the connection's one decision besides its state: the current exchange is its last
   * (set by the request's keep-alive rules, by the response's framing, or by a stop).
   */
  #last = false;
  #exchange: Exchange | null = null;
  #head: Http1Head | null = null;
  #continueSent = false;
  #stash: Buffer | null = null; // bytes of the next request, held while the current one is answered
  #takeover: OnUpgrade | null = null;
  #inFeed = false;
  #writer: SocketWriter;
  #sendWatch: SendWatch;

  constructor(socket: Duplex, options: EngineOptions) {
    this.socket = socket;
    this.#options = options;
    this.limits = options.limits;
    this.peer = peerInfoOf(options.addressSocket ?? socket, options.encrypted === true);
    this.#writer = new SocketWriter(socket, () => this.closed);
    this.#sendWatch = new SendWatch(socket);
    this.#deadline = Date.now() + this.limits.headerTimeout;
    this.#parser = new RequestParser(
      this.limits,
      { onHead: (head) => this.#onHead(head), onBody: (chunk) => this.#onBody(chunk), onComplete: (trailers) => this.#onComplete(trailers) },
      options.encrypted === true ? "https" : "http",
    );
    for (const [event, listener] of Object.entries(this.#listeners)) socket.on(event, listener);
  }

  // Kept so an upgrade can detach exactly these and leave the socket to its new owner.
  #listeners = {
    data: (chunk: Buffer): void => this.#socketOnData(chunk),
    end: (): void => this.#socketOnEnd(),
    close: (): void => this.#socketOnClose(),
    error: (): void => {}, // 'close' follows; a reset peer is not our fault to report
  };

  /** closed tells whether the connection is no longer this engine's: closed, or handed over. */
  get closed(): boolean {
    return this.#state === State.Closed || this.#state === State.Handed;
  }

  /** idle tells whether no request is in progress, so the connection can be closed without loss. */
  get idle(): boolean {
    return this.#exchange === null && !this.#parser.started;
  }

  /** pendingRequests is 1 while a request is in progress, else 0. */
  get pendingRequests(): number {
    return this.idle ? 0 : 1;
  }

  /** sweep enforces the timeouts; the server calls it periodically with the current time. */
  sweep(now: number): void {
    if (this.closed) return;
    if (this.#sendWatch.stalled(now, this.limits.sendTimeout)) return this.#destroy();
    if (this.#state === State.Busy || now < this.#deadline) return;
    switch (this.#state) {
      case State.Head:
        if (this.#parser.started) return this.#fail(new ProtocolError(408, "HTTP_HEADER_TIMEOUT", "header timeout"));
        return this.#destroy();
      case State.Idle:
        return this.#destroy();
      case State.Linger:
        // Bytes still queued are the rest of the answer: wait for them (sendTimeout cuts a peer that takes none).
        if (this.socket.writableLength > 0) return;
        return this.#destroy();
      case State.Body:
        return this.#fail(new ProtocolError(408, "HTTP_BODY_TIMEOUT", "request body timeout"));
    }
  }

  /** shutdown asks the connection to close: now if idle, otherwise after the current response. */
  shutdown(): void {
    this.#last = true;
    if (this.idle && !this.closed) this.#end();
  }

  /** destroy cuts the connection at once. */
  destroy(): void {
    this.#destroy();
  }

  #socketOnData(chunk: Buffer): void {
    if (this.#state === State.Linger || this.closed) return; // discarded: framing is over
    if (this.#stash !== null) {
      this.#stash = Buffer.concat([this.#stash, chunk]);
      return;
    }
    if (this.#state === State.Idle) this.#enter(State.Head, this.limits.headerTimeout);
    this.#feed(chunk);
  }

  #feed(data: Buffer): void {
    const parser = this.#parser;
    this.#inFeed = true;
    let i = 0;
    try {
      while (i < data.length && !this.closed && this.#takeover === null) {
        if ((parser.complete || parser.upgraded) && !this.#advance()) {
          if (!this.#last) {
            this.#stash = data.subarray(i);
            this.socket.pause();
          }
          break;
        }
        i = parser.execute(data, i);
      }
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      this.#fail(err);
    } finally {
      this.#inFeed = false;
    }
    if (this.#takeover !== null) return this.#handOver(data.subarray(i));
    if (parser.complete) this.#advance();
  }

  /** #advance moves on to the next message once the current exchange is over; false while it is not. */
  #advance(): boolean {
    const ex = this.#exchange;
    if (ex !== null && !(ex.responseDone && ex.requestDone)) return false;
    if (this.socket.writableNeedDrain) {
      // A peer that pipelines without reading must not make us buffer every answer.
      this.socket.once("drain", () => this.#resume());
      return false;
    }
    if (this.#last || this.closed) {
      this.#end();
      return false;
    }
    this.#exchange = null;
    this.#head = null;
    this.#parser.reset();
    this.#enter(State.Idle, this.limits.keepAliveTimeout);
    return true;
  }

  #resume(): void {
    if (this.#inFeed || this.closed) return;
    if (!this.#parser.complete && !this.#parser.upgraded) return;
    if (!this.#advance()) return;
    const stash = this.#stash;
    this.#stash = null;
    this.socket.resume();
    if (stash !== null && stash.length > 0) {
      this.#enter(State.Head, this.limits.headerTimeout);
      this.#feed(stash);
    }
  }

  #socketOnEnd(): void {
    // The peer finished sending. A complete request still gets its answer; a partial one cannot.
    if (this.#exchange === null || this.#state === State.Linger) return this.#destroy();
    this.#exchange.abort(bodyIncomplete());
    this.#last = true;
  }

  #socketOnClose(): void {
    if (this.#state === State.Handed) return;
    this.#state = State.Closed;
    const ex = this.#exchange;
    if (ex === null) return;
    ex.abort(bodyIncomplete());
    if (!ex.responseDone) this.#options.onExchangeEnd?.(ex);
  }

  #onHead(head: Http1Head): void {
    const hasBody = head.chunked || head.contentLength > 0;
    const hooks = { onFirstRead: () => this.#sendContinue(), onLow: () => this.#bodyLow() };
    const ex = new Exchange(this, head, hasBody ? new RequestBody(hooks, this.limits.bodyHighWaterMark) : null);
    this.#exchange = ex;
    this.#head = head;
    this.#continueSent = false;
    if (!head.keepAlive || head.method === "CONNECT") this.#last = true;
    if (hasBody) this.#enter(State.Body, this.limits.bodyTimeout);
    else {
      ex.requestDone = true;
      this.#enter(State.Busy, 0);
    }
    this.#options.onExchange(ex);
  }

  #onBody(chunk: Uint8Array): void {
    // Body bytes that follow an answer (being dropped, or lingering) must not move a later state's deadline.
    if (this.#state === State.Body) this.#deadline = Date.now() + this.limits.bodyTimeout;
    const ex = this.#exchange!;
    if (!ex.body!.push(chunk)) {
      // The handler is not keeping up: stop reading, and stop the body clock, which is for the peer.
      this.socket.pause();
      this.#enter(State.Busy, 0);
    }
    if (ex.responseDone && ex.body!.received > this.limits.maxDrainSize) this.#destroy();
  }

  #bodyLow(): void {
    const ex = this.#exchange;
    if (ex === null || ex.requestDone || this.closed) return;
    this.#enter(State.Body, this.limits.bodyTimeout);
    this.socket.resume();
  }

  #onComplete(trailers: string[]): void {
    const ex = this.#exchange!;
    if (ex.body !== null) {
      ex.trailers = trailers;
      ex.requestDone = true;
      ex.body.end();
      this.#enter(State.Busy, 0);
    }
  }

  #sendContinue(): void {
    const ex = this.#exchange;
    if (ex === null || !this.#head!.expectContinue || this.#continueSent || ex.responseStarted) return;
    this.#continueSent = true;
    this.#writer.writeUtf8(CONTINUE);
  }

  respond(ex: Exchange, response: OutgoingResponse): void {
    if (this.closed) return;
    const head = this.#head!;
    if (ex.body !== null && !ex.requestDone && !ex.body.started) {
      // The handler answered without touching the body. An unanswered 100-continue means the
      // client may never send it, so close; otherwise the rest is read and dropped. A handler
      // that is reading (a CGI script, an echo) keeps its body while its response streams.
      if (head.expectContinue && !this.#continueSent) this.#last = true;
      ex.body.discard();
    }
    const plan = planResponse(head.method, response);
    const framing = frameHttp1(plan, head.versionMinor, this.#last);
    if (framing.close) this.#last = true;
    writeResponse(this, ex, plan, framing);
  }

  /** finishResponse is called by the writer once the last byte of a response is queued. */
  finishResponse(ex: Exchange): void {
    ex.responseDone = true;
    this.#options.onExchangeEnd?.(ex);
    if (!ex.requestDone) {
      // The response is complete, so whatever of the body is still to come can only be dropped.
      ex.body?.discard();
      this.#enter(State.Body, this.limits.bodyTimeout);
      if (this.#last) this.#end();
      return;
    }
    if (!this.#inFeed) this.#resume();
  }

  /** write queues bytes for the peer (see SocketWriter): false means wait for 'drain'. */
  write(data: Uint8Array, written?: () => void, owned = false): boolean {
    return this.#writer.write(data, written, owned);
  }

  writeUtf8(text: string): boolean {
    return this.#writer.writeUtf8(text);
  }

  waitDrain(): Promise<void> {
    return this.#writer.waitDrain();
  }

  reportError(err: unknown, ex: Exchange | null): void {
    this.#options.onError(err, ex);
  }

  /** inform sends a 1xx interim response now; never to an HTTP/1.0 client (RFC 9110 §15.2). */
  inform(ex: Exchange, status: number, fields: readonly string[]): boolean {
    if (!Number.isInteger(status) || status < 100 || status > 199 || status === 101) {
      throw new RangeError(`interim status ${status} must be 1xx other than 101`);
    }
    if (ex !== this.#exchange || this.#head!.versionMinor === 0) return false;
    this.#writer.writeLatin1(informationalHead(status, fields));
    this.#writer.flush();
    return true;
  }

  /**
   * upgrade answers with 101 (RFC 9110 §7.8, §15.2.2), Upgrade and Connection fields plus
   * `fields`, and gives the socket, with any bytes read past the request, to `onStream`.
   */
  upgrade(ex: Exchange, protocol: string, fields: readonly string[], onStream: OnUpgrade): void {
    this.#startHandOver(ex, onStream, informationalHead(101, ["Upgrade", protocol, "Connection", "Upgrade", ...fields]));
  }

  /** takeSocket hands the raw socket over with nothing written: HTTP/1.x only (CGI NPH writes HTTP/1.1 bytes). */
  takeSocket(ex: Exchange, onSocket: OnUpgrade): boolean {
    this.#startHandOver(ex, onSocket, null);
    return true;
  }

  /** #startHandOver writes `head` (if any) and gives the socket away once the parser has let go of it. */
  #startHandOver(ex: Exchange, onSocket: OnUpgrade, head: string | null): void {
    if (this.closed || ex !== this.#exchange || ex.responseStarted || !ex.requestDone) {
      throw new Error("this request can no longer be upgraded");
    }
    if (head !== null) this.#writer.writeLatin1(head);
    ex.responseStarted = true;
    ex.status = 101;
    this.#writer.flush();
    ex.responseDone = true;
    this.#options.onExchangeEnd?.(ex);
    this.#takeover = onSocket;
    if (!this.#inFeed) {
      const rest = this.#stash;
      this.#stash = null;
      this.#handOver(rest);
    }
  }

  #handOver(rest: Buffer | null): void {
    const onSocket = this.#takeover!;
    this.#takeover = null;
    this.#state = State.Handed;
    this.#exchange = null;
    const socket = this.socket;
    for (const [event, listener] of Object.entries(this.#listeners)) socket.off(event, listener);
    socket.resume();
    onSocket(socket, rest !== null && rest.length > 0 ? rest : null);
  }

  /** #fail answers a protocol error with its status and closes, or resets if a response has begun. */
  #fail(err: ProtocolError): void {
    const ex = this.#exchange;
    ex?.abort(err);
    this.#last = true;
    if (ex !== null && ex.responseStarted) return this.#destroy();
    this.#writer.writeUtf8(errorResponse(err.status, err.code));
    this.#end();
  }

  /** #end half-closes after the queued bytes and keeps draining input for a while (lingering close). */
  #end(): void {
    if (this.closed || this.#state === State.Linger) return;
    this.#stash = null;
    this.#enter(State.Linger, this.limits.lingerTimeout);
    this.#writer.flush();
    this.socket.end();
    this.socket.resume();
  }

  #destroy(): void {
    if (this.closed) return;
    this.#state = State.Closed;
    this.socket.destroy();
    this.#exchange?.abort(bodyIncomplete());
  }

  /** #enter moves to a live state; a closed or handed-over connection stays where it is. */
  #enter(state: State, timeout: number): void {
    if (this.closed) return;
    this.#state = state;
    if (state !== State.Busy) this.#deadline = Date.now() + timeout; // Busy has no deadline: the handler's time is its own
  }
}
