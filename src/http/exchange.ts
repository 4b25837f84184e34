// Exchange: one request and its response on a connection. It is what the engine hands to the
// application layer: the parsed head, the body stream, the peer's address, and respond().
import type { Duplex } from "node:stream";
import type { RequestBody } from "./request-body.js";
import type { Limits } from "./limits.js";
import type { RequestHead } from "./request-head.js";

/** BodyReader is the engine's view of a streamed response body (a ReadableStream reader fits it). */
export interface BodyReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(reason?: unknown): unknown;
  /**
   * recycle, when present, is called once for a chunk from read() when the socket no longer
   * needs its bytes, so the reader may reuse the memory. It is not called for chunks that never
   * reached the socket, nor when the socket is not a net.Socket (which may keep the chunk).
   */
  recycle?(chunk: Uint8Array): void;
}

/** OutgoingResponse is a response as the engine writes it. */
export interface OutgoingResponse {
  status: number;
  /** statusText replaces the registered reason phrase when non-empty. */
  statusText: string;
  /** headers is a flat list: [name, value, name, value, ...]. */
  headers: readonly string[];
  body: null | string | Uint8Array | BodyReader;
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

/** ExchangeOwner is what an exchange needs from its connection. */
export interface ExchangeOwner {
  readonly peer: PeerInfo;
  readonly closed: boolean;
  respond(exchange: Exchange, response: OutgoingResponse): void;
  /** upgrade sends a 101 head and hands the socket, and any bytes read past the request, to onSocket. */
  upgrade(exchange: Exchange, head: string, onSocket: (socket: Duplex, rest: Buffer | null) => void): void;
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
  continueSent = false;
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

  /** respond sends the response; a second call, or a call once the connection is gone, is ignored. */
  respond(response: OutgoingResponse): void {
    if (this.responseStarted || this.#owner.closed) {
      if (typeof response.body === "object" && response.body !== null && "cancel" in response.body) {
        void Promise.resolve(response.body.cancel()).catch(() => {});
      }
      return;
    }
    this.#owner.respond(this, response);
  }

  /** requestId returns the client's X-Request-Id when it is a short printable token, else null. */
  requestId(): string | null {
    const fields = this.head.headers;
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!;
      if (name.length === 12 && name.toLowerCase() === "x-request-id") {
        const value = fields[i + 1]!;
        return /^[\x21-\x7e]{1,200}$/.test(value) ? value : null;
      }
    }
    return null;
  }

  /** upgrade switches protocols: see Connection.upgrade. It throws once a response has begun. */
  upgrade(head: string, onSocket: (socket: Duplex, rest: Buffer | null) => void): void {
    this.#owner.upgrade(this, head, onSocket);
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
