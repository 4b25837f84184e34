// Connection: one HTTP/1.1 connection (RFC 9112 §9). It feeds socket bytes to the parser, hands
// each request to the application as an Exchange, keeps responses in order, and enforces timeouts.
import type { Duplex } from "node:stream";
import { Exchange, type EngineOptions, type ExchangeOwner, type OutgoingResponse, type PeerInfo } from "./exchange.js";
import type { Limits } from "./limits.js";
import { isProtocolError, ProtocolError } from "./protocol-error.js";
import { RequestBody } from "./request-body.js";
import type { RequestHead } from "./request-head.js";
import { RequestParser } from "./request-parser.js";
import { errorResponse, writeResponse, type ResponseSink } from "./response-writer.js";
import { SocketWriter } from "./socket-writer.js";

/** ConnectionOptions wires a connection to its server (see EngineOptions). */
export type ConnectionOptions = EngineOptions;

const enum Phase {
  Head, // waiting for (the rest of) a request head: headerTimeout
  Idle, // between requests on a persistent connection: keepAliveTimeout
  Body, // reading a request body: bodyTimeout since the last byte
  Busy, // the application or the response write is in charge: no engine timeout
  Linger, // closing: reading and discarding until lingerTimeout
}

const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";

/** Connection drives one socket through any number of exchanges. */
export class Connection implements ExchangeOwner, ResponseSink {
  readonly socket: Duplex;
  readonly peer: PeerInfo;
  #options: ConnectionOptions;
  #limits: Limits;
  #parser: RequestParser;
  #exchange: Exchange | null = null;
  #stash: Buffer | null = null; // bytes of the next request, held while the current one is answered
  #takeover: ((socket: Duplex, rest: Buffer | null) => void) | null = null;
  #inFeed = false;
  #writer: SocketWriter;
  #phase = Phase.Head;
  #deadline: number;
  /** #sent and #waiting are the output counters seen by the last sweep; #stalledSince is when they last moved. */
  #sent = 0;
  #waiting = 0;
  #stalledSince = 0;
  /** closing is set once the connection must close after the current response. */
  closing = false;
  closed = false;

