// The engine list: which engine a negotiated ALPN id picks, and what TLS offers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Engines, http1, type ProtocolEngine } from "../../src/server/protocols.js";

describe("Engines", () => {
  const h2: ProtocolEngine = { alpn: "h2", open: () => { throw new Error("not used"); } };
  it("offers the engines' ALPN ids in order", () => {
    assert.deepEqual(new Engines([h2, http1]).alpn, ["h2", "http/1.1"]);
    assert.deepEqual(new Engines([http1]).alpn, ["http/1.1"]);
  });
  const rows: [string | false | null | undefined, ProtocolEngine][] = [["h2", h2], ["http/1.1", http1], [false, h2], [null, h2], [undefined, h2], ["spdy/3", h2]];
  for (const [id, want] of rows) it(`${String(id)} → ${want.alpn} (the first engine is the default)`, () => assert.equal(new Engines([h2, http1]).forAlpn(id), want));
  it("needs at least one engine", () => assert.throws(() => new Engines([]), RangeError));
});
