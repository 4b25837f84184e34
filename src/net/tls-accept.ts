// TLS on a plain net.Server: the first byte tells a TLS ClientHello (a handshake record, 0x16)
// from plain HTTP sent to the HTTPS port by mistake, which gets a clear 400 instead of a reset.
// The first record is peeked and put back, so Node's TLS reads the socket's handle natively; the
// ticket it offers picks the current ticket key's contexts or the previous key's (RFC 5077).
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { ClientHelloPeek, TICKET_KEY_NAME_BYTES } from "./client-hello.js";
import type { ConnectionRegistry, Tracked } from "./connection-registry.js";
import { TlsContexts, type TlsOptions } from "./tls-contexts.js";
import { PendingSocket } from "./pending-socket.js";
import { TicketKeyRotation } from "./ticket-key-rotation.js";

export type { TlsOptions } from "./tls-contexts.js";

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
  /** ticketKeyRotation: ms between two rotations of the acceptor's own ticket key, until setTicketKeys hands it keys (default 1 hour). */
  ticketKeyRotation?: number;
}

/** KeyedContexts are the contexts built around one ticket key: its tickets resume only through them. */
interface KeyedContexts {
  keys: Buffer;
  contexts: TlsContexts;
}

/**
 * TlsAcceptor turns accepted sockets into TLS sockets; its certificates and ticket keys can be
 * replaced at run time. OpenSSL decrypts a ticket with the key of the context a connection starts
 * with (SNI swaps only the certificate), and a Node context holds one key, so the acceptor keeps one
 * set of contexts per live key and starts each connection on the set whose key named its ticket.
 */
export class TlsAcceptor {
  #current: KeyedContexts;
  #previous: KeyedContexts | null = null;
  #rotation: TicketKeyRotation | null;
  readonly #options: TlsAcceptorOptions;
  readonly #handshaking = new Set<PendingSocket>(); // oldest first: the one to cut when too many are in progress

  constructor(tls: TlsOptions | readonly TlsOptions[], options: TlsAcceptorOptions) {
    const rotation = new TicketKeyRotation((current, previous) => this.#install(current, previous), options.ticketKeyRotation);
    this.#rotation = rotation;
    this.#current = { keys: rotation.current, contexts: new TlsContexts(tls, rotation.current) };
    this.#options = options;
  }

  /** reload swaps the certificates for connections accepted from now on; a bad one throws and changes nothing. */
  reload(tls: TlsOptions | readonly TlsOptions[]): void {
    const current = new TlsContexts(tls, this.#current.keys);
    const previous = this.#previous === null ? null : { keys: this.#previous.keys, contexts: current.withTicketKeys(this.#previous.keys) };
    this.#current = { keys: this.#current.keys, contexts: current };
    this.#previous = previous;
  }

  /**
   * setTicketKeys installs the session ticket keys from outside (the primary shares them among its
   * workers): `current` encrypts, `previous` still decrypts. The acceptor stops rotating its own.
   */
  setTicketKeys(current: Buffer, previous?: Buffer): void {
    this.#rotation?.stop();
    this.#rotation = null;
    this.#install(current, previous);
  }

  /** close stops the acceptor's own key rotation (a stopped server). */
  close(): void {
    this.#rotation?.stop();
  }

  /** #install makes `current` and `previous` the live keys, reusing the contexts of a key that already has them. */
  #install(current: Buffer, previous: Buffer | undefined): void {
    const live = [this.#current, this.#previous];
    const keyed = (keys: Buffer): KeyedContexts =>
      live.find((k) => k?.keys.equals(keys)) ?? { keys, contexts: this.#current.contexts.withTicketKeys(keys) };
    this.#current = keyed(current);
    this.#previous = previous === undefined ? null : keyed(previous);
  }

  /** handshakes counts the connections whose handshake is in progress. */
  get handshakes(): number {
    return this.#handshaking.size;
  }

  /**
   * accept peeks at the first record (the ClientHello), then hands a TLSSocket to onSecure, or
   * answers plain HTTP with 400 from the first byte. The wait for the record is part of the
   * handshake: tlsHandshakeTimeout and maxTlsHandshakes cover it.
   */
  accept(socket: Socket, onSecure: (tls: TLSSocket, raw: Socket) => void): void {
    const handshake = this.#begin(socket);
    // A peer that gives up before its first record is whole (or after a plain request) ends its side: let go at once.
    const abandon = (): void => void socket.destroy();
    socket.once("end", abandon);
    socket.once("error", abandon);
    const peek = new ClientHelloPeek();
    const socketOnReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        const state = peek.push(chunk);
        if (state === "more") continue;
        socket.off("readable", socketOnReadable);
        socket.off("end", abandon);
        if (state === "plain") return void answerPlainHttp(socket);
        // Put the bytes back: TLSSocket takes what the socket buffered, then reads the handle itself.
        socket.unshift(peek.bytes);
        return this.#secure(socket, this.#contextsFor(peek), handshake, onSecure);
      }
    };
    socket.on("readable", socketOnReadable);
  }

  /** #contextsFor picks the previous key's contexts for a ClientHello whose ticket it made, else the current ones (parsing nothing when no previous key lives). */
  #contextsFor(hello: ClientHelloPeek): TlsContexts {
    const previous = this.#previous;
    if (previous === null) return this.#current.contexts;
    const name = previous.keys.subarray(0, TICKET_KEY_NAME_BYTES);
    return hello.keyNames().some((n) => n.equals(name)) ? previous.contexts : this.#current.contexts;
  }

  #secure(socket: Socket, contexts: TlsContexts, handshake: PendingSocket, onSecure: (tls: TLSSocket, raw: Socket) => void): void {
    const tls = this.#wrap(socket, contexts);
    tls.once("secure", () => {
      onSecure(tls, socket);
      this.#end(handshake); // after onSecure: its connection is tracked before the handshake is not
    });
    tls.once("end", () => {
      if (this.#handshaking.has(handshake)) tls.destroy();
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

  #wrap(socket: Socket, contexts: TlsContexts): TLSSocket {
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
