// The frame layer as tables of client bytes (RFC 6455 §5): each row is fed whole, split in two
// at every byte, and one byte at a time, through a FrameParser and a Receiver. Good rows list the
// frames and the messages seen; bad rows name the close code, the error's code and the byte whose
// arrival must reveal the fault. Then tables for Utf8Validator, permessage-deflate negotiation
// (RFC 7692 §7.1), the accept key and the handshake check (RFC 6455 §4.2).
import { describe, it } from "node:test";
import { isUtf8 } from "node:buffer";
import assert from "node:assert/strict";
import { FrameParser, unmask, type FrameHandler } from "../../src/websocket/frame-parser.js";
import { parseClose, Receiver } from "../../src/websocket/receiver.js";
import { Utf8Validator } from "../../src/websocket/utf8-validator.js";
import { negotiateDeflate, parseExtensionOffers } from "../../src/websocket/permessage-deflate.js";
import { acceptValue, checkHandshake } from "../../src/websocket/handshake.js";
import type { HttpProtocol } from "../../src/http/exchange.js";
import { WebSocketError } from "../../src/websocket/ws-error.js";
import { BAD_FRAMES, ROW_MAX_PAYLOAD, bytes, wire } from "../support/ws-frames.js";

// ---- harness -----------------------------------------------------------------------------------

interface Seen {
  /** frames: "opcode fin|more [rsv1] payloadLength" for each frame start. */
  frames: string[];
  /** events: "text:…", "binary:<hex>", "text+z:<hex>" (compressed), "ping:<hex>", "pong:<hex>", "close:code:reason". */
  events: string[];
}

interface FeedResult extends Seen {
  error: WebSocketError | null;
  /** errorRange: [start, end) of the chunk whose feeding threw. */
  errorRange: [number, number] | null;
}

interface ParserOptions {
  rsv1Allowed?: boolean;
  maxPayloadLength?: number;
}

function feed(input: Buffer, cuts: number[], options: ParserOptions = {}): FeedResult {
  const seen: FeedResult = { frames: [], events: [], error: null, errorRange: null };
  const max = options.maxPayloadLength ?? ROW_MAX_PAYLOAD;
  const receiver = new Receiver(
    {
      onMessage(binary, payload, compressed) {
        const kind = (binary ? "binary" : "text") + (compressed ? "+z" : "");
        seen.events.push(`${kind}:${binary || compressed ? payload.toString("hex") : payload.toString("utf8")}`);
      },
      onPing: (p) => void seen.events.push(`ping:${p.toString("hex")}`),
      onPong: (p) => void seen.events.push(`pong:${p.toString("hex")}`),
      onClose: (code, reason) => void seen.events.push(`close:${code}:${reason}`),
    },
    max,
  );
  const handler: FrameHandler = {
    onFrameStart(h) {
      seen.frames.push(`${h.opcode} ${h.fin ? "fin" : "more"}${h.rsv1 ? " rsv1" : ""} ${h.payloadLength}`);
      receiver.onFrameStart(h);
    },
    onFrameData: (chunk) => receiver.onFrameData(chunk),
    onFrameEnd: () => receiver.onFrameEnd(),
  };
  const parser = new FrameParser({ rsv1Allowed: options.rsv1Allowed ?? false, maxPayloadLength: max }, handler);
  let start = 0;
  for (const end of [...cuts, input.length]) {
    if (end <= start) continue;
    try {
      parser.execute(input.subarray(start, end));
    } catch (err) {
      if (!(err instanceof WebSocketError)) throw err;
      seen.error = err;
      seen.errorRange = [start, end];
      return seen; // a parser that failed is thrown away
    }
    start = end;
  }
  return seen;
}

/** ways lists the feeding plans for an input of `n` bytes: whole, every two-way split, byte by byte. */
function ways(n: number): { label: string; cuts: number[] }[] {
  const plans: { label: string; cuts: number[] }[] = [{ label: "whole", cuts: [] }];
  // Every split point for small rows; for the big ones, every point in the first and last 80
  // bytes (the headers and the end) and a stride through the middle.
  for (let k = 1; k < n; k++) {
    if (n <= 4096 || k < 80 || k > n - 80 || k % 997 === 0) plans.push({ label: `split at ${k}`, cuts: [k] });
  }
  plans.push({ label: "byte by byte", cuts: Array.from({ length: n }, (_, i) => i + 1) });
  return plans;
}

