// Exchange: one request and its response on a connection. It is what the engine hands to the
// application layer: the parsed head, the body stream, the peer's address, and respond().
import type { Duplex } from "node:stream";
import type { RequestBody } from "./request-body.js";
import { fieldValue } from "./fields.js";
import { cancelBody, type ResponseBody } from "./body-reader.js";
import type { Limits } from "./limits.js";

/** HttpProtocol names the protocol a request arrived over, as CGI's SERVER_PROTOCOL writes it. */
export type HttpProtocol = "HTTP/1.0" | "HTTP/1.1" | "HTTP/2";

/**
 * RequestHead is a request's head as every engine presents it: the parts of the target URI
 * (RFC 9110 §7.1), the protocol, the fields and the declared body length. What only one wire
 * format needs (HTTP/1.1's version, chunked, keep-alive, Expect) stays inside its engine.
 */
export interface RequestHead {
  method: string;
  /** scheme is "http" or "https": the connection's, or the absolute-form target's or :scheme. */
  scheme: string;
  /** authority is the Host field or :authority, or "" when the request named none. */
  authority: string;
  /**
   * path is the request-target for HTTP/1.1 (RFC 9112 §3.2: origin-form, absolute-form,
   * authority-form for CONNECT, or "*"), and :path for HTTP/2.
   */
  path: string;
  protocol: HttpProtocol;
  /** headers holds the fields as received, flat: [name, value, name, value, ...]. */
  headers: string[];
  /** contentLength is the declared body length, or -1 when unknown (chunked) or absent. */
  contentLength: number;
}

export type { BodyReader } from "./body-reader.js";

/** OutgoingResponse is a response as the engine writes it. */
export interface OutgoingResponse {
  status: number;
  /** statusText replaces the registered reason phrase when non-empty. */
  statusText: string;
  /** headers is a flat list: [name, value, name, value, ...]. */
  headers: readonly string[];
  body: ResponseBody;
  /** bodyLength is the length of a BodyReader body when known in advance, or -1. */
  bodyLength: number;
  /** trusted marks headers already validated by their maker (sockserve's own handlers): they are not checked again. */
  trusted?: boolean;
}

/** PeerInfo describes both ends of the connection an exchange arrived on. */
export interface PeerInfo {
  remoteAddress: string;
  remotePort: number;
  remoteFamily: string;
  localAddress: string;
  localPort: number;
  encrypted: boolean;
}

/**
 * EngineOptions wires a protocol engine's connection to its server: the limits, where each
 * exchange goes, and where faults the peer cannot see are reported.
 */
export interface EngineOptions {
  limits: Limits;
  /** onExchange receives each request; it must eventually call exchange.respond(). */
  onExchange(exchange: Exchange): void;
  /** onExchangeEnd is called once per exchange: when its response is complete, or when it is cut short. */
  onExchangeEnd?: ((exchange: Exchange) => void) | undefined;
  /** onError reports faults the peer cannot see (a broken response stream, a bad header from the app). */
  onError(err: unknown, exchange: Exchange | null): void;
  encrypted?: boolean;
  /** addressSocket supplies the peer's addresses when `socket` is a wrapper (TLS over a stream). */
  addressSocket?: Duplex | undefined;
}

