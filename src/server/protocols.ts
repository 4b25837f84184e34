// The protocol engines a server runs, each named by its ALPN id (RFC 7301). TLS offers the ids
// of the engines that are on; a connection is handed to the engine its handshake chose.
import type { Duplex } from "node:stream";
import { Connection } from "../http/connection.js";
import type { EngineOptions } from "../http/exchange.js";
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

/** Engines is the ordered list of engines a server runs; the first is the default. */
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

  /** forAlpn picks the engine for a negotiated ALPN id; none negotiated (or unknown) means the default. */
  forAlpn(id: string | false | null | undefined): ProtocolEngine {
    return this.#list.find((engine) => engine.alpn === id) ?? this.#list[0];
  }
}
