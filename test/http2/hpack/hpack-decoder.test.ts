// HpackDecoder: every error row as hex, the size-update rules (§4.2, §6.3), the header-list limits
// with the table kept in sync, and an HPACK bomb. Random and mutated blocks: test/fuzz/hpack-fuzzer.ts
// (a fixed-seed round in test/fuzz/fuzz.test.ts, longer ones in `npm run fuzz`).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { H2Error } from "../../../src/http2/h2-error.js";
import { HpackDecoder, type HpackDecoderLimits } from "../../../src/http2/hpack/hpack-decoder.js";
import { HpackEncoder } from "../../../src/http2/hpack/hpack-encoder.js";
import { encodeInteger } from "../../../src/http2/hpack/integer.js";

const limits: HpackDecoderLimits = { maxTableSize: 4096, maxHeaderListSize: 16384, maxFieldCount: 100 };

function hex(str: string): Buffer {
  return Buffer.from(str.replace(/ /g, ""), "hex");
}

/** literal writes a literal field with a new name and raw strings: with incremental indexing (0x40) or without (0x00). */
function literal(name: string, value: string, first = 0x40): Buffer {
  const out = Buffer.alloc(name.length + value.length + 16);
  let pos = encodeInteger(out, 0, 0, 4, first);
  pos = encodeInteger(out, pos, name.length, 7, 0);
  pos += out.write(name, pos, "latin1");
  pos = encodeInteger(out, pos, value.length, 7, 0);
  pos += out.write(value, pos, "latin1");
  return out.subarray(0, pos);
}

function isCompressionError(message: RegExp) {
  return (err: unknown) => err instanceof H2Error && err.codeName === "COMPRESSION_ERROR" && err.isConnectionError && message.test(err.message);
}

const errorRows: { name: string; hex: string; message: RegExp }[] = [
  { name: "indexed field 0", hex: "80", message: /index 0/ },
  { name: "index 62 with an empty dynamic table", hex: "be", message: /index 62 is past the end/ },
  { name: "index 2^32 - 1", hex: "ff80ffffff0f", message: /index 4294967295 is past the end/ },
  { name: "index above 2^32 - 1", hex: "ff81ffffff0f", message: /above 2\^32 - 1/ },
  { name: "an indexed name past the end (with indexing)", hex: "7e0161", message: /index 62 is past the end/ },
  { name: "an indexed name past the end (without indexing)", hex: "0f2f0161", message: /index 62 is past the end/ },
  { name: "an indexed name past the end (never indexed)", hex: "1f2f0161", message: /index 62 is past the end/ },
  { name: "a truncated index", hex: "ff", message: /truncated/ },
  { name: "a literal without its name", hex: "40", message: /missing/ },
  { name: "a literal without its value", hex: "000161", message: /missing/ },
  { name: "a name longer than the block", hex: "400a6375", message: /string of 10 octets runs past the end/ },
  { name: "a value longer than the block", hex: "0001610561", message: /string of 5 octets runs past the end/ },
  { name: "a 2 GiB raw string claim", hex: "407f81ffffff07", message: /string of 2147483648 octets runs past the end/ },
  { name: "a 2 GiB Huffman string claim", hex: "0001 61ff81ffffff07 ff", message: /string of 2147483648 octets runs past the end/ },
  { name: "a string length above 2^32 - 1", hex: "40ff81ffffff0f", message: /above 2\^32 - 1/ },
  { name: "a Huffman name with too much padding", hex: "4081ff0161", message: /padding longer than 7 bits/ },
  { name: "a Huffman value padded with zeros", hex: "0001618118", message: /not a prefix of EOS/ },
  { name: "EOS in a Huffman value", hex: "00016184ffffffff", message: /EOS symbol inside/ },
  { name: "a size update above the limit", hex: "3fe21f", message: /size update to 4097, above the limit 4096/ },
  { name: "three size updates", hex: "20 20 20 82", message: /more than two/ },
  { name: "a size update after a field", hex: "82 20", message: /size update after the start/ },
  { name: "a size update between two updates' fields", hex: "20 82 3fe11f", message: /size update after the start/ },
];

describe("HpackDecoder errors: COMPRESSION_ERROR, a connection error", () => {
  for (const row of errorRows) {
    it(`rejects ${row.name} (${row.hex})`, () => {
      assert.throws(() => new HpackDecoder(limits).decode(hex(row.hex)), isCompressionError(row.message));
    });
  }
});

