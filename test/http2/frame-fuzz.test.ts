// Fixed-seed fuzzing of the frame parser (test/fuzz/frame-fuzzer.ts, which `npm run fuzz` runs
// longer): after a valid preface, random bytes, random frame headers with random payloads, and
// mutated valid frames never throw anything but H2Error, never hang, and give the same outcome
// whether fed whole or cut at random points.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FRAME_MAKERS, FRAME_OPTIONS, FRAME_START, VALID_FRAMES, fuzzFrames } from "../fuzz/frame-fuzzer.js";
import { parseFrames } from "./frame-driver.js";

const ROUNDS = 1500;

function round(seed: number, maker: keyof typeof FRAME_MAKERS): { errors: number; clean: number } {
  const started = Date.now();
  const stats = fuzzFrames(seed, ROUNDS, Infinity, [FRAME_MAKERS[maker]]);
  assert.equal(stats.iterations, ROUNDS);
  assert.ok(Date.now() - started < 20_000, "fuzzing took too long");
  return stats;
}

describe("FrameParser fuzz (fixed seeds)", { timeout: 60_000 }, () => {
  it("every input starts with a preface and SETTINGS the parser accepts", () => {
    assert.deepEqual(parseFrames([FRAME_START], { preface: true }), { events: [{ type: "SETTINGS", streamId: 0, ack: false, settings: [] }], error: null });
  });

  it("the valid frames the mutations start from parse cleanly: one event a frame, CONTINUATIONs joined to their HEADERS", () => {
    const outcome = parseFrames([FRAME_START, ...VALID_FRAMES], FRAME_OPTIONS);
    assert.equal(outcome.error, null);
    assert.deepEqual(outcome.events.map((e) => e.type ?? e.streamError), ["SETTINGS", "HEADERS", "HEADERS", "HEADERS", "DATA", "DATA", "PRIORITY", "RST_STREAM", "SETTINGS", "WINDOW_UPDATE", "WINDOW_UPDATE", "PING", "SETTINGS", "GOAWAY"]);
  });

  it("random bytes", () => {
    const { errors } = round(0x5eed, "randomBytes");
    assert.ok(errors > 0);
  });

  it("random frame headers and payloads", () => {
    const { errors, clean } = round(0xf00d, "randomFrames");
    assert.ok(errors > 0 && clean > 0, `errors ${errors}, clean ${clean}`);
  });

  it("mutated valid frames", () => {
    const { errors, clean } = round(0xb17, "mutatedFrames");
    assert.ok(errors > 0 && clean > 0, `errors ${errors}, clean ${clean}`);
  });
});
