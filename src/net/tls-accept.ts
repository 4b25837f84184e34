// TLS on a plain net.Server: the first byte tells a TLS ClientHello (a handshake record, 0x16)
// from plain HTTP sent to the HTTPS port by mistake, which gets a clear 400 instead of a reset.
// The byte is peeked and put back, so Node's TLS reads the socket's handle natively.
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import type { ConnectionRegistry, Tracked } from "./connection-registry.js";
import { TlsContexts, newTicketKeys, type TlsOptions } from "./tls-contexts.js";
import { PendingSocket } from "./pending-socket.js";

export type { TlsOptions } from "./tls-contexts.js";

const TLS_HANDSHAKE = 0x16;
const PLAIN_HTTP_BODY = "This port speaks HTTPS: use https:// (plain HTTP was sent).\n";
const PLAIN_HTTP_ANSWER =
  "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n" +
  `Content-Length: ${PLAIN_HTTP_BODY.length}\r\nConnection: close\r\n\r\n${PLAIN_HTTP_BODY}`;

/** TlsAcceptorOptions are the protocols to offer and the handshake limits. */
export interface TlsAcceptorOptions {
  /** alpn lists the protocols to offer, from the server's engines, in order of preference (RFC 7301). */
  alpn: string[];
  /** registry sweeps the handshakes in progress (their timeout) and reaches them on stop. */
  registry: ConnectionRegistry<Tracked>;
  /** handshakeTimeout: ms from accept to a finished handshake. */
  handshakeTimeout: number;
  /** maxHandshakes: handshakes in progress at once; a new one past it cuts the oldest. */
  maxHandshakes: number;
}

/** TlsAcceptor turns accepted sockets into TLS sockets; its certificates and ticket key can be replaced at run time. */
export class TlsAcceptor {
  #ticketKeys = newTicketKeys();
  #contexts: TlsContexts;
  readonly #options: TlsAcceptorOptions;
  readonly #handshaking = new Set<PendingSocket>(); // oldest first: the one to cut when too many are in progress

  constructor(tls: TlsOptions | readonly TlsOptions[], options: TlsAcceptorOptions) {
    this.#contexts = new TlsContexts(tls, this.#ticketKeys);
    this.#options = options;
  }

  /** reload swaps the certificates for connections accepted from now on; a bad one throws and changes nothing. */
  reload(tls: TlsOptions | readonly TlsOptions[]): void {
    this.#contexts = new TlsContexts(tls, this.#ticketKeys);
  }

  /** setTicketKeys replaces the session ticket key (the primary shares one among its workers). */
  setTicketKeys(keys: Buffer): void {
    this.#contexts = this.#contexts.withTicketKeys(keys);
    this.#ticketKeys = keys;
  }

  /** handshakes counts the connections whose handshake is in progress. */
  get handshakes(): number {
    return this.#handshaking.size;
  }

  /** accept peeks at the first bytes, then hands a TLSSocket to onSecure, or answers plain HTTP with 400. */
  accept(socket: Socket, onSecure: (tls: TLSSocket, raw: Socket) => void): void {
    const handshake = this.#begin(socket);
    // A peer that gives up before its first byte (or after a plain request) ends its side: let go at once.
    const abandon = (): void => void socket.destroy();
    socket.once("end", abandon);
    socket.once("error", abandon);
    socket.once("readable", () => {
      const first = socket.read() as Buffer | null;
      if (first === null) return; // the end of the stream: "end" follows
      socket.off("end", abandon);
      if (first[0] !== TLS_HANDSHAKE) return void answerPlainHttp(socket);
      // Put the bytes back: TLSSocket takes what the socket buffered, then reads the handle itself.
      socket.unshift(first);
      const tls = this.#wrap(socket);
      tls.once("secure", () => {
        onSecure(tls, socket);
        this.#end(handshake); // after onSecure: its connection is tracked before the handshake is not
      });
      tls.once("end", () => {
        if (this.#handshaking.has(handshake)) tls.destroy();
      });
    });
  }

  #begin(socket: Socket): PendingSocket {
    const { registry, handshakeTimeout, maxHandshakes } = this.#options;
    if (this.#handshaking.size >= maxHandshakes) {
      const oldest = this.#handshaking.values().next().value!;
      this.#end(oldest); // now, not at its "close": the next accept must find the next oldest
      oldest.destroy();
    }
    const handshake = new PendingSocket(socket, Date.now() + handshakeTimeout);
    this.#handshaking.add(handshake);
    registry.add(handshake);
    socket.once("close", () => this.#end(handshake));
    return handshake;
  }

  #end(handshake: PendingSocket): void {
    if (!this.#handshaking.delete(handshake)) return;
    this.#options.registry.delete(handshake);
  }

  #wrap(socket: Socket): TLSSocket {
    const contexts = this.#contexts;
    const alpn = this.#options.alpn;
    const tls = new TLSSocket(socket, {
      isServer: true,
      secureContext: contexts.default,
      SNICallback: (name, callback) => callback(null, contexts.forName(name)),
      // The server's order wins; no protocol in common gets the no_application_protocol alert (RFC 7301 §3.2).
      ALPNCallback: ({ protocols }) => alpn.find((id) => protocols.includes(id)),
    });
    tls.on("error", () => tls.destroy());
    return tls;
  }
}

/** answerPlainHttp sends the 400 to a plain HTTP client and closes; what it still sends is read and dropped. */
function answerPlainHttp(socket: Socket): void {
  socket.end(PLAIN_HTTP_ANSWER);
  socket.resume();
  setTimeout(() => socket.destroy(), 1000).unref();
}
