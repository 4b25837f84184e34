// A small mutation fuzzer for the HTTP/1.1 parsers: requests, chunked bodies and WebSocket frames.
// Each input is also fed at random split points, and the whole-input and split-input results
// must agree. Only ProtocolError / WebSocketError may escape a parser.
import { isProtocolError } from "../../src/http/protocol-error.js";
import { FrameParser } from "../../src/websocket/frame-parser.js";
import { Receiver } from "../../src/websocket/receiver.js";
import { WebSocketError } from "../../src/websocket/ws-error.js";
import { parseChunks } from "../http/parse-driver.js";
import { mulberry32, mutate, randomSplits } from "./mutate.js";
import { HTTP_SEEDS, WS_SEEDS } from "./seeds.js";

function httpOutcome(chunks: Buffer[]): string {
  const o = parseChunks(chunks, { maxBodySize: 1 << 20, maxHeaderSize: 4096, maxRequestLineSize: 1024 });
  return JSON.stringify([o.error, o.messages.map((m) => [m.method, m.target, m.version, m.headers, m.body, m.complete])]);
}

function wsOutcome(chunks: Buffer[], deflate: boolean): string {
  const events: string[] = [];
  const receiver = new Receiver({
    onMessage: (binary, payload, compressed) => void events.push(`m${binary ? "b" : "t"}${compressed ? "z" : ""}:${payload.toString("hex")}`),
    onPing: (p) => void events.push(`ping:${p.toString("hex")}`),
    onPong: (p) => void events.push(`pong:${p.toString("hex")}`),
    onClose: (code, reason) => void events.push(`close:${code}:${reason}`),
  }, 1 << 16);
  const parser = new FrameParser({ rsv1Allowed: deflate, maxPayloadLength: 1 << 16 }, receiver);
  try {
    for (const c of chunks) parser.execute(Buffer.from(c)); // a copy: the parser unmasks in place
  } catch (err) {
    if (!(err instanceof WebSocketError)) throw err;
    events.push(`error:${err.closeCode}:${err.code}`);
  }
  return events.join("|");
}

/** FuzzStats counts what a run did. */
export interface FuzzStats {
  iterations: number;
  httpErrors: number;
  wsErrors: number;
}

/** fuzz runs `iterations` cases (or until `deadline`, ms since epoch), throwing on the first property violation. */
export function fuzz(seed: number, iterations: number, deadline = Infinity): FuzzStats {
  const rand = mulberry32(seed);
  const httpPool = HTTP_SEEDS.map((s) => Buffer.from(s, "latin1"));
  const wsPool = WS_SEEDS.map((s) => Buffer.from(s.replace(/\s+/g, ""), "hex"));
  const stats: FuzzStats = { iterations: 0, httpErrors: 0, wsErrors: 0 };
  for (let i = 0; i < iterations && Date.now() < deadline; i++) {
    stats.iterations++;
    if (rand() < 0.6) {
      const input = mutate(httpPool[Math.floor(rand() * httpPool.length)], rand, httpPool);
      let whole: string;
      try {
        whole = httpOutcome([input]);
      } catch (err) {
        throw new Error(`seed ${seed} case ${i}: HTTP parser threw ${String(err)} on ${JSON.stringify(input.toString("latin1"))}`);
      }
      if (whole.startsWith('["')) stats.httpErrors++;
      const split = httpOutcome(randomSplits(input, rand));
      if (split !== whole && !isProtocolErrorOnlyDifference(whole, split)) {
        throw new Error(`seed ${seed} case ${i}: split result differs for ${JSON.stringify(input.toString("latin1"))}\nwhole ${whole}\nsplit ${split}`);
      }
    } else {
      const input = mutate(wsPool[Math.floor(rand() * wsPool.length)], rand, wsPool);
      const deflate = rand() < 0.5;
      const whole = wsOutcome([input], deflate);
      if (whole.includes("error:")) stats.wsErrors++;
      const split = wsOutcome(randomSplits(input, rand), deflate);
      if (split !== whole) throw new Error(`seed ${seed} case ${i}: ws split result differs for ${input.toString("hex")}\nwhole ${whole}\nsplit ${split}`);
    }
  }
  return stats;
}

/**
 * isProtocolErrorOnlyDifference accepts a split run that refused the input with another error
 * code of the same status, or earlier: both runs refused it, and nothing was accepted differently.
 */
function isProtocolErrorOnlyDifference(whole: string, split: string): boolean {
  const [wErr, wMsgs] = JSON.parse(whole) as [string | null, unknown[]];
  const [sErr, sMsgs] = JSON.parse(split) as [string | null, unknown[]];
  return wErr !== null && sErr !== null && wErr.split(" ")[0] === sErr.split(" ")[0] && JSON.stringify(wMsgs) === JSON.stringify(sMsgs);
}

export { isProtocolError };