/** peerInfoOf reads both ends' addresses from a socket (or the raw socket under a TLS wrapper). */
export function peerInfoOf(socket: Duplex, encrypted: boolean): PeerInfo {
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

/** OnUpgrade receives the byte stream of an accepted upgrade, with any bytes already read past the request. */
export type OnUpgrade = (stream: Duplex, rest: Buffer | null) => void;

/** ExchangeOwner is what an exchange needs from its connection (one per protocol engine). */
export interface ExchangeOwner {
  readonly peer: PeerInfo;
  readonly closed: boolean;
  readonly limits: Limits;
  respond(exchange: Exchange, response: OutgoingResponse): void;
  /**
   * answerDropped, where present, hears of a respond() that was dropped because a response had
   * begun or the connection is gone: the handler is done (an HTTP/2 stream then frees its slot).
   */
  answerDropped?(exchange: Exchange): void;
  /**
   * upgrade accepts a switch to `protocol` ("websocket"): the engine answers in its own way
   * (HTTP/1.1 with 101 and Upgrade/Connection fields) with `fields` added, and hands a stream of
   * the upgraded bytes to `onStream`.
   */
  upgrade(exchange: Exchange, protocol: string, fields: readonly string[], onStream: OnUpgrade): void;
  /**
   * takeSocket hands the raw connection to `onSocket` with no answer written: whoever takes it
   * writes the whole response itself (CGI NPH scripts). Only HTTP/1.x engines can; it returns false elsewhere.
   */
  takeSocket(exchange: Exchange, onSocket: OnUpgrade): boolean;
  /** inform sends an interim 1xx response (103 Early Hints); it returns false where the peer may not get one. */
  inform(exchange: Exchange, status: number, fields: readonly string[]): boolean;
}

/** Exchange is one request/response pair. */
export class Exchange {
  readonly head: RequestHead;
  /** body is null when the request has no content. */
  readonly body: RequestBody | null;
  /** trailers holds the chunked trailer fields once the body has ended. */
  trailers: string[] = [];
  requestDone = false;
  responseStarted = false;
  responseDone = false;
  aborted = false;
  /** startTime is performance.now() when the head was parsed. */
  readonly startTime = performance.now();
  /** status is the status sent, or 0 before the head is written. */
  status = 0;
  /** bodyBytes counts content bytes handed to the socket (without chunk framing). */
  bodyBytes = 0;
  #abortListeners: (() => void)[] | null = null;
  #owner: ExchangeOwner;

  constructor(owner: ExchangeOwner, head: RequestHead, body: RequestBody | null) {
    this.#owner = owner;
    this.head = head;
    this.body = body;
  }

  get peer(): PeerInfo {
    return this.#owner.peer;
  }

  /** limits are the connection's limits. */
  get limits(): Limits {
    return this.#owner.limits;
  }

  /** respond sends the response; a second call, or a call once the connection is gone, is dropped. */
  respond(response: OutgoingResponse): void {
    if (this.responseStarted || this.#owner.closed) {
      cancelBody(response.body);
      return this.#owner.answerDropped?.(this);
    }
    this.#owner.respond(this, response);
  }

  /** requestId returns the client's X-Request-Id when it is a printable token of at most maxRequestIdLength, else null. */
  requestId(): string | null {
    const value = fieldValue(this.head.headers, "x-request-id");
    if (value === undefined || value.length === 0 || value.length > this.#owner.limits.maxRequestIdLength) return null;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x21 || c > 0x7e) return null;
    }
    return value;
  }

  /** upgrade switches protocols (see ExchangeOwner.upgrade). It throws once a response has begun. */
  upgrade(protocol: string, fields: readonly string[], onStream: OnUpgrade): void {
    this.#owner.upgrade(this, protocol, fields, onStream);
  }

  /** takeSocket gives the raw connection to a writer of whole responses (see ExchangeOwner.takeSocket). */
  takeSocket(onSocket: OnUpgrade): boolean {
    return this.#owner.takeSocket(this, onSocket);
  }

  /** inform sends an interim 1xx response before the final one (see ExchangeOwner.inform). */
  inform(status: number, fields: readonly string[]): boolean {
    if (this.responseStarted || this.#owner.closed) return false;
    return this.#owner.inform(this, status, fields);
  }

  /** addAbortListener registers a call for when the peer goes away before the response is complete. */
  addAbortListener(listener: () => void): void {
    (this.#abortListeners ??= []).push(listener);
  }

  /**
   * abort marks the exchange as abandoned by the peer (it closed or half-closed the connection)
   * and tells whoever listens. As in Go's net/http, a half-closed peer may still get a response.
   */
  abort(reason: Error): void {
    this.body?.fail(reason);
    if (this.aborted || this.responseDone) return;
    this.aborted = true;
    const listeners = this.#abortListeners;
    this.#abortListeners = null;
    if (listeners !== null) for (const listener of listeners) listener();
  }
}
