// Table-driven tests of the frame parser (RFC 9113 §4 and §6), frames written as hex
// ("length type flags stream-id payload"). Every row is fed whole, split in two at every byte and
// one byte at a time; all runs must yield the row's frames, stream errors and connection error.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FrameParser, type FrameParserOptions } from "../../src/http2/frame-parser.js";
import type { DataFrame, Frame } from "../../src/http2/frame-types.js";
import { frameTable, hex, type Event, type FrameRow } from "./frame-driver.js";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").toString("hex");
const PING = "000008 06 00 00000000 0102030405060708";
const pingEvent = { type: "PING", streamId: 0, ack: false, opaqueData: "0102030405060708" };

function data(streamId: number, bytes: string, flowLength: number, endStream = false): Event {
  return { type: "DATA", streamId, endStream, data: bytes, flowLength };
}

function headers(streamId: number, headerBlock: string, more: Partial<Event> = {}): Event {
  return { type: "HEADERS", streamId, endStream: false, endHeaders: true, priority: null, headerBlock, ...more };
}

function streamError(code: string, streamId: number): Event {
  return { streamError: code, streamId };
}

const valid: FrameRow[] = [
  { name: "DATA with END_STREAM", hex: "000002 00 01 00000001 6869", events: [data(1, "6869", 2, true)] },
  { name: "DATA padded: padding removed, flowLength counts it", hex: "000005 00 08 00000003 02 6869 0000", events: [data(3, "6869", 5)] },
  { name: "DATA padded with Pad Length 0", hex: "000001 00 08 00000001 00", events: [data(1, "", 1)] },
  { name: "DATA all padding", hex: "000003 00 08 00000001 02 0000", events: [data(1, "", 3)] },
  { name: "DATA empty", hex: "000000 00 01 00000001", events: [data(1, "", 0, true)] },
  { name: "DATA: undefined flags ignored", hex: "000001 00 f6 00000001 61", events: [data(1, "61", 1)] },
  { name: "DATA of exactly SETTINGS_MAX_FRAME_SIZE", hex: `004000 00 00 00000001 ${"ab".repeat(16384)}`, events: [data(1, "ab".repeat(16384), 16384)] },
  { name: "DATA above 16384 once maxFrameSize is raised", hex: `004001 00 00 00000001 ${"cd".repeat(16385)}`, events: [data(1, "cd".repeat(16385), 16385)], options: { maxFrameSize: 20000 } },
  { name: "HEADERS with END_STREAM and END_HEADERS", hex: "000003 01 05 00000001 828684", events: [headers(1, "828684", { endStream: true })] },
  {
    name: "HEADERS padded with priority",
    hex: "000008 01 2c 00000005 01 80000003 0f 82 00",
    events: [headers(5, "82", { priority: { exclusive: true, dependency: 3, weight: 16 } })],
  },
  { name: "HEADERS: the reserved stream id bit is ignored", hex: "000001 01 04 80000001 82", events: [headers(1, "82")] },
  { name: "HEADERS with an empty block", hex: "000000 01 04 00000001", events: [headers(1, "")] },
  {
    name: "HEADERS + CONTINUATION + CONTINUATION joined",
    hex: "000001 01 01 00000001 82 000001 09 00 00000001 86 000002 09 04 00000001 8441",
    events: [headers(1, "82868441", { endStream: true })],
  },
  { name: "HEADERS + empty CONTINUATION", hex: "000001 01 00 00000003 82 000000 09 04 00000003", events: [headers(3, "82")] },
  { name: "PRIORITY", hex: "000005 02 00 00000003 00000001 ff", events: [{ type: "PRIORITY", streamId: 3, priority: { exclusive: false, dependency: 1, weight: 256 } }] },
  { name: "RST_STREAM", hex: "000004 03 00 00000001 00000008", events: [{ type: "RST_STREAM", streamId: 1, errorCode: 8 }] },
  {
    name: "SETTINGS with two entries",
    hex: "00000c 04 00 00000000 0003 00000064 0004 0000ffff",
    events: [{ type: "SETTINGS", streamId: 0, ack: false, settings: [{ id: 3, value: 100 }, { id: 4, value: 65535 }] }],
  },
  { name: "SETTINGS empty", hex: "000000 04 00 00000000", events: [{ type: "SETTINGS", streamId: 0, ack: false, settings: [] }] },
  { name: "SETTINGS ACK", hex: "000000 04 01 00000000", events: [{ type: "SETTINGS", streamId: 0, ack: true, settings: [] }] },
  { name: "SETTINGS unknown id passed on", hex: "000006 04 00 00000000 00ff ffffffff", events: [{ type: "SETTINGS", streamId: 0, ack: false, settings: [{ id: 255, value: 4294967295 }] }] },
  { name: "PING", hex: PING, events: [pingEvent] },
  { name: "PING ACK", hex: "000008 06 01 00000000 0102030405060708", events: [{ ...pingEvent, ack: true }] },
  {
    name: "GOAWAY with debug data",
    hex: "00000a 07 00 00000000 00000005 00000002 6869",
    events: [{ type: "GOAWAY", streamId: 0, lastStreamId: 5, errorCode: 2, debugData: "6869" }],
  },
  {
    name: "GOAWAY: reserved bit of Last-Stream-ID ignored",
    hex: "000008 07 00 00000000 80000007 00000000",
    events: [{ type: "GOAWAY", streamId: 0, lastStreamId: 7, errorCode: 0, debugData: "" }],
  },
  { name: "WINDOW_UPDATE on the connection", hex: "000004 08 00 00000000 7fffffff", events: [{ type: "WINDOW_UPDATE", streamId: 0, windowSizeIncrement: 2147483647 }] },
  { name: "WINDOW_UPDATE: reserved bit ignored", hex: "000004 08 00 00000001 80000001", events: [{ type: "WINDOW_UPDATE", streamId: 1, windowSizeIncrement: 1 }] },
  { name: "unknown frame type ignored (§5.5)", hex: `000003 fa 00 00000001 616263 ${PING}`, events: [pingEvent] },
  { name: "empty unknown frame on stream 0 ignored", hex: `000000 0a ff 00000000 ${PING}`, events: [pingEvent] },
  { name: "frames back to back", hex: `${PING} 000000 04 01 00000000`, events: [pingEvent, { type: "SETTINGS", streamId: 0, ack: true, settings: [] }] },
  {
    name: "PUSH_PROMISE decoded for a client",
    hex: "000007 05 0c 00000001 01 00000002 82 00",
    events: [{ type: "PUSH_PROMISE", streamId: 1, endHeaders: true, promisedStreamId: 2, headerBlock: "82" }],
    options: { server: false },
  },
  {
    name: "preface then SETTINGS",
    hex: `${PREFACE} 000000 04 00 00000000 ${PING}`,
    events: [{ type: "SETTINGS", streamId: 0, ack: false, settings: [] }, pingEvent],
    options: { preface: true },
  },
];

