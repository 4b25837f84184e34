// Field-block sequencing (RFC 9113 §4.3, §6.10) and the block limits: interleaved frames are a
// connection PROTOCOL_ERROR; a CONTINUATION flood (CVE-2024-27316) is cut at the limit with the
// buffered octets bounded. Table rows are fed whole, split at every byte and one byte at a time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FrameParser } from "../../src/http2/frame-parser.js";
import { H2Error } from "../../src/http2/h2-error.js";
import { frameTable, hex, type FrameRow } from "./frame-driver.js";

const OPEN = "000001 01 00 00000001 82"; // HEADERS on stream 1 without END_HEADERS
const C = "connection PROTOCOL_ERROR";
const CALM = "connection ENHANCE_YOUR_CALM";

function block(headerBlock: string, streamId = 1): Record<string, unknown> {
  return { type: "HEADERS", streamId, endStream: false, endHeaders: true, priority: null, headerBlock };
}

const sequencing: FrameRow[] = [
  { name: "DATA on the same stream inside a block", hex: `${OPEN} 000001 00 00 00000001 61`, error: C },
  { name: "HEADERS again inside a block", hex: `${OPEN} 000001 01 04 00000001 82`, error: C },
  { name: "HEADERS of another stream inside a block", hex: `${OPEN} 000001 01 04 00000003 82`, error: C },
  { name: "CONTINUATION of another stream", hex: `${OPEN} 000001 09 04 00000003 86`, error: C },
  { name: "PING inside a block", hex: `${OPEN} 000008 06 00 00000000 0102030405060708`, error: C },
  { name: "SETTINGS inside a block", hex: `${OPEN} 000000 04 00 00000000`, error: C },
  { name: "PRIORITY inside a block", hex: `${OPEN} 000005 02 00 00000001 00000000 0f`, error: C },
  { name: "WINDOW_UPDATE inside a block", hex: `${OPEN} 000004 08 00 00000000 00000001`, error: C },
  { name: "unknown frame type inside a block", hex: `${OPEN} 000000 fa 00 00000001`, error: C },
  { name: "CONTINUATION with nothing open", hex: "000001 09 04 00000001 86", error: C },
  { name: "CONTINUATION after a complete HEADERS", hex: "000001 01 04 00000001 82 000001 09 04 00000001 86", events: [block("82")], error: C },
  { name: "CONTINUATION after the block ended", hex: `${OPEN} 000001 09 04 00000001 86 000001 09 04 00000001 84`, events: [block("8286")], error: C },
  { name: "two blocks one after the other", hex: `${OPEN} 000001 09 04 00000001 86 000001 01 04 00000003 84`, events: [block("8286"), block("84", 3)] },
  {
    name: "PUSH_PROMISE + CONTINUATION joined, for a client",
    hex: "000005 05 00 00000001 00000002 82 000001 09 04 00000001 87",
    events: [{ type: "PUSH_PROMISE", streamId: 1, endHeaders: true, promisedStreamId: 2, headerBlock: "8287" }],
    options: { server: false },
  },
  { name: "PUSH_PROMISE then DATA, for a client", hex: "000005 05 00 00000001 00000002 82 000000 00 00 00000001", error: C, options: { server: false } },
];

const limits: FrameRow[] = [
  { name: "CONTINUATION count at the limit", hex: `${OPEN} 000000 09 00 00000001 000001 09 04 00000001 86`, events: [block("8286")], options: { maxContinuationFrames: 2 } },
  { name: "CONTINUATION count over the limit", hex: `${OPEN} 000000 09 00 00000001 000000 09 00 00000001 000001 09 04 00000001 86`, error: CALM, options: { maxContinuationFrames: 2 } },
  { name: "block octets at the limit", hex: "000002 01 00 00000001 8286 000002 09 04 00000001 8441", events: [block("82868441")], options: { maxHeaderBlockSize: 4 } },
  { name: "block octets over the limit in a CONTINUATION", hex: "000002 01 00 00000001 8286 000003 09 04 00000001 844184", error: CALM, options: { maxHeaderBlockSize: 4 } },
  { name: "one HEADERS frame over the block limit", hex: "000005 01 04 00000001 8286844184", error: CALM, options: { maxHeaderBlockSize: 4 } },
  { name: "padding does not count toward the block", hex: "000009 01 0c 00000001 04 82868441 00000000", events: [block("82868441")], options: { maxHeaderBlockSize: 4 } },
];

describe("field-block sequencing", () => frameTable(sequencing));
describe("field-block limits", () => frameTable(limits));

/** flood feeds HEADERS then `count` CONTINUATION frames of `size` octets, none ending the block. */
function flood(size: number, count: number, options: { maxHeaderBlockSize: number; maxContinuationFrames: number }) {
  const parser = new FrameParser({ onFrame: () => assert.fail("no block may complete"), onStreamError: () => assert.fail("no stream error") }, options);
  parser.execute(hex(OPEN));
  const continuation = Buffer.concat([hex(`${size.toString(16).padStart(6, "0")} 09 00 00000001`), Buffer.alloc(size, 0x82)]);
  let maxHeld = 0;
  for (let n = 1; n <= count; n++) {
    try {
      parser.execute(continuation);
    } catch (err) {
      assert.ok(err instanceof H2Error);
      return { cutAt: n, code: err.codeName, connection: err.isConnectionError, maxHeld };
    }
    maxHeld = Math.max(maxHeld, parser.headerBlockBytes);
  }
  return { cutAt: -1, code: null, connection: false, maxHeld };
}

describe("CONTINUATION flood (CVE-2024-27316)", () => {
  it("empty CONTINUATION frames are cut by the frame count", () => {
    const result = flood(0, 100_000, { maxHeaderBlockSize: 65536, maxContinuationFrames: 16 });
    assert.deepEqual(result, { cutAt: 17, code: "ENHANCE_YOUR_CALM", connection: true, maxHeld: 1 });
  });

  it("full CONTINUATION frames are cut by the block size before their payload is read", () => {
    const result = flood(16384, 100_000, { maxHeaderBlockSize: 65536, maxContinuationFrames: 1000 });
    // 1 + 3 * 16384 octets held; the fourth full frame would pass 65536
    assert.deepEqual(result, { cutAt: 4, code: "ENHANCE_YOUR_CALM", connection: true, maxHeld: 1 + 3 * 16384 });
  });

  it("with default options the held octets stay under maxHeaderBlockSize", () => {
    const result = flood(1000, 100_000, { maxHeaderBlockSize: 64 * 1024, maxContinuationFrames: 16 });
    assert.equal(result.code, "ENHANCE_YOUR_CALM");
    assert.ok(result.maxHeld <= 64 * 1024, `held ${result.maxHeld}`);
    assert.equal(result.cutAt, 17);
  });

  it("a cut parser stays spent", () => {
    const parser = new FrameParser({ onFrame: () => {}, onStreamError: () => {} }, { maxContinuationFrames: 0 });
    assert.throws(() => parser.execute(hex(`${OPEN} 000000 09 00 00000001`)), { codeName: "ENHANCE_YOUR_CALM" });
    assert.throws(() => parser.execute(hex("000000 04 01 00000000")), { codeName: "ENHANCE_YOUR_CALM" });
  });
});