interface GoodRow {
  name: string;
  wire: string;
  events: string[];
  frames?: string[];
  options?: ParserOptions;
}

const K = "[37fa213d]";
const hexOf = (s: string): string => Buffer.from(s, "utf8").toString("hex");
const pattern = (n: number): string => Array.from({ length: n }, (_, i) => (i % 251).toString(16).padStart(2, "0")).join("");

const GOOD: GoodRow[] = [
  // RFC 6455 §5.7's masked "Hello", byte for byte.
  { name: "RFC 6455 §5.7 masked Hello", wire: "81 85 37 fa 21 3d 7f 9f 4d 51 58", events: ["text:Hello"], frames: ["1 fin 5"] },
  { name: "empty text", wire: `81 80 [01020304]`, events: ["text:"], frames: ["1 fin 0"] },
  { name: "empty binary", wire: `82 80 [01020304]`, events: ["binary:"], frames: ["2 fin 0"] },
  { name: "7-bit length 125 (binary)", wire: `82 fd [a1b2c3d4] ${pattern(125)}`, events: [`binary:${pattern(125)}`], frames: ["2 fin 125"], options: { maxPayloadLength: 1 << 20 } },
  { name: "16-bit length 126 (binary)", wire: `82 fe 007e [a1b2c3d4] ${pattern(126)}`, events: [`binary:${pattern(126)}`], frames: ["2 fin 126"], options: { maxPayloadLength: 1 << 20 } },
  { name: "16-bit length of UTF-8 text", wire: `81 fe 00c8 ${K} "${"é".repeat(100)}"`, events: [`text:${"é".repeat(100)}`], frames: ["1 fin 200"], options: { maxPayloadLength: 1 << 20 } },
  { name: "16-bit length 65535", wire: `82 fe ffff [0badf00d] ${pattern(65535)}`, events: [`binary:${pattern(65535)}`], frames: ["2 fin 65535"], options: { maxPayloadLength: 1 << 20 } },
  { name: "64-bit length 65536", wire: `82 ff 0000000000010000 [deadbeef] ${pattern(65536)}`, events: [`binary:${pattern(65536)}`], frames: ["2 fin 65536"], options: { maxPayloadLength: 1 << 20 } },
  {
    name: "64-bit length 2^53-1 is accepted when the limit allows (header only)",
    wire: `82 ff 001fffffffffffff ${K} 00`,
    events: [],
    frames: ["2 fin 9007199254740991"],
    options: { maxPayloadLength: Number.MAX_SAFE_INTEGER },
  },
  { name: "length exactly maxPayloadLength", wire: `82 e4 ${K} ${pattern(100)}`, events: [`binary:${pattern(100)}`], frames: ["2 fin 100"] },
  { name: "fragments adding up to exactly maxPayloadLength", wire: `02 b2 ${K} ${pattern(50)}, 80 b2 ${K} ${pattern(50)}`, events: [`binary:${pattern(50)}${pattern(50)}`], frames: ["2 more 50", "0 fin 50"] },
  // Fragmentation (§5.4)
  { name: "RFC 6455 §5.7 fragmented Hello", wire: `01 83 ${K} "Hel", 80 82 ${K} "lo"`, events: ["text:Hello"], frames: ["1 more 3", "0 fin 2"] },
  {
    name: "ping and pong between fragments",
    wire: `01 83 ${K} "Hel", 89 84 [00000000] "ping", 00 81 [ffffffff] "l", 8a 80 ${K}, 80 81 [12345678] "o"`,
    events: [`ping:${hexOf("ping")}`, "pong:", "text:Hello"],
    frames: ["1 more 3", "9 fin 4", "0 more 1", "10 fin 0", "0 fin 1"],
  },
  { name: "close between fragments is reported", wire: `01 81 ${K} "a", 88 82 ${K} 03e8`, events: ["close:1000:"], frames: ["1 more 1", "8 fin 2"] },
  { name: "fragmented binary with empty fragments", wire: `02 80 ${K}, 00 82 ${K} 0102, 80 80 ${K}`, events: ["binary:0102"], frames: ["2 more 0", "0 more 2", "0 fin 0"] },
  { name: "two messages and a ping in one buffer", wire: `81 81 ${K} "a", 89 80 ${K}, 82 82 ${K} beef`, events: ["text:a", "ping:", "binary:beef"] },
  { name: "a message after a fragmented one", wire: `01 81 ${K} "a", 80 81 ${K} "b", 81 81 ${K} "c"`, events: ["text:ab", "text:c"] },
  // UTF-8 (§8.1)
  { name: "3-byte code point split across fragments", wire: `01 82 ${K} 61e2, 00 81 ${K} 82, 80 82 ${K} ac62`, events: ["text:a€b"] },
  { name: "4-byte code point split across three fragments", wire: `01 81 ${K} f0, 00 82 ${K} 9f98, 80 81 ${K} 80`, events: ["text:😀"] },
  {
    name: "edge code points U+7F U+80 U+7FF U+800 U+D7FF U+E000 U+FFFF U+10000 U+10FFFF",
    wire: `81 99 ${K} 7f c280 dfbf e0a080 ed9fbf ee8080 efbfbf f0908080 f48fbfbf`,
    events: ["text:\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\u{10000}\u{10ffff}"],
  },
  // Control frames (§5.5)
  { name: "ping with 125 bytes", wire: `89 fd ${K} ${pattern(125)}`, events: [`ping:${pattern(125)}`], frames: ["9 fin 125"], options: { maxPayloadLength: 1 << 20 } },
  { name: "empty pong", wire: `8a 80 ${K}`, events: ["pong:"] },
  { name: "close without a body is 1005", wire: `88 80 ${K}`, events: ["close:1005:"] },
  { name: "close 1000", wire: `88 82 ${K} 03e8`, events: ["close:1000:"] },
  { name: "close 1001 with a reason", wire: `88 85 ${K} 03e9 "bye"`, events: ["close:1001:bye"] },
  { name: "close 1011", wire: `88 82 ${K} 03f3`, events: ["close:1011:"] },
  { name: "close 3000 with a UTF-8 reason", wire: `88 87 ${K} 0bb8 "✓ok"`, events: ["close:3000:✓ok"] },
  { name: "close 4999", wire: `88 82 ${K} 1387`, events: ["close:4999:"] },
  { name: "close with a 123-byte reason (125 in all)", wire: `88 fd ${K} 0fa0 "${"r".repeat(123)}"`, events: [`close:4000:${"r".repeat(123)}`], options: { maxPayloadLength: 1 << 20 } },
  // permessage-deflate (RFC 7692 §6): RSV1 on a message's first frame, only when negotiated.
  { name: "RSV1 text with deflate", wire: `c1 83 ${K} 4a4d03`, events: ["text+z:4a4d03"], frames: ["1 fin rsv1 3"], options: { rsv1Allowed: true } },
  { name: "RSV1 fragmented binary with deflate", wire: `42 81 ${K} 4a, 80 82 ${K} 4d03`, events: ["binary+z:4a4d03"], frames: ["2 more rsv1 1", "0 fin 2"], options: { rsv1Allowed: true } },
  { name: "uncompressed message with deflate on", wire: `81 82 ${K} "ok"`, events: ["text:ok"], options: { rsv1Allowed: true } },
];

