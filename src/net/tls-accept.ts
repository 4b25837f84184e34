// TLS on a plain net.Server: the first byte tells a TLS ClientHello (a handshake record, 0x16)
// from plain HTTP sent to the HTTPS port by mistake, which gets a clear 400 instead of a reset.
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { TLSSocket, createSecureContext, type SecureContext, type SecureContextOptions } from "node:tls";

/**
 * TlsOptions are the certificate files' contents (PEM) for `serve({ tls })` and
 * `server.reloadTLS()`.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { serve, type TlsOptions } from "sockserve";
 *
 * const tls: TlsOptions = { cert: readFileSync("cert.pem"), key: readFileSync("key.pem") };
 * const server = await serve({ port: 8443, tls, fetch: () => new Response("secure") });
 * server.reloadTLS({ cert: readFileSync("new-cert.pem"), key: readFileSync("new-key.pem") });
 * ```
 */
export interface TlsOptions {
  /** cert is the certificate chain (PEM). */
  cert: string | Buffer;
  /** key is the private key (PEM). */
  key: string | Buffer;
  /** ca is extra CA certificates (PEM). */
  ca?: string | Buffer;
  /** passphrase decrypts an encrypted key. */
  passphrase?: string;
}

const TLS_HANDSHAKE = 0x16;
const PLAIN_HTTP_BODY = "This port speaks HTTPS: use https:// (plain HTTP was sent).\n";
const PLAIN_HTTP_ANSWER =
  "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n" +
  `Content-Length: ${PLAIN_HTTP_BODY.length}\r\nConnection: close\r\n\r\n${PLAIN_HTTP_BODY}`;

/** TlsAcceptor turns accepted sockets into TLS sockets; its certificate can be replaced at run time. */
export class TlsAcceptor {
  #context: SecureContext;
  readonly #alpn: string[];
  #handshaking = new Set<Socket>(); // accepted, not yet secure: no request can be lost by cutting them

  /** alpn lists the protocols to offer, from the server's engines (RFC 7301). */
  constructor(options: TlsOptions, alpn: string[]) {
    this.#context = makeContext(options);
    this.#alpn = alpn;
  }

  /** reload swaps the certificate for connections accepted from now on. */
  reload(options: TlsOptions): void {
    this.#context = makeContext(options);
  }

  /** abandonHandshakes cuts connections still in their handshake (a stopping server waits for none of them). */
  abandonHandshakes(): void {
    for (const socket of this.#handshaking) socket.destroy();
    this.#handshaking.clear();
  }

  /** accept waits for the first bytes, then hands a TLSSocket to onSecure, or answers plain HTTP with 400. */
  accept(socket: Socket, onSecure: (tls: TLSSocket, raw: Socket) => void, handshakeTimeout: number): void {
    const timer = setTimeout(() => socket.destroy(), handshakeTimeout);
    this.#handshaking.add(socket);
    // A peer that gives up mid-handshake (or rejects our certificate) ends its side: let go at once.
    const abandon = (): void => void socket.destroy();
    socket.once("end", abandon);
    socket.once("error", abandon);
    socket.once("close", () => {
      clearTimeout(timer);
      this.#handshaking.delete(socket);
    });
    socket.once("data", (first: Buffer) => {
      if (first[0] !== TLS_HANDSHAKE) {
        clearTimeout(timer);
        socket.end(PLAIN_HTTP_ANSWER);
        setTimeout(() => socket.destroy(), 1000).unref();
        return;
      }
      // The byte we looked at is already read, so TLS runs over a stream that replays it first.
      const tls = new TLSSocket(new Replay(socket, first), { isServer: true, secureContext: this.#context, ALPNProtocols: this.#alpn });
      tls.once("secure", () => {
        clearTimeout(timer);
        this.#handshaking.delete(socket);
        socket.off("end", abandon);
        onSecure(tls, socket);
      });
      tls.on("error", () => tls.destroy());
    });
  }
}

/** Replay is a socket whose first chunk was already read: it gives that chunk again, then the rest. */
class Replay extends Duplex {
  #socket: Socket;

  constructor(socket: Socket, first: Buffer) {
    super();
    this.#socket = socket;
    this.push(first);
    socket.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("close", () => this.destroy());
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#socket.write(chunk, callback);
  }

  override _final(callback: () => void): void {
    this.#socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }
}

function makeContext(options: TlsOptions): SecureContext {
  const context: SecureContextOptions = { cert: options.cert, key: options.key, minVersion: "TLSv1.2" };
  if (options.ca !== undefined) context.ca = options.ca;
  if (options.passphrase !== undefined) context.passphrase = options.passphrase;
  return createSecureContext(context);
}
