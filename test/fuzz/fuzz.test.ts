// A short fixed-seed fuzz round for CI: mutated requests and WebSocket frames, whole and split,
// and HPACK header blocks (the HTTP/2 frame round is test/http2/frame-fuzz.test.ts).
// `npm run fuzz` runs longer rounds with any seed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fuzz } from "./fuzzer.js";
import { fuzzHpack } from "./hpack-fuzzer.js";
import { mulberry32, mutate } from "./mutate.js";

describe("fuzz (fixed seed)", () => {
  it("the PRNG and mutator are deterministic", () => {
    const a = mutate(Buffer.from("GET / HTTP/1.1\r\n\r\n"), mulberry32(7), [Buffer.from("x")]);
    const b = mutate(Buffer.from("GET / HTTP/1.1\r\n\r\n"), mulberry32(7), [Buffer.from("x")]);
    assert.deepEqual(a, b);
  });
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 3,000 cases, no escaped exception, split and whole agree, memory bounded`, () => {
      const before = process.memoryUsage().heapUsed;
      const stats = fuzz(seed, 3000);
      assert.equal(stats.iterations, 3000);
      assert.ok(stats.httpErrors > 0 && stats.wsErrors > 0, `mutations reached the error paths: ${JSON.stringify(stats)}`);
      assert.ok(process.memoryUsage().heapUsed - before < 200 * 1024 * 1024, "heap growth under 200 MB");
    });
  }
  for (const seed of [1, 2, 3]) {
    it(`HPACK seed ${seed}: 10,000 cases, only COMPRESSION_ERROR escapes, the table within its limit, two decoders agree`, () => {
      const started = Date.now();
      const stats = fuzzHpack(seed, 10_000);
      assert.equal(stats.iterations, 10_000);
      assert.ok(stats.errors > 0 && stats.overLimit > 0 && stats.clean > 0, `the cases reached errors, limits and clean decodes: ${JSON.stringify(stats)}`);
      assert.ok(Date.now() - started < 20_000, "the round took too long");
    });
  }
});
