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
  // No ALPN (or an unknown id) means HTTP/1.1 when it is on (RFC 7301: a client that offers none speaks HTTP/1.1), else the first engine.
  const rows: [string | false | null | undefined, ProtocolEngine][] = [["h2", h2], ["http/1.1", http1], [false, http1], [null, http1], [undefined, http1], ["spdy/3", http1]];
  for (const [id, want] of rows) it(`${String(id)} → ${want.alpn}`, () => assert.equal(new Engines([h2, http1]).forAlpn(id), want));
  it("without HTTP/1.1 the first engine is the fallback", () => assert.equal(new Engines([h2]).forAlpn(undefined), h2));
  it("needs at least one engine", () => assert.throws(() => new Engines([]), RangeError));
});
