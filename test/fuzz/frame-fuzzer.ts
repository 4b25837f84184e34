// The HTTP/2 frame parser's fuzz target (RFC 9113 §4, §6): after a valid preface and SETTINGS,
// random bytes, random frame headers over random payloads, or mutated valid frames. Each input is
// fed whole and cut at random points: both runs must agree, and only H2Error may escape.
import { CLIENT_PREFACE, Flag, FrameType, SettingId } from "../../src/http2/frame-types.js";
import { SETTINGS_ACK, dataFrame, frame, goawayFrame, headersFrames, pingFrame, rstStreamFrame, settingsFrame, windowUpdateFrame } from "../../src/http2/frame-writer.js";
import { HpackEncoder } from "../../src/http2/hpack/hpack-encoder.js";
import type { FrameParserOptions } from "../../src/http2/frame-parser.js";
import { parseFrames, type FrameOutcome } from "../http2/frame-driver.js";
import { mulberry32, mutate, randomBytes, randomSplits } from "./mutate.js";

/** FRAME_START is what every input begins with: the client preface and an empty SETTINGS frame. */
export const FRAME_START = Buffer.concat([CLIENT_PREFACE, settingsFrame([])]);

/** FRAME_OPTIONS are the parser's options: small header-block limits, so the fuzzer crosses them. */
export const FRAME_OPTIONS: Partial<FrameParserOptions> = { preface: true, maxContinuationFrames: 3, maxHeaderBlockSize: 64 };

/** FrameMaker makes the part of an input after {@link FRAME_START}. */
export type FrameMaker = (rand: () => number) => Buffer;

/** randomFrames writes plausible frame headers (small lengths, few streams, any type and flags) over random payloads. */
function randomFrames(rand: () => number): Buffer {
  const parts: Buffer[] = [];
  for (let n = 1 + Math.floor(rand() * 8); n > 0; n--) {
    const length = Math.floor(rand() * 24);
    const head = Buffer.alloc(9);
    head.writeUIntBE(length, 0, 3);
    head[3] = Math.floor(rand() * 12); // the ten known types, and unknown ones
    head[4] = Math.floor(rand() * 256);
    head.writeUInt32BE([0, 1, 3, 0x80000001][Math.floor(rand() * 4)], 5);
    parts.push(head, randomBytes(rand, length));
  }
  return Buffer.concat(parts);
}

const REQUEST_BLOCK = new HpackEncoder().encode([":method", "GET", ":scheme", "https", ":path", "/api/todos", ":authority", "localhost", "accept", "application/json"]);

/** VALID_FRAMES are one of each frame a client sends, some of them padded or split into CONTINUATIONs. */
export const VALID_FRAMES: readonly Buffer[] = [
  headersFrames(1, Buffer.alloc(40, 0x82), false, 16),
  headersFrames(3, REQUEST_BLOCK, true, 20),
  frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.PADDED | Flag.PRIORITY, 5, Buffer.from("02000000031082840000", "hex")),
  dataFrame(1, Buffer.from("hello"), true),
  frame(FrameType.DATA, Flag.PADDED, 3, Buffer.from("03616263000000", "hex")),
  frame(FrameType.PRIORITY, 0, 7, Buffer.from("800000030f", "hex")),
  rstStreamFrame(3, 8),
  settingsFrame([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 1 << 20 }, { id: SettingId.MAX_FRAME_SIZE, value: 1 << 15 }]),
  windowUpdateFrame(1, 1000),
  windowUpdateFrame(0, 1 << 16),
  pingFrame(Buffer.alloc(8, 7)),
  SETTINGS_ACK,
  goawayFrame(1, 0, Buffer.from("bye")),
];

/** FRAME_MAKERS are the target's three kinds of input. */
export const FRAME_MAKERS: Readonly<Record<"randomBytes" | "randomFrames" | "mutatedFrames", FrameMaker>> = Object.freeze({
  randomBytes: (rand) => randomBytes(rand, Math.floor(rand() * 200)),
  randomFrames,
  mutatedFrames: (rand) => mutate(Buffer.concat(VALID_FRAMES), rand, [...VALID_FRAMES]),
});

/** FrameStats counts what a run did: cases that ended in a connection error, and cases parsed to the end. */
export interface FrameStats {
  iterations: number;
  errors: number;
  clean: number;
}

function parseOrExplain(chunks: Buffer[], label: string, input: Buffer): FrameOutcome {
  try {
    return parseFrames(chunks, FRAME_OPTIONS); // rethrows anything but an H2Error
  } catch (err) {
    throw new Error(`${label}: the frame parser threw ${String(err)} on ${input.toString("hex")}`, { cause: err });
  }
}

/** fuzzFrames runs `iterations` cases (or until `deadline`, ms since epoch), each made by one of `makers`, throwing on the first property violation. */
export function fuzzFrames(seed: number, iterations: number, deadline = Infinity, makers: FrameMaker[] = Object.values(FRAME_MAKERS)): FrameStats {
  const rand = mulberry32(seed);
  const stats: FrameStats = { iterations: 0, errors: 0, clean: 0 };
  for (let i = 0; i < iterations && Date.now() < deadline; i++) {
    stats.iterations++;
    const make = makers.length === 1 ? makers[0] : makers[Math.floor(rand() * makers.length)];
    const input = Buffer.concat([FRAME_START, make(rand)]);
    const label = `seed ${seed} case ${i}`;
    const whole = parseOrExplain([input], label, input);
    const cut = parseOrExplain(randomSplits(input, rand, 20), label, input);
    const [a, b] = [JSON.stringify(whole), JSON.stringify(cut)];
    if (a !== b) throw new Error(`${label}: split result differs for ${input.toString("hex")}\nwhole ${a}\nsplit ${b}`);
    if (whole.error === null) stats.clean++;
    else stats.errors++;
  }
  return stats;
}
