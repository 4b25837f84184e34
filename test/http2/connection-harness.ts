// The duplex-pair harness of the Http2Connection tests: a connection on one end, a raw H2Peer
// (our frame writer and HPACK encoder) on the other, and the exchanges the connection presented.
import type { Exchange, OutgoingResponse } from "../../src/http/exchange.js";
import { resolveLimits, type Limits } from "../../src/http/limits.js";
import { Http2Connection } from "../../src/http2/connection.js";
import { FrameType, type SettingsFrame } from "../../src/http2/frame-types.js";
import { duplexPair } from "../support/duplex-pair.js";
import { H2Peer } from "../support/h2-peer.js";

/** Harness is a connection on one end of a duplex pair and a raw peer on the other. */
export interface Harness {
  conn: Http2Connection;
  server: import("node:stream").Duplex;
  peer: H2Peer;
  exchanges: Exchange[];
  ended: Exchange[];
}

/** harness starts a connection whose exchanges go to `onExchange` (and are recorded), and a peer (started unless `start` is false). */
export function harness(onExchange: (ex: Exchange) => void, limits: Partial<Limits> = {}, start = true): Harness {
  const [server, client] = duplexPair();
  const exchanges: Exchange[] = [];
  const ended: Exchange[] = [];
  const conn = new Http2Connection(server, {
    limits: resolveLimits(limits),
    onExchange: (ex) => {
      exchanges.push(ex);
      onExchange(ex);
    },
    onExchangeEnd: (ex) => ended.push(ex),
    onError: () => {},
  });
  const peer = new H2Peer(client);
  if (start) peer.start();
  return { conn, server, peer, exchanges, ended };
}

/** text is a string response. */
export function text(body: string, headers: string[] = [], status = 200): OutgoingResponse {
  return { status, statusText: "", headers, body, bodyLength: -1 };
}

export const hello = (ex: Exchange): void => ex.respond(text("hello"));
export const never = (): void => {};

/** settingsOf reads the server's first SETTINGS frame. */
export function settingsOf(peer: H2Peer): Map<number, number> {
  const f = peer.frames.find((x): x is SettingsFrame => x.type === FrameType.SETTINGS && !x.ack)!;
  return new Map(f.settings.map((s) => [s.id, s.value]));
}

/** readAll reads a request body to the end. */
export async function readAll(ex: Exchange): Promise<string> {
  let out = "";
  for (;;) {
    const chunk = await ex.body!.read();
    if (chunk === null) return out;
    out += Buffer.from(chunk).toString();
  }
}

/** heldRequest opens a connection with one request whose handler has not answered. */
export async function heldRequest(): Promise<{ h: Harness; held: Exchange }> {
  const h = harness(never);
  h.peer.get(1, "/");
  await h.peer.until(() => h.exchanges.length === 1, 2000, "the request");
  return { h, held: h.exchanges[0] };
}
