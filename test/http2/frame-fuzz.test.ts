// Fixed-seed fuzzing of the frame parser: after a valid preface, random bytes, random frame headers
// with random payloads, and mutated valid frames never throw anything but H2Error, never hang,
// and give the same outcome whether fed whole or cut at random points.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLIENT_PREFACE } from "../../src/http2/frame-types.js";
import { SETTINGS_ACK, goawayFrame, headersFrames, pingFrame, settingsFrame, windowUpdateFrame } from "../../src/http2/frame-writer.js";
import { mulberry32, mutate } from "../fuzz/fuzzer.js";
import { parseFrames } from "./frame-driver.js";

const START = Buffer.concat([CLIENT_PREFACE, settingsFrame([])]);
const ROUNDS = 1500;

function randomBytes(rand: () => number, n: number): Buffer {
  const buf = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) buf[i] = (rand() * 256) | 0;
  return buf;
}

/** randomFrames writes plausible frame headers (small lengths, few streams, any type and flags) over random payloads. */
function randomFrames(rand: () => number): Buffer {
  const parts: Buffer[] = [];
  for (let n = 1 + ((rand() * 8) | 0); n > 0; n--) {
    const length = (rand() * 24) | 0;
    const head = Buffer.alloc(9);
    head.writeUIntBE(length, 0, 3);
    head[3] = (rand() * 12) | 0; // the ten known types, and unknown ones
    head[4] = (rand() * 256) | 0;
    head.writeUInt32BE([0, 1, 3, 0x80000001][(rand() * 4) | 0], 5);
    parts.push(head, randomBytes(rand, length));
  }
  return Buffer.concat(parts);
}

const VALID = [
  headersFrames(1, Buffer.alloc(40, 0x82), false, 16),
  windowUpdateFrame(1, 1000),
  pingFrame(Buffer.alloc(8, 7)),
  SETTINGS_ACK,
  goawayFrame(1, 0),
];

/** mutated applies the shared fuzzer's edits (bit flips, inserts, splices, truncation) to valid frames. */
function mutated(rand: () => number): Buffer {
  return mutate(Buffer.concat(VALID), rand, VALID);
}

function randomCuts(rand: () => number, input: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < input.length; ) {
    const n = 1 + ((rand() * 20) | 0);
    chunks.push(input.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

function fuzz(seed: number, make: (rand: () => number) => Buffer): { errors: number; clean: number } {
  const rand = mulberry32(seed);
  const tally = { errors: 0, clean: 0 };
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    const input = Buffer.concat([START, make(rand)]);
    // parseFrames rethrows anything that is not an H2Error, which fails the test
    const whole = parseFrames([input], { preface: true, maxContinuationFrames: 3, maxHeaderBlockSize: 64 });
    const cut = parseFrames(randomCuts(rand, input), { preface: true, maxContinuationFrames: 3, maxHeaderBlockSize: 64 });
    assert.deepEqual(cut, whole, `seed ${seed} round ${round}: input ${input.toString("hex")}`);
    if (whole.error === null) tally.clean++;
    else tally.errors++;
  }
  assert.ok(Date.now() - started < 20_000, "fuzzing took too long");
  return tally;
}

describe("FrameParser fuzz (fixed seeds)", { timeout: 60_000 }, () => {
  it("random bytes", () => {
    const { errors } = fuzz(0x5eed, (rand) => randomBytes(rand, (rand() * 200) | 0));
    assert.ok(errors > 0);
  });

  it("random frame headers and payloads", () => {
    const { errors, clean } = fuzz(0xf00d, randomFrames);
    assert.ok(errors > 0 && clean > 0, `errors ${errors}, clean ${clean}`);
  });

  it("mutated valid frames", () => {
    const { errors, clean } = fuzz(0xb17, mutated);
    assert.ok(errors > 0 && clean > 0, `errors ${errors}, clean ${clean}`);
  });
});
