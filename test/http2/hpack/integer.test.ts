// Table tests of HPACK prefix integers (RFC 7541 §5.1): the C.1 examples, the 2^32 - 1 bound,
// over-long encodings and truncation.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { H2Error } from "../../../src/http2/h2-error.js";
import { decodeInteger, encodeInteger, MAX_INTEGER } from "../../../src/http2/hpack/integer.js";

interface Row {
  name: string;
  prefixBits: number;
  hex: string;
  value: number;
  /** flag bits above the prefix, kept by the encoder and ignored by the decoder */
  flags?: number;
}

const rows: Row[] = [
  { name: "C.1.1: 10, 5-bit prefix", prefixBits: 5, hex: "0a", value: 10 },
  { name: "C.1.2: 1337, 5-bit prefix", prefixBits: 5, hex: "1f9a0a", value: 1337 },
  { name: "C.1.3: 42 at an octet boundary", prefixBits: 8, hex: "2a", value: 42 },
  { name: "0", prefixBits: 7, hex: "00", value: 0 },
  { name: "prefix minus one fits", prefixBits: 7, hex: "7e", value: 126 },
  { name: "prefix value needs a zero continuation", prefixBits: 7, hex: "7f00", value: 127 },
  { name: "prefix value plus 128", prefixBits: 7, hex: "7f8001", value: 255 },
  { name: "4-bit prefix 15", prefixBits: 4, hex: "0f00", value: 15 },
  { name: "flags above the prefix", prefixBits: 6, hex: "4a", value: 10, flags: 0x40 },
  { name: "flags with continuation", prefixBits: 5, hex: "3f9a0a", value: 1337, flags: 0x20 },
  { name: "2^32 - 1, 5-bit prefix", prefixBits: 5, hex: "1fe0ffffff0f", value: MAX_INTEGER },
  { name: "2^32 - 1, 7-bit prefix", prefixBits: 7, hex: "7f80ffffff0f", value: MAX_INTEGER },
  { name: "2^32 - 1, 4-bit prefix", prefixBits: 4, hex: "0ff0ffffff0f", value: MAX_INTEGER },
  { name: "2^32 - 1, 8-bit prefix", prefixBits: 8, hex: "ff80feffff0f", value: MAX_INTEGER },
];

interface ErrorRow {
  name: string;
  prefixBits: number;
  hex: string;
  message: RegExp;
}

const errorRows: ErrorRow[] = [
  { name: "empty", prefixBits: 7, hex: "", message: /missing/ },
  { name: "truncated after the prefix", prefixBits: 5, hex: "1f", message: /truncated/ },
  { name: "truncated inside the continuation", prefixBits: 5, hex: "1f9a", message: /truncated/ },
  { name: "2^32, 5-bit prefix", prefixBits: 5, hex: "1fe1ffffff0f", message: /above 2\^32 - 1/ },
  { name: "2^32, 7-bit prefix", prefixBits: 7, hex: "7f81ffffff0f", message: /above 2\^32 - 1/ },
  { name: "2^32, 8-bit prefix", prefixBits: 8, hex: "ff81feffff0f", message: /above 2\^32 - 1/ },
  { name: "a huge value", prefixBits: 7, hex: "7fffffffff7f", message: /above 2\^32 - 1/ },
  { name: "six continuation octets (zero padding)", prefixBits: 7, hex: "7f808080808000", message: /longer than 5/ },
  { name: "endless continuation", prefixBits: 7, hex: "7f" + "80".repeat(20), message: /longer than 5/ },
];

describe("HPACK integers (RFC 7541 §5.1)", () => {
  for (const row of rows) {
    it(`decodes ${row.name}`, () => {
      const block = Buffer.from(row.hex + "ee", "hex"); // a trailing octet that must stay unread
      const cursor = { pos: 0, end: block.length };
      assert.equal(decodeInteger(block, cursor, row.prefixBits), row.value);
      assert.equal(cursor.pos, row.hex.length / 2);
    });
    it(`encodes ${row.name}`, () => {
      const out = new Uint8Array(8);
      const end = encodeInteger(out, 1, row.value, row.prefixBits, row.flags ?? 0);
      assert.equal(Buffer.from(out.subarray(1, end)).toString("hex"), row.hex);
    });
  }
  for (const row of errorRows) {
    it(`rejects ${row.name}`, () => {
      const block = Buffer.from(row.hex, "hex");
      assert.throws(
        () => decodeInteger(block, { pos: 0, end: block.length }, row.prefixBits),
        (err: unknown) => err instanceof H2Error && err.codeName === "COMPRESSION_ERROR" && err.isConnectionError && row.message.test(err.message),
      );
    });
  }
  it("stops at cursor.end, not the array's end", () => {
    const block = Buffer.from("1f9a0a", "hex");
    assert.throws(() => decodeInteger(block, { pos: 0, end: 2 }, 5), /truncated/);
  });
  it("round-trips values around every power of two, at every prefix", () => {
    const out = new Uint8Array(8);
    for (let prefixBits = 1; prefixBits <= 8; prefixBits++) {
      for (let bit = 0; bit <= 32; bit++) {
        for (const value of [2 ** bit - 1, 2 ** bit, 2 ** bit + 1]) {
          if (value > MAX_INTEGER) continue;
          const end = encodeInteger(out, 0, value, prefixBits, 0);
          assert.ok(end <= 6, `${value} took ${end} octets`);
          assert.equal(decodeInteger(out, { pos: 0, end }, prefixBits), value);
        }
      }
    }
  });
});
