// A short fixed-seed fuzz round for CI: mutated requests and frames, whole and split.
// `npm run fuzz` runs longer rounds with any seed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fuzz, mulberry32, mutate } from "./fuzzer.js";

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
});