describe("HpackDecoder size updates (§4.2, §6.3)", () => {
  it("accepts an empty block", () => {
    assert.deepEqual(new HpackDecoder(limits).decode(new Uint8Array(0)), { fields: [], neverIndexed: null, overLimit: null, headerListSize: 0 });
  });
  it("accepts two updates at the start, smallest first, evicting on the way", () => {
    const decoder = new HpackDecoder(limits);
    decoder.decode(literal("custom-key", "custom-header"));
    assert.equal(decoder.table.length, 1);
    assert.deepEqual(decoder.decode(hex("20 3fe11f 82")).fields, [":method", "GET"]);
    assert.equal(decoder.table.length, 0, "the update to 0 emptied the table");
    assert.equal(decoder.table.maxSize, 4096);
  });
  it("accepts an update to exactly the limit, and an update alone", () => {
    const decoder = new HpackDecoder({ ...limits, maxTableSize: 256 });
    assert.deepEqual(decoder.decode(hex("3fe101")).fields, []);
    assert.equal(decoder.table.maxSize, 256);
    assert.throws(() => decoder.decode(hex("3fe201")), isCompressionError(/size update to 257, above the limit 256/));
  });
  it("after setMaxTableSize lowers the limit, the next block must begin with an update within it", () => {
    const decoder = new HpackDecoder(limits);
    decoder.setMaxTableSize(100);
    assert.throws(() => decoder.decode(hex("82")), isCompressionError(/must begin with a dynamic table size update to at most 100/));
    const again = new HpackDecoder(limits);
    again.setMaxTableSize(100);
    assert.throws(() => again.decode(hex("3fe107 82")), isCompressionError(/size update to 1024, above the limit 100/));
    const ok = new HpackDecoder(limits);
    ok.setMaxTableSize(100);
    assert.deepEqual(ok.decode(hex("3f45 82")).fields, [":method", "GET"]);
    assert.equal(ok.table.maxSize, 100);
    assert.deepEqual(ok.decode(hex("82")).fields, [":method", "GET"], "only the first block needs it");
  });
  it("lowered then raised: the update must still reach the low point", () => {
    const decoder = new HpackDecoder(limits);
    decoder.setMaxTableSize(0);
    decoder.setMaxTableSize(4096);
    assert.throws(() => decoder.decode(hex("3fe107 82")), isCompressionError(/at most 0/));
    const ok = new HpackDecoder(limits);
    ok.setMaxTableSize(0);
    ok.setMaxTableSize(4096);
    assert.deepEqual(ok.decode(hex("20 3fe11f 82")).fields, [":method", "GET"]);
  });
  it("a raised limit needs no update", () => {
    const decoder = new HpackDecoder({ ...limits, maxTableSize: 256 });
    decoder.setMaxTableSize(4096);
    assert.deepEqual(decoder.decode(hex("82")).fields, [":method", "GET"]);
    assert.deepEqual(decoder.decode(hex("3fe11f")).fields, []);
    assert.equal(decoder.table.maxSize, 4096);
  });
});

