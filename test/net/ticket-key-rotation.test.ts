// TicketKeyRotation: a 48-byte key at once and no previous; each period a fresh current key, the
// old current becoming the previous; none after stop(); a period a timer cannot wait is refused.
import { it } from "node:test";
import assert from "node:assert/strict";
import { MAX_ROTATION_PERIOD, TicketKeyRotation } from "../../src/net/ticket-key-rotation.js";

it("rotates every period: a fresh current key, the last one kept as previous; nothing after stop()", async () => {
  const rotations: [Buffer, Buffer][] = [];
  let rotated!: () => void;
  const twice = new Promise<void>((resolve) => (rotated = resolve));
  const rotation = new TicketKeyRotation((current, previous) => {
    rotations.push([current, previous]);
    if (rotations.length === 2) rotated();
  }, 20);
  const first = rotation.current;
  assert.equal(first.length, 48);
  assert.equal(rotation.previous, undefined, "no previous key before the first rotation");
  const keepAlive = setTimeout(() => {}, 10_000); // the rotation's timer is unref'd: it keeps no process alive
  await twice;
  clearTimeout(keepAlive);
  rotation.stop();
  const [[second, previous1], [third, previous2]] = rotations;
  assert.ok(previous1.equals(first) && previous2.equals(second), "each rotation keeps the key it replaces as the previous one");
  assert.equal(new Set([first, second, third].map((k) => k.toString("hex"))).size, 3, "every key is new");
  assert.ok(rotation.current.equals(third) && rotation.previous!.equals(second));
  // Absence can only be waited for: five more periods bring no rotation.
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(rotations.length, 2, "no rotation after stop()");
});

it("refuses a period a timer cannot wait (0, negative, NaN, past 2^31 - 1 ms)", () => {
  for (const period of [0, -1, Number.NaN, MAX_ROTATION_PERIOD + 1]) {
    assert.throws(() => new TicketKeyRotation(() => {}, period), RangeError, String(period));
  }
  new TicketKeyRotation(() => {}, MAX_ROTATION_PERIOD).stop();
});