  constructor(socket: Duplex, options: ConnectionOptions) {
    this.socket = socket;
    this.#options = options;
    this.#limits = options.limits;
    this.peer = peerOf(options.addressSocket ?? socket, options.encrypted === true);
    this.#writer = new SocketWriter(socket, () => this.closed);
    this.#deadline = Date.now() + this.#limits.headerTimeout;
    this.#parser = new RequestParser(this.#limits, {
      onHead: (head) => this.#onHead(head),
      onBody: (chunk) => this.#onBody(chunk),
      onComplete: (trailers) => this.#onComplete(trailers),
    });
    socket.on("data", this.#listeners.data);
    socket.on("end", this.#listeners.end);
    socket.on("close", this.#listeners.close);
    socket.on("error", this.#listeners.error);
  }

  // Kept so an upgrade can detach exactly these and leave the socket to its new owner.
  #listeners = {
    data: (chunk: Buffer): void => this.#socketOnData(chunk),
    end: (): void => this.#socketOnEnd(),
    close: (): void => this.#socketOnClose(),
    error: (): void => {}, // 'close' follows; a reset peer is not our fault to report
  };

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
    if (this.#sendStalled(now)) return this.#destroy();
    if (this.#phase === Phase.Busy || now < this.#deadline) return;
    switch (this.#phase) {
      case Phase.Head:
        if (this.#parser.started) return this.#fail(new ProtocolError(408, "HTTP_HEADER_TIMEOUT", "header timeout"));
        return this.#destroy();
      case Phase.Idle:
        return this.#destroy();
      case Phase.Linger:
        // Bytes still queued are the rest of the answer: wait for them (sendTimeout cuts a peer that takes none).
        if (this.socket.writableLength > 0) return;
        return this.#destroy();
      case Phase.Body:
        return this.#fail(new ProtocolError(408, "HTTP_BODY_TIMEOUT", "request body timeout"));
    }
  }

  /**
   * #sendStalled tells whether output has been waiting for sendTimeout while the peer took none
   * of it. Progress is a change in the bytes handed to the socket or in the bytes still waiting,
   * counted down by libuv as the kernel takes them (`_handle.writeQueueSize`, which Node's own
   * net code reads; without it, as for a Duplex that is not a socket, whole writes count).
   */
  #sendStalled(now: number): boolean {
    const socket = this.socket as Duplex & { bytesWritten?: number; _handle?: { writeQueueSize?: number } | null };
    const waiting = socket.writableLength + (socket._handle?.writeQueueSize ?? 0);
    if (waiting === 0) {
      this.#waiting = 0;
      return false;
    }
    const sent = socket.bytesWritten ?? 0;
    if (waiting !== this.#waiting || sent !== this.#sent) {
      this.#waiting = waiting;
      this.#sent = sent;
      this.#stalledSince = now;
      return false;
    }
    return now - this.#stalledSince >= this.#limits.sendTimeout;
  }

  /** shutdown asks the connection to close: now if idle, otherwise after the current response. */
  shutdown(): void {
    this.closing = true;
    if (this.idle && !this.closed) this.#end();
  }

  /** destroy cuts the connection at once. */
  destroy(): void {
    this.#destroy();
  }

  // ---- socket side -------------------------------------------------------------------------

  #socketOnData(chunk: Buffer): void {
    if (this.#phase === Phase.Linger || this.closed) return; // discarded: framing is over
    if (this.#stash !== null) {
      this.#stash = Buffer.concat([this.#stash, chunk]);
      return;
    }
    if (this.#phase === Phase.Idle) this.#setPhase(Phase.Head, this.#limits.headerTimeout);
    this.#feed(chunk);
  }

  #feed(data: Buffer): void {
    const parser = this.#parser;
    this.#inFeed = true;
    let i = 0;
    try {
      while (i < data.length && !this.closed && this.#takeover === null) {
        if ((parser.complete || parser.upgraded) && !this.#advance()) {
          if (!this.closing) {
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
    if (this.closing) {
      this.#end();
      return false;
    }
    this.#exchange = null;
    this.#parser.reset();
    this.#setPhase(Phase.Idle, this.#limits.keepAliveTimeout);
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
      this.#setPhase(Phase.Head, this.#limits.headerTimeout);
      this.#feed(stash);
    }
  }

  #socketOnEnd(): void {
    // The peer finished sending. A complete request still gets its answer; a partial one cannot.
    if (this.#exchange === null || this.#phase === Phase.Linger) {
      this.#destroy();
      return;
    }
    this.#exchange.abort(new Error("peer closed its side of the connection"));
    this.closing = true;
  }

  #socketOnClose(): void {
    this.closed = true;
    const ex = this.#exchange;
    if (ex === null) return;
    ex.abort(new Error("connection closed by peer"));
    if (!ex.responseDone) this.#options.onExchangeEnd?.(ex);
  }

  // ---- parser side -------------------------------------------------------------------------

  #onHead(head: RequestHead): void {
    const hasBody = head.chunked || head.contentLength > 0;
    const body = hasBody ? new RequestBody({ onFirstRead: () => this.#sendContinue(), onLow: () => this.#bodyLow() }) : null;
    const ex = new Exchange(this, head, body);
    this.#exchange = ex;
    if (!head.keepAlive || head.method === "CONNECT") this.closing = true;
    if (hasBody) this.#setPhase(Phase.Body, this.#limits.bodyTimeout);
    else {
      ex.requestDone = true;
      this.#setPhase(Phase.Busy, 0);
    }
    this.#options.onExchange(ex);
  }

  #onBody(chunk: Uint8Array): void {
    // Body bytes that follow an answer (being dropped, or lingering) must not move a later phase's deadline.
    if (this.#phase === Phase.Body) this.#deadline = Date.now() + this.#limits.bodyTimeout;
    const ex = this.#exchange!;
    if (!ex.body!.push(chunk)) {
      // The handler is not keeping up: stop reading, and stop the body clock, which is for the peer.
      this.socket.pause();
      this.#setPhase(Phase.Busy, 0);
    }
    if (ex.responseDone && ex.body!.received > this.#limits.maxDrainSize) this.#destroy();
  }

  #bodyLow(): void {
    const ex = this.#exchange;
    if (ex === null || ex.requestDone || this.closed) return;
    this.#setPhase(Phase.Body, this.#limits.bodyTimeout);
    this.socket.resume();
  }

  #onComplete(trailers: string[]): void {
    const ex = this.#exchange!;
    if (ex.body !== null) {
      ex.trailers = trailers;
      ex.requestDone = true;
      ex.body.end();
      this.#setPhase(Phase.Busy, 0);
    }
  }

  #sendContinue(): void {
    const ex = this.#exchange;
    if (ex === null || !ex.head.expectContinue || ex.continueSent || ex.responseStarted) return;
    ex.continueSent = true;
    this.write(CONTINUE);
  }

  // ---- response side -----------------------------------------------------------------------

  respond(ex: Exchange, response: OutgoingResponse): void {
    if (this.closed) return;
    if (ex.body !== null && !ex.requestDone && !ex.body.started) {
      // The handler answered without touching the body. An unanswered 100-continue means the
      // client may never send it, so close; otherwise the rest is read and dropped. A handler
      // that is reading (a CGI script, an echo) keeps its body while its response streams.
      if (ex.head.expectContinue && !ex.continueSent) this.closing = true;
      ex.body.discard();
    }
    writeResponse(this, ex, response);
  }

  /** finishResponse is called by the writer once the last byte of a response is queued. */
  finishResponse(ex: Exchange): void {
    ex.responseDone = true;
    this.#options.onExchangeEnd?.(ex);
    if (!ex.requestDone) {
      // The response is complete, so whatever of the body is still to come can only be dropped.
      ex.body?.discard();
      this.#setPhase(Phase.Body, this.#limits.bodyTimeout);
      if (this.closing) this.#end();
      return;
    }
    if (!this.#inFeed) this.#resume();
  }

  /** write queues bytes for the peer (see SocketWriter): false means wait for 'drain'. */
  write(data: string | Uint8Array, encoding: BufferEncoding = "utf8", written?: () => void): boolean {
    return this.#writer.write(data, encoding, written);
  }

  /** flush sends the queued strings now. */
  flush(): boolean {
    return this.#writer.flush();
  }

  waitDrain(): Promise<void> {
    return this.#writer.waitDrain();
  }

  reportError(err: unknown, ex: Exchange | null): void {
    this.#options.onError(err, ex);
  }

  /**
   * upgrade answers with a 101 head and gives the socket, with any bytes read past the request,
   * to `onSocket` (RFC 9110 §7.8). The connection is finished with HTTP from then on.
   */
  upgrade(ex: Exchange, head: string, onSocket: (socket: Duplex, rest: Buffer | null) => void): void {
    if (this.closed || ex !== this.#exchange || ex.responseStarted || !ex.requestDone) {
      throw new Error("this request can no longer be upgraded");
    }
    ex.responseStarted = true;
    ex.status = 101;
    this.write(head);
    this.flush();
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
    this.closed = true;
    this.#exchange = null;
    const socket = this.socket;
    socket.off("data", this.#listeners.data);
    socket.off("end", this.#listeners.end);
    socket.off("close", this.#listeners.close);
    socket.off("error", this.#listeners.error);
    socket.resume();
    onSocket(socket, rest !== null && rest.length > 0 ? rest : null);
  }

  // ---- closing -----------------------------------------------------------------------------

  /** #fail answers a protocol error with its status and closes, or resets if a response has begun. */
  #fail(err: ProtocolError): void {
    const ex = this.#exchange;
    ex?.abort(err);
    this.closing = true;
    if (ex !== null && ex.responseStarted) return this.#destroy();
    this.write(errorResponse(err.status, err.code));
    this.#end();
  }

  /** #end half-closes after the queued bytes and keeps draining input for a while (lingering close). */
  #end(): void {
    if (this.closed || this.#phase === Phase.Linger) return;
    this.#stash = null;
    this.#setPhase(Phase.Linger, this.#limits.lingerTimeout);
    this.flush();
    this.socket.end();
    this.socket.resume();
  }

  #destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.#exchange?.abort(new Error("connection destroyed"));
  }

  #setPhase(phase: Phase, timeout: number): void {
    this.#phase = phase;
    this.#deadline = Date.now() + timeout;
  }
}

function peerOf(socket: Duplex, encrypted: boolean): PeerInfo {
  const s = socket as Partial<import("node:net").Socket>;
  return {
    remoteAddress: s.remoteAddress ?? "",
    remotePort: s.remotePort ?? 0,
    remoteFamily: s.remoteFamily ?? "",
    localAddress: s.localAddress ?? "",
    localPort: s.localPort ?? 0,
    encrypted,
  };
}