// ---- frames ------------------------------------------------------------------------------------

describe("wire(): the table notation", () => {
  it("masks like RFC 6455 §5.7's example", () => {
    assert.deepEqual(wire(`81 85 [37fa213d] "Hello"`), bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
    assert.deepEqual(wire(`01 83 [37fa213d] "Hel", 80 82 [37fa213d] "lo"`), bytes("01 83 37fa213d 7f9f4d 80 82 37fa213d 5b95"));
  });
});

describe("unmask", () => {
  it("XORs with the key from any key offset, for every length up to 19", () => {
    const key = Buffer.from([0x01, 0x80, 0xfe, 0x3c]);
    for (let n = 0; n < 20; n++) {
      for (let offset = 0; offset < 4; offset++) {
        const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
        const want = Buffer.from(data.map((b, i) => b ^ key[(offset + i) % 4]));
        const got = Buffer.from(data);
        unmask(got, key, offset);
        assert.deepEqual(got, want, `n=${n} offset=${offset}`);
      }
    }
  });
});

describe("FrameParser + Receiver: good frames", () => {
  for (const row of GOOD) {
    it(row.name, () => {
      const input = wire(row.wire);
      for (const plan of ways(input.length)) {
        const got = feed(Buffer.from(input), plan.cuts, row.options); // a fresh copy: unmasking is in place
        assert.equal(got.error, null, `${plan.label}: unexpected ${got.error?.code} ${got.error?.message}`);
        assert.deepEqual(got.events, row.events, plan.label);
        if (row.frames) assert.deepEqual(got.frames, row.frames, plan.label);
      }
    });
  }

  it("maxPayloadLength bounds messages, not control frames: a 125-byte ping passes a limit of 100", () => {
    // RFC 6455 §5.5.2: a Ping (up to 125 bytes) MUST be answered; the limit is on message size.
    const got = feed(wire(`89 fd ${K} ${pattern(125)}, 88 fd ${K} 03e8 ${"72".repeat(123)}`), [], { maxPayloadLength: 100 });
    assert.equal(got.error, null, `${got.error?.code}: ${got.error?.message}`);
    assert.deepEqual(got.events, [`ping:${pattern(125)}`, `close:1000:${"r".repeat(123)}`]);
  });

  it("a frame's payload is handed on as it arrives, not held until the end", () => {
    const chunks: number[] = [];
    const parser = new FrameParser({ rsv1Allowed: false, maxPayloadLength: 1 << 20 }, {
      onFrameStart() {},
      onFrameData: (c) => void chunks.push(c.length),
      onFrameEnd: () => void chunks.push(-1),
    });
    const frame = wire(`82 fe 0400 ${K} ${pattern(1024)}`);
    parser.execute(frame.subarray(0, 8 + 100));
    assert.deepEqual(chunks, [100]);
    parser.execute(frame.subarray(108));
    assert.deepEqual(chunks, [100, 924, -1]);
  });
});

describe("FrameParser + Receiver: bad frames close the connection", () => {
  for (const row of BAD_FRAMES) {
    it(`${row.name} → ${row.closeCode} ${row.code}`, () => {
      const input = wire(row.wire);
      assert.ok(row.at < input.length, "the row's `at` lies inside the row");
      for (const plan of ways(input.length)) {
        const got = feed(Buffer.from(input), plan.cuts, { rsv1Allowed: row.deflate ?? false });
        assert.ok(got.error, `${plan.label}: no error; events ${JSON.stringify(got.events)}`);
        assert.equal(got.error.closeCode, row.closeCode, `${plan.label}: ${got.error.message}`);
        assert.equal(got.error.code, row.code, plan.label);
        const [start, end] = got.errorRange!;
        assert.ok(start <= row.at && row.at < end, `${plan.label}: fault at byte ${row.at} but the error came with bytes [${start}, ${end})`);
      }
    });
  }

  it("invalid UTF-8 is refused before the rest of the frame arrives", () => {
    // 1000 bytes announced; the bad byte is the third. The frame's end never comes.
    const head = wire(`81 fe 03e8 ${K} 6162 ff`);
    const got = feed(head, Array.from({ length: head.length }, (_, i) => i + 1), { maxPayloadLength: 4096 });
    assert.equal(got.error?.closeCode, 1007);
    assert.equal(got.error?.code, "WS_INVALID_UTF8");
    assert.deepEqual(got.errorRange, [head.length - 1, head.length]);
  });

  it("events before the fault are still reported", () => {
    const got = feed(wire(`89 82 ${K} 0102, 81 81 ${K} "x", 83 80 ${K}`), []);
    assert.deepEqual(got.events, ["ping:0102", "text:x"]);
    assert.equal(got.error?.code, "WS_BAD_OPCODE");
  });
});

describe("parseClose", () => {
  const rows: { payload: string; want: { code: number; reason: string } | string }[] = [
    { payload: "", want: { code: 1005, reason: "" } },
    { payload: "03e8", want: { code: 1000, reason: "" } },
    { payload: `03e9 "going ✓"`, want: { code: 1001, reason: "going ✓" } },
    { payload: "03ea", want: { code: 1002, reason: "" } },
    { payload: "03f2", want: { code: 1010, reason: "" } },
    { payload: "0bb8", want: { code: 3000, reason: "" } },
    { payload: "1387", want: { code: 4999, reason: "" } },
    { payload: "03", want: "WS_INVALID_CLOSE_FRAME" },
    ...[999, 1004, 1005, 1006, 1015, 2999, 5000].map((c) => ({ payload: c.toString(16).padStart(4, "0"), want: "WS_INVALID_CLOSE_CODE" })),
    { payload: "03e8 ff", want: "WS_INVALID_CLOSE_FRAME" },
    { payload: "03e8 eda080", want: "WS_INVALID_CLOSE_FRAME" },
  ];
  for (const row of rows) {
    it(`[${row.payload}] → ${JSON.stringify(row.want)}`, () => {
      if (typeof row.want === "string") {
        assert.throws(() => parseClose(bytes(row.payload)), (err: unknown) => err instanceof WebSocketError && err.closeCode === 1002 && err.code === row.want);
      } else assert.deepEqual(parseClose(bytes(row.payload)), row.want);
    });
  }
});

// ---- UTF-8 -------------------------------------------------------------------------------------

describe("Utf8Validator", () => {
  // badAt: index of the byte where write() must fail; "end" when only end() can tell.
  const rows: { name: string; hex: string; badAt: number | "end" | null }[] = [
    { name: "ASCII", hex: hexOf("hello, world"), badAt: null },
    { name: "mixed scripts", hex: hexOf("héllo κόσμε 世界 😀"), badAt: null },
    { name: "empty", hex: "", badAt: null },
    { name: "U+10FFFF", hex: "f48fbfbf", badAt: null },
    { name: "U+D7FF and U+E000 around the surrogates", hex: "ed9fbfee8080", badAt: null },
    { name: "overlong 2-byte c0 80", hex: "c080", badAt: 0 },
    { name: "overlong 2-byte c1 bf", hex: "41c1bf", badAt: 1 },
    { name: "overlong 3-byte e0 9f bf", hex: "e09fbf", badAt: 1 },
    { name: "overlong 4-byte f0 8f bf bf", hex: "f08fbfbf", badAt: 1 },
    { name: "surrogate ed a0 80", hex: "6161eda080", badAt: 3 },
    { name: "surrogate ed bf bf", hex: "edbfbf", badAt: 1 },
    { name: "above U+10FFFF f4 90 80 80", hex: "f4908080", badAt: 1 },
    { name: "f5 lead", hex: "f5", badAt: 0 },
    { name: "ff", hex: "61ff", badAt: 1 },
    { name: "continuation without a lead", hex: "6180", badAt: 1 },
    { name: "lead followed by ASCII", hex: "c241", badAt: 1 },
    { name: "3-byte cut short by a new lead", hex: "e282e282ac", badAt: 2 },
    { name: "ends after a 2-byte lead", hex: "61c3", badAt: "end" },
    { name: "ends inside a 4-byte sequence", hex: "f09f98", badAt: "end" },
  ];
  for (const row of rows) {
    it(`${row.name}: ${row.badAt === null ? "valid" : `bad at ${row.badAt}`}`, () => {
      const data = Buffer.from(row.hex, "hex");
      for (const plan of ways(data.length)) {
        const v = new Utf8Validator();
        let start = 0;
        let failedIn: [number, number] | null = null;
        for (const end of [...plan.cuts, data.length]) {
          if (end <= start) continue;
          if (!v.write(data, start, end)) {
            failedIn = [start, end];
            break;
          }
          start = end;
        }
        if (typeof row.badAt === "number") {
          assert.ok(failedIn, `${plan.label}: write() accepted everything`);
          assert.ok(failedIn[0] <= row.badAt && row.badAt < failedIn[1], `${plan.label}: failed in [${failedIn}]`);
        } else {
          assert.equal(failedIn, null, plan.label);
          assert.equal(v.end(), row.badAt === null, plan.label);
        }
      }
    });
  }

  it("write(bytes, start, end) looks only at the range", () => {
    const v = new Utf8Validator();
    const data = Buffer.from("ff61e282acff", "hex");
    assert.equal(v.write(data, 1, 5), true);
    assert.equal(v.end(), true);
    assert.equal(v.write(data, 1, 4), true);
    assert.equal(v.end(), false, "cut inside €");
  });

  it("end() resets, so the next message starts fresh", () => {
    const v = new Utf8Validator();
    assert.equal(v.write(Buffer.from("e282", "hex")), true);
    assert.equal(v.end(), false);
    assert.equal(v.write(Buffer.from("41", "hex")), true, "0x41 is not read as the continuation of the old message");
    assert.equal(v.end(), true);
  });

  // An independent oracle: node:buffer's isUtf8 (simdutf) follows RFC 3629 exactly. Spot-check
  // the oracle itself against WHATWG's fatal decoder first.
  const check = (b: Uint8Array): void => {
    const v = new Utf8Validator();
    const got = v.write(b) && v.end();
    if (got !== isUtf8(b)) assert.fail(`bytes ${Buffer.from(b).toString("hex")}: validator says ${got}, isUtf8 says ${!got}`);
  };

  it("the oracle agrees with TextDecoder on the table's rows", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    for (const row of rows) {
      const b = Buffer.from(row.hex, "hex");
      let ok = true;
      try {
        decoder.decode(b);
      } catch {
        ok = false;
      }
      assert.equal(isUtf8(b), ok, row.name);
      assert.equal(ok, row.badAt === null, row.name);
    }
  });

  it("agrees with isUtf8 on every 1- and 2-byte sequence", () => {
    for (let a = 0; a < 256; a++) {
      check(Uint8Array.of(a));
      for (let b = 0; b < 256; b++) check(Uint8Array.of(a, b));
    }
  });

  it("agrees with isUtf8 on every 3-byte sequence with a non-ASCII lead, and 4-byte ones with every lead and second byte", () => {
    const tails4 = [0x41, 0x80, 0x8f, 0x90, 0xbf, 0xc0];
    for (let a = 0xc0; a < 0x100; a++) {
      for (let b = 0; b < 256; b++) {
        for (let c = 0; c < 256; c++) check(Uint8Array.of(a, b, c));
        if (a >= 0xf0) for (const c of tails4) for (const d of tails4) check(Uint8Array.of(a, b, c, d));
      }
    }
  });

  it("agrees with isUtf8 on 200000 seeded random strings", () => {
    let seed = 0x2545f491;
    const rand = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    // Biased toward the bytes that matter: leads, continuations, and the edges of their ranges.
    const alphabet = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff];
    for (let i = 0; i < 200_000; i++) {
      const n = 1 + Math.floor(rand() * 10);
      check(Uint8Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]));
    }
  });
});

