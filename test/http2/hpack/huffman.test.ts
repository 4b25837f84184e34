// Table tests of the HPACK Huffman code (RFC 7541 §5.2, Appendix B): rows of Appendix B, every
// octet round-tripping, and the padding and EOS error rows as hex.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { H2Error } from "../../../src/http2/h2-error.js";
import {
  HUFFMAN_CODE_LENGTHS, HUFFMAN_CODES, huffmanDecode, huffmanDecodedMaxLength, huffmanEncode, huffmanEncodedLength,
} from "../../../src/http2/hpack/huffman.js";
import { mulberry32 } from "../../fuzz/mutate.js";

/** Rows copied from Appendix B: symbol, code as hex, length in bits. */
const appendixB: [number, number, number][] = [
  [0, 0x1ff8, 13], [1, 0x7fffd8, 23], [9, 0xffffea, 24], [10, 0x3ffffffc, 30], [32, 0x14, 6], [33, 0x3f8, 10],
  [48, 0x0, 5], [65, 0x21, 6], [97, 0x3, 5], [122, 0x7b, 7], [127, 0xffffffc, 28], [128, 0xfffe6, 20],
  [200, 0x3ffffe2, 26], [255, 0x3ffffee, 26], [256, 0x3fffffff, 30],
];

function decode(hex: string): string {
  const src = Buffer.from(hex, "hex");
  const out = Buffer.alloc(huffmanDecodedMaxLength(src.length));
  return out.toString("latin1", 0, huffmanDecode(src, 0, src.length, out));
}

function encode(str: string): string {
  const out = Buffer.alloc(huffmanEncodedLength(str) + 2, 0xee);
  const end = huffmanEncode(str, out, 1);
  assert.equal(end - 1, huffmanEncodedLength(str), "huffmanEncodedLength agrees with huffmanEncode");
  assert.equal(out[0], 0xee, "nothing written before pos");
  assert.equal(out[end], 0xee, "nothing written past the end");
  return out.toString("hex", 1, end);
}

const rows: { name: string; hex: string; text: string }[] = [
  { name: "the empty string", hex: "", text: "" },
  { name: "C.4.1 www.example.com", hex: "f1e3c2e5f23a6ba0ab90f4ff", text: "www.example.com" },
  { name: "C.4.2 no-cache", hex: "a8eb10649cbf", text: "no-cache" },
  { name: "C.6.1 a date", hex: "d07abe941054d444a8200595040b8166e082a62d1bff", text: "Mon, 21 Oct 2013 20:13:21 GMT" },
  { name: "7 bits of padding", hex: "18c631ff", text: "aaaaa" },
  { name: "a 13-bit code", hex: "ffc7", text: "\x00" },
  { name: "a 26-bit code", hex: "fffffbbf", text: "\xff" },
];

const errorRows: { name: string; hex: string; message: RegExp }[] = [
  { name: "11 bits of padding", hex: "1fff", message: /padding longer than 7 bits/ },
  { name: "a whole octet of padding", hex: "ff", message: /padding longer than 7 bits/ },
  { name: "an octet of padding after 7 bits", hex: "18c631ffff", message: /padding longer than 7 bits/ },
  { name: "padding of zeros", hex: "18", message: /not a prefix of EOS/ },
  { name: "padding ending in a zero", hex: "18c631fe", message: /not a prefix of EOS/ },
  { name: "EOS after a symbol", hex: "1fffffffff", message: /EOS symbol inside/ },
  { name: "EOS before a symbol", hex: "fffffffc7f", message: /EOS symbol inside/ },
  { name: "EOS alone, padded with zeros", hex: "fffffffc", message: /EOS symbol inside/ },
  { name: "32 ones", hex: "ffffffff", message: /EOS symbol inside/ },
];

describe("HPACK Huffman code (RFC 7541 Appendix B)", () => {
  it("rebuilds Appendix B's codes from the lengths", () => {
    for (const [symbol, code, length] of appendixB) {
      assert.equal(HUFFMAN_CODES[symbol], code, `code of ${symbol}`);
      assert.equal(HUFFMAN_CODE_LENGTHS[symbol], length, `length of ${symbol}`);
    }
  });
  it("is a complete prefix code (Kraft sum exactly 1)", () => {
    let sum = 0;
    for (const length of HUFFMAN_CODE_LENGTHS) sum += 2 ** -length;
    assert.equal(sum, 1);
  });
  for (const row of rows) {
    it(`decodes ${row.name}`, () => assert.equal(decode(row.hex), row.text));
    it(`encodes ${row.name}`, () => assert.equal(encode(row.text), row.hex));
  }
  for (const row of errorRows) {
    it(`rejects ${row.name} (${row.hex})`, () => {
      assert.throws(
        () => decode(row.hex),
        (err: unknown) => err instanceof H2Error && err.codeName === "COMPRESSION_ERROR" && row.message.test(err.message),
      );
    });
  }
  it("round-trips every octet alone and all 256 in one string", () => {
    let all = "";
    for (let octet = 0; octet < 256; octet++) {
      const char = String.fromCharCode(octet);
      assert.equal(decode(encode(char)), char, `octet ${octet}`);
      all += char;
    }
    assert.equal(decode(encode(all)), all);
  });
  it("round-trips random strings of every length up to 300 (fixed seed)", () => {
    const random = mulberry32(7541);
    for (let length = 0; length <= 300; length++) {
      let str = "";
      const wide = random() < 0.3; // mostly printable ASCII, sometimes any octet (long codes)
      for (let i = 0; i < length; i++) str += String.fromCharCode(wide ? Math.floor(random() * 256) : 32 + Math.floor(random() * 95));
      assert.equal(decode(encode(str)), str);
    }
  });
  it("decodes within src[start, end) only", () => {
    const src = Buffer.from("00f1e3c2e5f23a6ba0ab90f4ff00", "hex");
    const out = Buffer.alloc(64);
    assert.equal(out.toString("latin1", 0, huffmanDecode(src, 1, src.length - 1, out)), "www.example.com");
  });
  it("huffmanDecodedMaxLength bounds the output of the shortest codes", () => {
    const str = "0".repeat(80); // 5-bit code: 400 bits, 50 octets
    assert.equal(huffmanEncodedLength(str), 50);
    assert.equal(huffmanDecodedMaxLength(50), 80);
    assert.equal(decode(encode(str)), str);
  });
});
