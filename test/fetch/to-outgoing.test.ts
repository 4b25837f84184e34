// toOutgoing: what a handler returned, as the engine writes it. A response that sets no header
// shares one frozen field list per implied Content-Type (so the engine may reuse its head); any
// header of the app's own gives a list of its own.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LightResponse } from "../../src/fetch/light-response.js";
import { toOutgoing } from "../../src/fetch/to-outgoing.js";

const out = (res: Response) => toOutgoing(res);

describe("toOutgoing", () => {
  it("a string body alone: the shared, frozen text/plain list, trusted", () => {
    const a = out(new LightResponse("hello"));
    const b = out(new LightResponse("again"));
    assert.deepEqual(a.headers, ["Content-Type", "text/plain;charset=UTF-8"]);
    assert.equal(a.headers, b.headers);
    assert.ok(Object.isFrozen(a.headers) && a.trusted === true);
    assert.deepEqual([a.body, b.body], ["hello", "again"]);
  });

  it("Response.json alone: the shared application/json list", () => {
    const a = out(LightResponse.json({ a: 1 }));
    assert.deepEqual(a.headers, ["Content-Type", "application/json"]);
    assert.equal(a.headers, out(LightResponse.json([2])).headers);
    assert.equal(a.body, '{"a":1}');
  });

  it("any header of the app's own, or another type, gives a list of its own", () => {
    const rows: [Response, string[]][] = [
      [new LightResponse("x", { headers: { "X-A": "1" } }), ["X-A", "1", "Content-Type", "text/plain;charset=UTF-8"]],
      [new LightResponse("x", { headers: { "Content-Type": "text/html" } }), ["Content-Type", "text/html"]],
      [new LightResponse(new Blob(["x"], { type: "image/png" })), ["Content-Type", "image/png"]],
      [new LightResponse(new Uint8Array([1])), []],
    ];
    for (const [res, headers] of rows) {
      const o = out(res);
      assert.deepEqual(o.headers, headers);
      assert.equal(Object.isFrozen(o.headers), false);
    }
  });
});