// ---- permessage-deflate negotiation ------------------------------------------------------------

describe("negotiateDeflate (RFC 7692 §7.1)", () => {
  const on = { serverNoContextTakeover: false, threshold: 1024 };
  type P = { snct: boolean; cnct: boolean; smwb: number; cmwb: number };
  const rows: { offer: string | null; options?: typeof on; response: string | null; params?: P }[] = [
    { offer: null, response: null },
    { offer: "", response: null },
    { offer: "x-webkit-deflate-frame", response: null },
    { offer: "permessage-deflate", response: "permessage-deflate", params: { snct: false, cnct: false, smwb: 15, cmwb: 15 } },
    { offer: "PerMessage-Deflate", response: "permessage-deflate", params: { snct: false, cnct: false, smwb: 15, cmwb: 15 } },
    { offer: "permessage-deflate", options: { serverNoContextTakeover: true, threshold: 0 }, response: "permessage-deflate; server_no_context_takeover", params: { snct: true, cnct: false, smwb: 15, cmwb: 15 } },
    { offer: "permessage-deflate; server_no_context_takeover", response: "permessage-deflate; server_no_context_takeover", params: { snct: true, cnct: false, smwb: 15, cmwb: 15 } },
    { offer: "permessage-deflate; client_no_context_takeover", response: "permessage-deflate; client_no_context_takeover", params: { snct: false, cnct: true, smwb: 15, cmwb: 15 } },
    // client_max_window_bits without a value: the client can take a limit; the server need not set one.
    { offer: "permessage-deflate; client_max_window_bits", response: "permessage-deflate", params: { snct: false, cnct: false, smwb: 15, cmwb: 15 } },
    { offer: "permessage-deflate; client_max_window_bits=10", response: "permessage-deflate; client_max_window_bits=10", params: { snct: false, cnct: false, smwb: 15, cmwb: 10 } },
    { offer: 'permessage-deflate; client_max_window_bits="12"', response: "permessage-deflate; client_max_window_bits=12", params: { snct: false, cnct: false, smwb: 15, cmwb: 12 } },
    { offer: "permessage-deflate; server_max_window_bits=10", response: "permessage-deflate; server_max_window_bits=10", params: { snct: false, cnct: false, smwb: 10, cmwb: 15 } },
    { offer: "permessage-deflate; server_max_window_bits=15", response: "permessage-deflate; server_max_window_bits=15", params: { snct: false, cnct: false, smwb: 15, cmwb: 15 } },
    {
      offer: "permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits=9; server_max_window_bits=11",
      response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=9",
      params: { snct: true, cnct: true, smwb: 11, cmwb: 9 },
    },
    // Declined offers: unknown or malformed parameters (RFC 7692 §5.1, §7.1).
    { offer: "permessage-deflate; foo", response: null },
    { offer: "permessage-deflate; foo=1", response: null },
    { offer: "permessage-deflate; server_max_window_bits", response: null },
    { offer: "permessage-deflate; server_max_window_bits=16", response: null },
    { offer: "permessage-deflate; server_max_window_bits=7", response: null },
    { offer: "permessage-deflate; server_max_window_bits=8", response: null }, // zlib has no 8-bit raw window; declining is allowed
    { offer: "permessage-deflate; server_max_window_bits=010", response: null },
    { offer: "permessage-deflate; server_max_window_bits=abc", response: null },
    { offer: "permessage-deflate; client_max_window_bits=16", response: null },
    { offer: "permessage-deflate; server_no_context_takeover=1", response: null },
    { offer: "permessage-deflate; server_no_context_takeover; server_no_context_takeover", response: null },
    // Several offers: the first acceptable one wins.
    { offer: "permessage-deflate; foo, permessage-deflate; client_max_window_bits=11", response: "permessage-deflate; client_max_window_bits=11", params: { snct: false, cnct: false, smwb: 15, cmwb: 11 } },
    { offer: "x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=12, permessage-deflate", response: "permessage-deflate; server_max_window_bits=12", params: { snct: false, cnct: false, smwb: 12, cmwb: 15 } },
    { offer: "permessage-deflate; server_max_window_bits=99, permessage-deflate; bar, permessage-deflate", response: "permessage-deflate", params: { snct: false, cnct: false, smwb: 15, cmwb: 15 } },
    // Chromium's and Firefox's offer.
    { offer: "permessage-deflate; client_max_window_bits", options: { serverNoContextTakeover: true, threshold: 1024 }, response: "permessage-deflate; server_no_context_takeover", params: { snct: true, cnct: false, smwb: 15, cmwb: 15 } },
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.offer)} → ${JSON.stringify(row.response)}`, () => {
      const got = negotiateDeflate(row.offer, row.options ?? on);
      if (row.response === null) return assert.equal(got, null);
      assert.ok(got);
      assert.equal(got.response, row.response);
      const p = got.params;
      assert.deepEqual({ snct: p.serverNoContextTakeover, cnct: p.clientNoContextTakeover, smwb: p.serverMaxWindowBits, cmwb: p.clientMaxWindowBits }, row.params);
    });
  }

  it("never answers client_max_window_bits with more than the client offered (RFC 7692 §7.1.2.2)", () => {
    for (let bits = 8; bits <= 15; bits++) {
      const got = negotiateDeflate(`permessage-deflate; client_max_window_bits=${bits}`, on);
      // Accepting is optional; if accepted, any client_max_window_bits in the answer must be <= bits.
      if (got === null) continue;
      const answered = /client_max_window_bits=(\d+)/.exec(got.response);
      if (answered) assert.ok(Number(answered[1]) <= bits, `offered ${bits}, answered ${got.response}`);
    }
  });

  it("parseExtensionOffers reads names, flags, values and quoted values", () => {
    const offers = parseExtensionOffers(' permessage-deflate ; client_max_window_bits ; server_max_window_bits="10", foo;a=b , ,bar');
    assert.deepEqual(
      offers.map((o) => [o.name, [...o.params]]),
      [
        ["permessage-deflate", [["client_max_window_bits", true], ["server_max_window_bits", "10"]]],
        ["foo", [["a", "b"]]],
        ["bar", []],
      ],
    );
  });
});

// ---- handshake ---------------------------------------------------------------------------------

describe("acceptValue (RFC 6455 §4.2.2)", () => {
  it("gives RFC 6455's example answer", () => {
    assert.equal(acceptValue("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
  it("gives the answer of the common second example key", () => {
    assert.equal(acceptValue("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
  });
});

describe("checkHandshake (RFC 6455 §4.2.1)", () => {
  const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  const base: Record<string, string> = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13", "sec-websocket-key": KEY };
  type Want = { ok: true; protocols?: string[]; extensions?: string | null } | { ok: false; status: 400 | 426 };
  const rows: { name: string; method?: string; protocol?: HttpProtocol; fields?: Record<string, string | null>; want: Want }[] = [
    { name: "a plain handshake", want: { ok: true, protocols: [], extensions: null } },
    { name: "tokens in any case, Connection with several tokens", fields: { upgrade: "WebSocket", connection: "keep-alive, UPGRADE" }, want: { ok: true } },
    { name: "Upgrade lists several protocols", fields: { upgrade: "foo/2, websocket" }, want: { ok: true } },
    { name: "subprotocols are split and trimmed", fields: { "sec-websocket-protocol": " chat , superchat,, " }, want: { ok: true, protocols: ["chat", "superchat"] } },
    { name: "extensions are passed on", fields: { "sec-websocket-extensions": "permessage-deflate; client_max_window_bits" }, want: { ok: true, extensions: "permessage-deflate; client_max_window_bits" } },
    { name: "POST", method: "POST", want: { ok: false, status: 400 } },
    { name: "HEAD", method: "HEAD", want: { ok: false, status: 400 } },
    { name: "HTTP/1.0", protocol: "HTTP/1.0", want: { ok: false, status: 400 } },
    { name: "HTTP/2 (RFC 8441 is not offered yet)", protocol: "HTTP/2", want: { ok: false, status: 400 } },
    { name: "no Upgrade", fields: { upgrade: null }, want: { ok: false, status: 400 } },
    { name: "Upgrade: h2c", fields: { upgrade: "h2c" }, want: { ok: false, status: 400 } },
    { name: "no Connection", fields: { connection: null }, want: { ok: false, status: 400 } },
    { name: "Connection: keep-alive only", fields: { connection: "keep-alive" }, want: { ok: false, status: 400 } },
    { name: "version 8", fields: { "sec-websocket-version": "8" }, want: { ok: false, status: 426 } },
    { name: "version 14", fields: { "sec-websocket-version": "14" }, want: { ok: false, status: 426 } },
    { name: "no version", fields: { "sec-websocket-version": null }, want: { ok: false, status: 426 } },
    { name: "no key", fields: { "sec-websocket-key": null }, want: { ok: false, status: 400 } },
    { name: "empty key", fields: { "sec-websocket-key": "" }, want: { ok: false, status: 400 } },
    { name: "key without padding", fields: { "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ" }, want: { ok: false, status: 400 } },
    { name: "key of 15 bytes", fields: { "sec-websocket-key": Buffer.alloc(15, 7).toString("base64") }, want: { ok: false, status: 400 } },
    { name: "key of 17 bytes", fields: { "sec-websocket-key": Buffer.alloc(17, 7).toString("base64") }, want: { ok: false, status: 400 } },
    { name: "key with a bad character", fields: { "sec-websocket-key": "dGhlIHNhbXBsZSBub25j*Q==" }, want: { ok: false, status: 400 } },
    { name: "key of any 16 bytes", fields: { "sec-websocket-key": Buffer.alloc(16, 0xfb).toString("base64") }, want: { ok: true } },
  ];
  for (const row of rows) {
    it(`${row.name} → ${row.want.ok ? "ok" : row.want.status}`, () => {
      const fields = { ...base, ...row.fields };
      const got = checkHandshake(row.method ?? "GET", row.protocol ?? "HTTP/1.1", (name) => fields[name] ?? null);
      assert.equal(got.ok, row.want.ok, JSON.stringify(got));
      if (!row.want.ok) return assert.equal(got.ok === false && got.status, row.want.status);
      assert.ok(got.ok);
      assert.equal(got.key, fields["sec-websocket-key"]);
      if (row.want.protocols) assert.deepEqual(got.protocols, row.want.protocols);
      if (row.want.extensions !== undefined) assert.equal(got.extensions, row.want.extensions);
    });
  }
});