describe("HpackDecoder limits: the block is decoded to its end, the table stays in sync", () => {
  const a = "a".repeat(60); // each field of name a and a 1-char value is 60 + 1 + 32 = 93 octets
  it("maxHeaderListSize: the fields are dropped, the table still gains the block's entries", () => {
    const decoder = new HpackDecoder({ ...limits, maxHeaderListSize: 150 });
    const result = decoder.decode(Buffer.concat([literal(a, "1"), literal(a, "2"), literal("x", "3"), hex("82")]));
    assert.equal(result.overLimit, "maxHeaderListSize");
    assert.deepEqual(result.fields, []);
    assert.equal(result.neverIndexed, null);
    assert.equal(result.headerListSize, 93 + 93, "counting stopped at the field that crossed");
    assert.deepEqual(decoder.table.entries(), [["x", "3"], [a, "2"], [a, "1"]]);
    const next = decoder.decode(hex("be bf"));
    assert.equal(next.overLimit, null);
    assert.deepEqual(next.fields, ["x", "3", a, "2"]);
    assert.equal(decoder.decode(hex("c0")).headerListSize, 93);
  });
  it("exactly maxHeaderListSize is within the limit", () => {
    const decoder = new HpackDecoder({ ...limits, maxHeaderListSize: 93 });
    assert.deepEqual(decoder.decode(literal(a, "1")).fields, [a, "1"]);
  });
  it("maxFieldCount: each field counts, cookie crumbs too", () => {
    const decoder = new HpackDecoder({ ...limits, maxFieldCount: 3 });
    const crumbs = (...list: string[]) => list.map((crumb) => literal("cookie", crumb, 0x00));
    assert.equal(decoder.decode(Buffer.concat(crumbs("a=1", "b=2", "c=3"))).fields.length, 6);
    const result = decoder.decode(Buffer.concat([...crumbs("a=1", "b=2", "c=3"), literal("k", "v")]));
    assert.equal(result.overLimit, "maxFieldCount");
    assert.deepEqual(result.fields, []);
    assert.deepEqual(decoder.table.entries(), [["k", "v"]], "the indexed literal past the limit is stored");
    assert.deepEqual(decoder.decode(hex("be")).fields, ["k", "v"]);
  });
  it("maxStringLength: checked on the encoded length before decoding; an indexed literal is still stored", () => {
    const decoder = new HpackDecoder({ ...limits, maxStringLength: 40 });
    const long = "v".repeat(41);
    const result = decoder.decode(Buffer.concat([literal("n", long), literal("m", long, 0x00)]));
    assert.equal(result.overLimit, "maxStringLength");
    assert.deepEqual(decoder.table.entries(), [["n", long]]);
    assert.deepEqual(decoder.decode(literal("m", "v".repeat(40), 0x00)).fields, ["m", "v".repeat(40)]);
  });
  it("maxStringLength applies to the decoded length of a Huffman string too", () => {
    const encoder = new HpackEncoder({ huffman: "always" });
    const block = encoder.encode(["x-zeros", "0".repeat(60)]); // 60 five-bit codes: 38 octets
    assert.ok(block.length < 50);
    const decoder = new HpackDecoder({ ...limits, maxStringLength: 50 });
    assert.equal(decoder.decode(block).overLimit, "maxStringLength");
    assert.deepEqual(decoder.table.entries(), [["x-zeros", "0".repeat(60)]]);
  });
  it("a huge string claim inside the limits' reach costs nothing: the block is checked first", () => {
    const decoder = new HpackDecoder({ ...limits, maxStringLength: 2 ** 32 });
    assert.throws(() => decoder.decode(hex("0001 61 7f81ffffff07 6161")), isCompressionError(/2147483648 octets runs past the end/));
  });
  it("an HPACK bomb: a 4 KiB entry referenced 10,000 times stops counting at the limit", () => {
    const decoder = new HpackDecoder({ ...limits, maxHeaderListSize: 65536 });
    const big = "b".repeat(4000); // 1 + 4000 + 32 = 4033 octets: fits the 4096-octet table
    assert.equal(decoder.decode(literal("b", big)).overLimit, null);
    const bomb = Buffer.alloc(10_000, 0xbe); // 10,000 x index 62: a 40 MB list
    const result = decoder.decode(bomb);
    assert.equal(result.overLimit, "maxHeaderListSize");
    assert.deepEqual(result.fields, []);
    assert.equal(result.headerListSize, 4033 * 17, "16 fields fit, the 17th crossed, and counting stopped there");
    assert.deepEqual(decoder.decode(hex("be 82")).fields, ["b", big, ":method", "GET"], "the table is intact");
  });
  it("a bomb of never-indexed literals is skipped undecoded past the limit", () => {
    const decoder = new HpackDecoder({ ...limits, maxHeaderListSize: 1000 });
    const field = literal("x", "y".repeat(100), 0x10);
    const result = decoder.decode(Buffer.concat(Array.from({ length: 1000 }, () => field)));
    assert.equal(result.overLimit, "maxHeaderListSize");
    assert.ok(result.headerListSize <= 1000 + 133);
  });
});

describe("HpackDecoder never-indexed fields (§6.2.3)", () => {
  it("flags each never-indexed field in a parallel list", () => {
    const decoder = new HpackDecoder(limits);
    const result = decoder.decode(Buffer.concat([hex("82"), hex("100870617373776f726406736563726574"), hex("84"), literal("k", "v", 0x10)]));
    assert.deepEqual(result.fields, [":method", "GET", "password", "secret", ":path", "/", "k", "v"]);
    assert.deepEqual(result.neverIndexed, [false, true, false, true]);
    assert.equal(decoder.table.length, 0, "never-indexed literals are not stored");
  });
  it("leaves the list null when no field is never-indexed", () => {
    assert.equal(new HpackDecoder(limits).decode(hex("82 84")).neverIndexed, null);
  });
  it("keeps names as sent: uppercase is the stream layer's to reject", () => {
    assert.deepEqual(new HpackDecoder(limits).decode(literal("X-Upper", "V", 0x00)).fields, ["X-Upper", "V"]);
  });
  it("reads a plain Uint8Array as well as a Buffer", () => {
    const block = new Uint8Array(hex("828684418cf1e3c2e5f23a6ba0ab90f4ff"));
    assert.deepEqual(new HpackDecoder(limits).decode(block).fields, [":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"]);
  });
  it("keeps octets above 0x7f as latin1 chars", () => {
    assert.deepEqual(new HpackDecoder(limits).decode(literal("x", "\xe9\xff\x00", 0x00)).fields, ["x", "\xe9\xff\x00"]);
  });
});
