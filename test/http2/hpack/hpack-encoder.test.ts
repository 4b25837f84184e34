// HpackEncoder: the indexing policy as a table of fields and their representations, table size
// updates (§4.2), and random response sequences that our decoder reads back with equal tables.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HpackDecoder } from "../../../src/http2/hpack/hpack-decoder.js";
import { HpackEncoder } from "../../../src/http2/hpack/hpack-encoder.js";
import { mulberry32 } from "../../fuzz/mutate.js";

type Representation = "indexed" | "incremental" | "without" | "never";

/** representation names how a block's first field was sent, from its first octet (§6). */
function representation(block: Buffer): Representation {
  const first = block[0];
  if (first & 0x80) return "indexed";
  if (first & 0x40) return "incremental";
  return first & 0x10 ? "never" : "without";
}

const policyRows: { name: string; field: [string, string]; flagged?: boolean; first: Representation; second: Representation; hex?: string }[] = [
  { name: ":status 200 is static", field: [":status", "200"], first: "indexed", second: "indexed", hex: "88" },
  { name: ":status 302 is indexed once", field: [":status", "302"], first: "incremental", second: "indexed" },
  { name: "content-type repeats", field: ["content-type", "text/html; charset=utf-8"], first: "incremental", second: "indexed" },
  { name: "date repeats within a second", field: ["date", "Mon, 21 Oct 2013 20:13:21 GMT"], first: "incremental", second: "indexed" },
  { name: "server", field: ["server", "sockserve"], first: "incremental", second: "indexed" },
  { name: "a custom name", field: ["x-frame-options", "DENY"], first: "incremental", second: "indexed" },
  { name: "set-cookie of a reasonable size", field: ["set-cookie", "sid=0123456789abcdef; Path=/; HttpOnly"], first: "incremental", second: "indexed" },
  { name: "content-length is likely unique", field: ["content-length", "1234"], first: "without", second: "without", hex: "0f0d83" },
  { name: "etag", field: ["etag", '"abc"'], first: "without", second: "without" },
  { name: "last-modified", field: ["last-modified", "Mon, 21 Oct 2013 20:13:21 GMT"], first: "without", second: "without" },
  { name: "authorization is never indexed", field: ["authorization", "Bearer x"], first: "never", second: "never" },
  { name: "proxy-authorization", field: ["proxy-authorization", "Basic eA=="], first: "never", second: "never" },
  { name: "a short cookie is never indexed", field: ["cookie", "sid=123"], first: "never", second: "never" },
  { name: "a long cookie is indexed", field: ["cookie", "sid=0123456789abcdef0123"], first: "incremental", second: "indexed" },
  { name: "a flagged field, even with a static match", field: [":status", "200"], flagged: true, first: "never", second: "never", hex: "18821001" },
  { name: "a flagged custom field", field: ["x-secret", "s"], flagged: true, first: "never", second: "never" },
  { name: "a value over a quarter of the table", field: ["x-big", "v".repeat(1024 - 32 - 4)], first: "without", second: "without" },
  { name: "a value just within a quarter of the table", field: ["x-big", "v".repeat(1024 - 32 - 5)], first: "incremental", second: "indexed" },
];

describe("HpackEncoder indexing policy", () => {
  for (const row of policyRows) {
    it(`${row.name}: ${row.first}, then ${row.second}`, () => {
      const encoder = new HpackEncoder();
      const decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 65536, maxFieldCount: 100 });
      const flags = row.flagged ? [true] : null;
      const first = encoder.encode(row.field, flags);
      const second = encoder.encode(row.field, flags);
      assert.equal(representation(first), row.first);
      assert.equal(representation(second), row.second);
      if (row.hex !== undefined) assert.equal(first.toString("hex").slice(0, row.hex.length), row.hex);
      for (const block of [first, second]) {
        const result = decoder.decode(block);
        assert.deepEqual(result.fields, row.field);
        const never = row.first === "never";
        assert.deepEqual(result.neverIndexed, never ? [true] : null, "the decoder sees the never-indexed flag");
      }
      assert.deepEqual(decoder.table.entries(), encoder.table.entries());
    });
  }
  it("names are matched static first: a literal content-type uses index 31", () => {
    const block = new HpackEncoder({ huffman: "never" }).encode(["content-type", "a/b"]);
    assert.equal(block.toString("hex"), "5f" + "03612f62", "0x40 | 31");
  });
  it("a dynamic name is reused for a new value", () => {
    const encoder = new HpackEncoder({ huffman: "never" });
    encoder.encode(["x-a", "1"]);
    assert.equal(encoder.encode(["x-a", "2"]).toString("hex"), "7e" + "0132", "name index 62, new value");
  });
  it("options replace the name lists", () => {
    const encoder = new HpackEncoder({ neverIndexNames: ["x-token"], noIndexNames: [] });
    assert.equal(representation(encoder.encode(["x-token", "t"])), "never");
    assert.equal(representation(encoder.encode(["authorization", "a"])), "incremental");
    assert.equal(representation(encoder.encode(["content-length", "1"])), "incremental");
  });
  it("huffman \"auto\" codes a string only when it gets shorter", () => {
    const encoder = new HpackEncoder({ noIndexNames: ["x-a"] });
    assert.equal(encoder.encode(["x-a", "307"]).toString("hex").slice(-8), "03333037", "3 raw octets; Huffman is 3 too");
    assert.equal(encoder.encode(["x-a", "aaaaa"]).toString("hex").slice(-10), "8418c631ff");
  });
  it("grows its buffer for a large field list", () => {
    const encoder = new HpackEncoder({ huffman: "always" });
    const fields = [":status", "200", "x-large", "\xff".repeat(100_000)];
    for (let i = 0; i < 200; i++) fields.push(`x-h${i}`, "v".repeat(i));
    const decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 1 << 20, maxFieldCount: 1000 });
    assert.deepEqual(decoder.decode(encoder.encode(fields)).fields, fields);
  });
});