const C = "connection PROTOCOL_ERROR";
const SIZE = "connection FRAME_SIZE_ERROR";

const invalid: FrameRow[] = [
  // §4.2
  { name: "frame above SETTINGS_MAX_FRAME_SIZE", hex: "004001 00 00 00000001", error: SIZE },
  { name: "unknown type above SETTINGS_MAX_FRAME_SIZE", hex: "ffffff fa 00 00000001", error: SIZE },
  // stream 0 rules of §6
  { name: "DATA on stream 0", hex: "000001 00 00 00000000 61", error: C },
  { name: "HEADERS on stream 0", hex: "000001 01 04 00000000 82", error: C },
  { name: "PRIORITY on stream 0", hex: "000005 02 00 00000000 00000001 0f", error: C },
  { name: "RST_STREAM on stream 0", hex: "000004 03 00 00000000 00000000", error: C },
  { name: "PUSH_PROMISE on stream 0", hex: "000005 05 04 00000000 00000002 82", error: C, options: { server: false } },
  { name: "CONTINUATION on stream 0", hex: "000001 09 04 00000000 82", error: C },
  { name: "SETTINGS on stream 1", hex: "000000 04 00 00000001", error: C },
  { name: "PING on stream 1", hex: "000008 06 00 00000001 0102030405060708", error: C },
  { name: "GOAWAY on stream 1", hex: "000008 07 00 00000001 00000000 00000000", error: C },
  // padding (§6.1, §6.2)
  { name: "DATA padding as long as the payload", hex: "000003 00 08 00000001 03 6161", error: C },
  { name: "DATA padding longer than the payload", hex: "000001 00 08 00000001 ff", error: C },
  { name: "DATA PADDED without a Pad Length", hex: "000000 00 08 00000001", error: SIZE },
  { name: "HEADERS padding beyond the payload", hex: "000003 01 0c 00000001 03 8282", error: C },
  { name: "HEADERS padding reaching into the priority fields", hex: "000007 01 2c 00000001 02 00000000 0f 82", error: C },
  { name: "HEADERS PRIORITY flag, too short for the fields", hex: "000004 01 24 00000001 00000000", error: SIZE },
  { name: "PUSH_PROMISE too short for the promised id", hex: "000003 05 04 00000001 000000", error: SIZE, options: { server: false } },
  // fixed lengths
  { name: "PRIORITY length 4 is a stream error; parsing goes on", hex: `000004 02 00 00000001 00000000 ${PING}`, events: [streamError("FRAME_SIZE_ERROR", 1), pingEvent] },
  { name: "PRIORITY length 6 is a stream error", hex: "000006 02 00 00000003 00000000 0f00", events: [streamError("FRAME_SIZE_ERROR", 3)] },
  { name: "RST_STREAM length 3", hex: "000003 03 00 00000001 000000", error: SIZE },
  { name: "RST_STREAM length 5", hex: "000005 03 00 00000001 0000000000", error: SIZE },
  { name: "SETTINGS ACK with a payload", hex: "000006 04 01 00000000 0003 00000064", error: SIZE },
  { name: "SETTINGS length not a multiple of 6", hex: "000005 04 00 00000000 0003 000000", error: SIZE },
  { name: "PING length 7", hex: "000007 06 00 00000000 01020304050607", error: SIZE },
  { name: "PING length 9", hex: "000009 06 00 00000000 010203040506070809", error: SIZE },
  { name: "WINDOW_UPDATE length 3", hex: "000003 08 00 00000000 000001", error: SIZE },
  { name: "WINDOW_UPDATE length 5 on a stream", hex: "000005 08 00 00000001 0000000100", error: SIZE },
  { name: "GOAWAY length 7", hex: "000007 07 00 00000000 00000000 000000", error: SIZE },
  // §6.9, §5.3.1
  { name: "WINDOW_UPDATE increment 0 on a stream", hex: `000004 08 00 00000001 00000000 ${PING}`, events: [streamError("PROTOCOL_ERROR", 1), pingEvent] },
  { name: "WINDOW_UPDATE increment 0 (reserved bit set) on the connection", hex: "000004 08 00 00000000 80000000", error: C },
  {
    name: "HEADERS depending on itself: stream error, block still delivered",
    hex: "000006 01 24 00000001 00000001 0f 82",
    events: [streamError("PROTOCOL_ERROR", 1), headers(1, "82", { priority: { exclusive: false, dependency: 1, weight: 16 } })],
  },
  { name: "PRIORITY depending on itself", hex: `000005 02 00 00000003 80000003 0f ${PING}`, events: [streamError("PROTOCOL_ERROR", 3), pingEvent] },
  // §8.4, §3.4
  { name: "PUSH_PROMISE from a client", hex: "000005 05 04 00000001 00000002 82", error: C },
  { name: "bad preface", hex: `${PREFACE.slice(0, -2)}0b 000000 04 00 00000000`, error: C, options: { preface: true } },
  { name: "HTTP/1.1 instead of the preface", hex: Buffer.from("GET / HTTP/1.1\r\n\r\n").toString("hex"), error: C, options: { preface: true } },
  { name: "preface then PING", hex: `${PREFACE} ${PING}`, error: C, options: { preface: true } },
  { name: "preface then SETTINGS ACK", hex: `${PREFACE} 000000 04 01 00000000`, error: C, options: { preface: true } },
  { name: "bytes after a connection error are not parsed", hex: `000001 00 00 00000000 61 ${PING}`, error: C },
];

