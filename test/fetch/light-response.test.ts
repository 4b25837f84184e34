// LightResponse against Node's own Response: every row is built with both classes, and every
// getter and body method must give the same answer (or the same kind of error).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LightResponse, NativeResponse } from "../../src/fetch/light-response.js";

type Init = ConstructorParameters<typeof Response>[1];
type Body = ConstructorParameters<typeof Response>[0];

const Light = LightResponse as unknown as typeof Response;

const rows: { name: string; body: () => Body; init?: Init }[] = [
  { name: "no body", body: () => null },
  { name: "undefined body", body: () => undefined },
  { name: "string", body: () => "Hello, World!" },
  { name: "unicode string", body: () => "héllo ✓ 🎉" },
  { name: "empty string", body: () => "" },
  { name: "Uint8Array", body: () => new Uint8Array([1, 2, 3]) },
  { name: "ArrayBuffer", body: () => new Uint8Array([4, 5]).buffer },
  { name: "DataView", body: () => new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2) },
  { name: "Blob with type", body: () => new Blob(["blob!"], { type: "text/x-blob" }) },
  { name: "URLSearchParams", body: () => new URLSearchParams({ a: "1", b: "two words" }) },
  { name: "ReadableStream", body: () => new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("st")); c.enqueue(new TextEncoder().encode("ream")); c.close(); } }) },
  { name: "FormData", body: () => { const f = new FormData(); f.append("k", "v"); return f; } },
  { name: "status and statusText", body: () => "x", init: { status: 418, statusText: "I'm a Teapot" } },
  { name: "201 no body", body: () => null, init: { status: 201 } },
  { name: "204 no body", body: () => null, init: { status: 204 } },
  { name: "record headers", body: () => "x", init: { headers: { "X-A": " padded ", "content-type": "text/html" } } },
  { name: "array headers", body: () => "x", init: { headers: [["x-b", "1"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]] } },
  { name: "Headers headers", body: () => "x", init: { headers: new Headers({ "x-c": "3" }) } },
];

async function describeResponse(r: Response): Promise<unknown> {
  const head = { status: r.status, statusText: r.statusText, ok: r.ok, type: r.type, url: r.url, redirected: r.redirected };
  const headers = [...r.headers];
  const before = r.bodyUsed;
  const hasBody = r.body !== null;
  const text = await r.text();
  return { head, headers, before, hasBody, text, after: r.bodyUsed };
}

