// BufferPool: lends buffers of fixed sizes and keeps returned ones, within a byte limit, once each.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BufferPool, MAX_IDLE_BYTES } from "../../src/static/buffer-pool.js";

const K = 1024;

describe("BufferPool", () => {
  it("lends a returned buffer again, and a fresh one when none is free", () => {
    const pool = new BufferPool([64 * K]);
    const a = pool.take(64 * K);
    assert.equal(a.length, 64 * K);
    pool.give(a);
    assert.equal(pool.idleBytes, 64 * K);
    assert.equal(pool.take(64 * K).buffer, a.buffer, "the same memory comes back");
    assert.equal(pool.idleBytes, 0);
    assert.notEqual(pool.take(64 * K).buffer, a.buffer, "an empty pool allocates");
  });

  it("takes back a view that starts at the buffer's first byte, as a whole buffer", () => {
    const pool = new BufferPool([64 * K]);
    const a = pool.take(64 * K);
    pool.give(a.subarray(0, 100));
    const again = pool.take(64 * K);
    assert.equal(again.buffer, a.buffer);
    assert.equal(again.length, 64 * K);
  });

  const ignored: [string, (pool: BufferPool) => Uint8Array][] = [
    ["a view that starts past the first byte", (pool) => pool.take(64 * K).subarray(1)],
    ["memory of a size the pool does not lend", () => Buffer.allocUnsafeSlow(32 * K)],
    ["a small pooled Buffer (Node's 8 KiB slab)", () => Buffer.allocUnsafe(10)],
  ];
  for (const [name, make] of ignored) {
    it(`ignores ${name}`, () => {
      const pool = new BufferPool([64 * K]);
      pool.give(make(pool));
      assert.equal(pool.idleBytes, 0);
    });
  }

  it("keeps a buffer returned twice only once, so it is never lent to two readers", () => {
    const pool = new BufferPool([64 * K]);
    const a = pool.take(64 * K);
    pool.give(a);
    pool.give(a);
    assert.equal(pool.idleBytes, 64 * K);
    const first = pool.take(64 * K);
    const second = pool.take(64 * K);
    assert.notEqual(first.buffer, second.buffer);
  });

  it("keeps at most maxIdleBytes, default MAX_IDLE_BYTES", () => {
    assert.equal(new BufferPool([K]).maxIdleBytes, MAX_IDLE_BYTES);
    const pool = new BufferPool([64 * K, 128 * K], 200 * K);
    const lent = [pool.take(128 * K), pool.take(64 * K), pool.take(64 * K), pool.take(64 * K)];
    for (const b of lent) pool.give(b);
    assert.equal(pool.idleBytes, 192 * K, "128 + 64 fit, the third 64 KiB would pass 200 KiB");
  });

  it("refuses a size it was not made for", () => {
    assert.throws(() => new BufferPool([K]).take(2 * K), RangeError);
  });
});
