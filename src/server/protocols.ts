// The protocol engines a server runs, each named by its ALPN id (RFC 7301). TLS offers the ids
// of the engines that are on; a connection is handed to the engine its handshake chose.
import type { Duplex } from "node:stream";
import { Connection } from "../http/connection.js";
import type { EngineOptions } from "../http/exchange.js";
import { Http2Connection } from "../http2/connection.js";
import { CLIENT_PREFACE } from "../http2/frame-types.js";
import type { Tracked } from "../net/connection-registry.js";

/** ProtocolEngine opens connections of one protocol on accepted sockets. */
export interface ProtocolEngine {
  /** alpn is the protocol's ALPN id ("http/1.1", "h2"). */
  readonly alpn: string;
  open(socket: Duplex, options: EngineOptions): Tracked;
}

/** http1 is the HTTP/1.1 engine (src/http/), also used for HTTP/1.0 peers. */
export const http1: ProtocolEngine = {
  alpn: "http/1.1",
  open: (socket, options) => new Connection(socket, options),
};

/** http2 is the HTTP/2 engine (src/http2/): "h2" by ALPN over TLS, or h2c by prior knowledge. */
export const http2: ProtocolEngine = {
  alpn: "h2",
  open: (socket, options) => new Http2Connection(socket, options),
};

/** PREFACE_LINE is the length of the preface's first line, "PRI * HTTP/2.0\r\n". */
const PREFACE_LINE = 16;

/**
 * sniffPreface reads a plain-TCP connection's first bytes and calls `decide("h2")` when they
 * begin the HTTP/2 client preface (RFC 9113 §3.4), or `decide("http/1.1")` for anything else;
 * the bytes are put back for the engine. A peer that ends, resets or is destroyed (by its
 * PendingSocket's deadline) before it can be told gets nothing.
 */
export function sniffPreface(socket: Duplex, decide: (alpn: string) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const done = (alpn: string | null): void => {
    socket.off("data", onData);
    socket.off("end", onEnd);
    socket.off("error", onEnd);
    socket.off("close", onEnd);
    if (alpn === null) return void socket.destroy();
    socket.pause();
    if (seen.length > 0) socket.unshift(seen);
    decide(alpn);
    socket.resume();
  };
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, CLIENT_PREFACE.length);
    let same = 0;
    while (same < n && seen[same] === CLIENT_PREFACE[same]) same++;
    // "PRI * HTTP/2.0\r\n" is no HTTP/1.1 request: from there on the HTTP/2 engine judges the preface.
    if (same >= PREFACE_LINE) return done("h2");
    if (same === n) return; // too few bytes to tell yet
    done("http/1.1");
  };
  const onEnd = (): void => done(null); // also a reset: nothing to answer
  socket.on("data", onData);
  socket.on("end", onEnd);
  socket.on("error", onEnd);
  socket.on("close", onEnd);
}

/** Engines is the ordered list of engines a server runs, in the order TLS offers them. */
export class Engines {
  readonly #list: readonly ProtocolEngine[];

  constructor(list: readonly ProtocolEngine[]) {
    if (list.length === 0) throw new RangeError("a server needs at least one protocol engine");
    this.#list = list;
  }

  /** alpn lists the ids to offer in a TLS handshake, in order of preference. */
  get alpn(): string[] {
    return this.#list.map((engine) => engine.alpn);
  }

  /**
   * forAlpn picks the engine for a negotiated ALPN id (or the one sniffed on plain TCP). None
   * negotiated, or one not listed, means HTTP/1.1: a TLS client that offers no ALPN speaks it.
   */
  forAlpn(id: string | false | null | undefined): ProtocolEngine {
    return this.#list.find((engine) => engine.alpn === id) ?? this.#list.find((engine) => engine.alpn === http1.alpn) ?? this.#list[0];
  }
}