describe("LightResponse matches Response", () => {
  for (const row of rows) {
    it(row.name, async () => {
      const native = await describeResponse(new NativeResponse(row.body(), row.init));
      const light = await describeResponse(new Light(row.body(), row.init));
      if (row.name === "FormData") {
        // The multipart boundary is random: compare everything else.
        const strip = (d: unknown) => JSON.stringify(d).replace(/-{2,}[0-9a-zA-Z-]+/g, "BOUNDARY");
        assert.equal(strip(light), strip(native));
      } else {
        assert.deepEqual(light, native);
      }
    });
  }

  for (const method of ["arrayBuffer", "bytes", "json", "blob"] as const) {
    it(`${method}() gives the same result`, async () => {
      const body = method === "json" ? '{"a":[1,2]}' : "abc";
      type Reader = Record<typeof method, () => Promise<unknown>>;
      const a = await (new NativeResponse(body) as unknown as Reader)[method]();
      const b = await (new Light(body) as unknown as Reader)[method]();
      if (method === "blob") {
        assert.equal((b as Blob).type, (a as Blob).type);
        assert.equal(await (b as Blob).text(), await (a as Blob).text());
      } else {
        assert.deepEqual(b, a);
      }
    });
  }

  it("formData() parses urlencoded bodies", async () => {
    const form = await new Light(new URLSearchParams({ x: "1" })).formData();
    assert.equal(form.get("x"), "1");
  });

  it("a body can be read once", async () => {
    const r = new Light("once");
    await r.text();
    await assert.rejects(r.text(), TypeError);
    assert.throws(() => r.clone(), TypeError);
  });

  it("clone() gives two independent bodies", async () => {
    for (const body of ["abc", new ReadableStream({ start(c) { c.enqueue(new Uint8Array([97])); c.close(); } })]) {
      const r = new Light(body, { status: 202, headers: { "x-k": "v" } });
      const c = r.clone();
      assert.equal(c.status, 202);
      assert.equal(c.headers.get("x-k"), "v");
      assert.equal(await c.text(), await r.text());
    }
  });

  it("headers are live and keep the implied content-type", () => {
    const r = new Light("x", { headers: { "x-a": "1" } });
    r.headers.set("x-b", "2");
    assert.equal(r.headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.equal(r.headers.get("x-b"), "2");
  });

  it("throws what Response throws for bad arguments", () => {
    const cases: [Body, Init][] = [
      ["x", { status: 199 }],
      ["x", { status: 600 }],
      ["x", { status: 204 }],
      ["x", { statusText: "bad\r\nline" }],
      ["x", { headers: { "bad name": "v" } }],
      ["x", { headers: { a: "bad\nvalue" } }],
    ];
    for (const [body, init] of cases) {
      let expected: unknown;
      try {
        new NativeResponse(body, init);
      } catch (err) {
        expected = (err as Error).constructor;
      }
      assert.ok(expected, `native accepted ${JSON.stringify(init)}`);
      assert.throws(() => new Light(body, init), expected as new () => Error, JSON.stringify(init));
    }
  });

  it("static json, redirect and error behave as Response's", async () => {
    const j = Light.json({ a: 1 }, { status: 201 });
    const n = NativeResponse.json({ a: 1 }, { status: 201 });
    assert.deepEqual([j.status, [...j.headers], await j.text()], [n.status, [...n.headers], await n.text()]);
    const r = Light.redirect("http://example.com/x", 307);
    assert.deepEqual([r.status, r.headers.get("location")], [307, "http://example.com/x"]);
    assert.equal(Light.error().type, "error");
    assert.throws(() => Light.json(undefined), TypeError);
  });

  it("instanceof holds both ways, and the tag is Response", () => {
    const light = new Light("x");
    assert.ok(light instanceof NativeResponse);
    assert.ok(light instanceof Light);
    assert.ok(new NativeResponse("x") instanceof Light);
    assert.equal(Object.prototype.toString.call(light), "[object Response]");
    assert.equal(Light.name, "Response");
  });
});

describe("LightResponse.fieldOf and bodyLength (compress() reads a response without Headers)", () => {
  const rows: [string, () => LightResponse, string, string | null, number][] = [
    ["a record", () => new LightResponse("héllo", { headers: { "X-A": "1" } }), "x-a", "1", 6],
    ["pairs, repeated", () => new LightResponse(new Uint8Array(3), { headers: [["Vary", "a"], ["vary", "b"]] }), "vary", "a, b", 3],
    ["the implied Content-Type", () => new LightResponse("x"), "content-type", "text/plain;charset=UTF-8", 1],
    ["an absent field, a null body", () => new LightResponse(null), "etag", null, 0],
    ["trusted flat fields", () => LightResponse.trustedFlat(200, ["ETag", '"e"'], null) as unknown as LightResponse, "etag", '"e"', 0],
    ["a Headers object", () => new LightResponse(new ReadableStream(), { headers: new Headers({ "X-B": "2" }) }), "x-b", "2", -1],
  ];
  for (const [name, make, field, value, length] of rows) {
    it(name, () => {
      const res = make();
      assert.equal(LightResponse.fieldOf(res, field), value);
      assert.equal(LightResponse.bodyLength(res), length);
      assert.equal((res as unknown as Response).headers.get(field), value, "the same as Headers says");
    });
  }
});