describe("HpackEncoder table size updates (§4.2)", () => {
  it("a smaller own maximum is signalled in the first block", () => {
    const encoder = new HpackEncoder({ maxTableSize: 1024 });
    assert.equal(encoder.encode([":status", "200"]).toString("hex"), "3fe107" + "88");
    assert.equal(encoder.encode([":status", "200"]).toString("hex"), "88");
  });
  it("the peer lowering the size: one update at the next block, evicting", () => {
    const encoder = new HpackEncoder();
    encoder.encode(["x-a", "1", "x-b", "2"]);
    encoder.setMaxTableSize(36);
    assert.equal(encoder.table.length, 2, "nothing changes before the next block");
    assert.equal(encoder.encode([":status", "200"]).toString("hex"), "3f05" + "88");
    assert.deepEqual(encoder.table.entries(), [["x-b", "2"]], "room for one 36-octet entry");
    assert.equal(encoder.table.maxSize, 36);
  });
  it("shrunk to 0 and grown again: the smallest, then the final size", () => {
    const encoder = new HpackEncoder();
    encoder.encode(["x-a", "1"]);
    encoder.setMaxTableSize(0);
    encoder.setMaxTableSize(2048);
    encoder.setMaxTableSize(4096);
    assert.equal(encoder.encode([":status", "200"]).toString("hex"), "20" + "3fe11f" + "88");
    assert.deepEqual(encoder.table.entries(), []);
  });
  it("a size the peer raises above our maximum is capped, and an unchanged size sends nothing", () => {
    const encoder = new HpackEncoder();
    encoder.setMaxTableSize(65536);
    assert.equal(encoder.encode([":status", "200"]).toString("hex"), "88");
    assert.equal(encoder.table.maxSize, 4096);
  });
  it("grown only: one update to the final size", () => {
    const encoder = new HpackEncoder({ maxTableSize: 8192 });
    encoder.setMaxTableSize(1000);
    encoder.encode([":status", "200"]);
    encoder.setMaxTableSize(8192);
    assert.equal(encoder.encode([":status", "200"]).toString("hex"), "3fe13f" + "88");
  });
  it("a table of 0 indexes nothing", () => {
    const encoder = new HpackEncoder();
    encoder.setMaxTableSize(0);
    const block = encoder.encode(["x-a", "1"]);
    assert.equal(block.toString("hex").slice(0, 4), "2000");
    assert.equal(encoder.table.length, 0);
  });
});

describe("HpackEncoder with our decoder: random response sequences (fixed seed)", () => {
  const names = ["content-type", "cache-control", "vary", "x-request-id", "set-cookie", "date", "server", "x-a", "x-b", "etag", "content-length"];
  const values = ["text/html", "no-cache", "accept-encoding", "private, max-age=0", "1", "a longer value with spaces and / slashes", ""];
  function randomFields(random: () => number): string[] {
    const fields = [":status", String([200, 200, 204, 301, 404, 500][Math.floor(random() * 6)])];
    for (let n = Math.floor(random() * 12); n > 0; n--) {
      const value = random() < 0.2 ? `${Math.floor(random() * 1e6)}` : values[Math.floor(random() * values.length)];
      fields.push(names[Math.floor(random() * names.length)], value);
    }
    return fields;
  }
  for (const maxTableSize of [4096, 256, 64, 0]) {
    it(`table of ${maxTableSize}: 2,000 blocks decode to their lists, the tables stay equal`, () => {
      const random = mulberry32(maxTableSize + 1);
      const encoder = new HpackEncoder({ maxTableSize });
      const decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 65536, maxFieldCount: 100 });
      for (let n = 0; n < 2000; n++) {
        if (n % 400 === 399) {
          const peer = [4096, 100, 0, 1024][Math.floor(random() * 4)];
          decoder.setMaxTableSize(Math.max(peer, 0));
          encoder.setMaxTableSize(peer);
        }
        const fields = randomFields(random);
        assert.deepEqual(decoder.decode(encoder.encode(fields)).fields, fields, `block ${n}`);
        assert.equal(decoder.table.size, encoder.table.size);
        assert.deepEqual(decoder.table.entries(), encoder.table.entries());
      }
    });
  }
});