describe("FrameParser: valid frames", () => frameTable(valid));
describe("FrameParser: invalid frames", () => frameTable(invalid));

describe("FrameParser API", () => {
  const collect = (options: Partial<FrameParserOptions> = {}) => {
    const frames: Frame[] = [];
    const parser = new FrameParser({ onFrame: (f) => frames.push(f), onStreamError: () => {} }, options);
    return { frames, parser };
  };

  it("a payload that came whole is a view into the input; a split one is a copy", () => {
    const { frames, parser } = collect();
    const input = hex("000002 00 00 00000001 6869 000002 00 00 00000001 6a6b");
    parser.execute(input.subarray(0, 21)); // the cut falls inside the second payload
    parser.execute(input.subarray(21));
    input.fill(0);
    const [whole, split] = frames as DataFrame[];
    assert.deepEqual([...whole.data], [0, 0], "the view sees the input change");
    assert.deepEqual([...split.data], [0x6a, 0x6b], "the copy does not");
  });

  it("maxFrameSize can be raised, within 16384..2^24-1", () => {
    assert.throws(() => collect().parser.execute(hex("004001 00 00 00000001")), { codeName: "FRAME_SIZE_ERROR" });
    const { frames, parser: next } = collect();
    next.maxFrameSize = 16_385;
    next.execute(hex(`004001 00 00 00000001 ${"00".repeat(16385)}`));
    assert.equal(frames.length, 1);
    assert.throws(() => (next.maxFrameSize = 16_383), RangeError);
    assert.throws(() => (next.maxFrameSize = 2 ** 24), RangeError);
    assert.throws(() => new FrameParser({ onFrame() {}, onStreamError() {} }, { maxFrameSize: 1 }), RangeError);
  });

  it("after a connection error the parser is spent and rethrows it", () => {
    const { parser } = collect();
    let first: unknown;
    assert.throws(() => parser.execute(hex("000001 00 00 00000000 61")), (e) => ((first = e), true));
    assert.throws(() => parser.execute(hex(PING)), (e) => e === first);
  });

  it("an exception from the handler propagates", () => {
    const parser = new FrameParser({ onFrame: () => { throw new TypeError("handler bug"); }, onStreamError() {} });
    assert.throws(() => parser.execute(hex(PING)), TypeError);
  });
});
