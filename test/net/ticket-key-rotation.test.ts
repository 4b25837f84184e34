// TicketKeyRotation: a 48-byte key at once, a different one announced every period, none after stop().
import { it } from "node:test";
import assert from "node:assert/strict";
import { TicketKeyRotation } from "../../src/net/ticket-key-rotation.js";

it("announces a fresh 48-byte key every period, and stops", async () => {
  const announced: string[] = [];
  const rotation = new TicketKeyRotation((m) => announced.push(m.keys), 30);
  const first = rotation.message.keys;
  assert.equal(Buffer.from(first, "base64").length, 48);
  await new Promise((r) => setTimeout(r, 100));
  rotation.stop();
  const count = announced.length;
  assert.ok(count >= 2, `announced ${count} keys in 100 ms with a 30 ms period`);
  assert.equal(new Set([first, ...announced]).size, count + 1, "every key is new");
  assert.equal(rotation.message.keys, announced.at(-1));
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(announced.length, count, "no key after stop()");
});
