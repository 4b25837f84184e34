// The frame writer (RFC 9113 §4.1, §6): exact octets for the constant frames, and every writer
// round-tripped through the parser (whole, split at every byte, one byte at a time).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Flag, FrameType } from "../../src/http2/frame-types.js";
import {
  PING_ACK_HEADER,
  SETTINGS_ACK,
  dataFrame,
  dataFrameHeader,
  frame,
  goawayFrame,
  headersFrames,
  pingFrame,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
} from "../../src/http2/frame-writer.js";
import type { FrameParserOptions } from "../../src/http2/frame-parser.js";
import { hex, parseFrames, splits, type Event } from "./frame-driver.js";

function roundTrip(bytes: Buffer, options: Partial<FrameParserOptions> = {}): Event[] {
  let first: Event[] | null = null;
  for (const [label, chunks] of splits(bytes)) {
    const outcome = parseFrames(chunks, options);
    assert.equal(outcome.error, null, `${label}: error`);
    first ??= outcome.events;
    assert.deepEqual(outcome.events, first, `${label}: same as whole`);
  }
  return first!;
}

const OPAQUE = hex("0102030405060708");

describe("frame writer: exact octets", () => {
  it("SETTINGS ACK", () => assert.equal(SETTINGS_ACK.toString("hex"), "000000040100000000"));
  it("PING ACK header", () => assert.equal(PING_ACK_HEADER.toString("hex"), "000008060100000000"));
  it("SETTINGS", () => assert.equal(settingsFrame([{ id: 3, value: 100 }]).toString("hex"), "000006040000000000000300000064"));
  it("RST_STREAM", () => assert.equal(rstStreamFrame(5, 8).toString("hex"), "00000403000000000500000008"));
  it("WINDOW_UPDATE", () => assert.equal(windowUpdateFrame(0, 0x7fffffff).toString("hex"), "0000040800000000007fffffff"));
  it("DATA header", () => assert.equal(dataFrameHeader(0x7fffffff, 0xabcdef, true).toString("hex"), "abcdef00017fffffff"));
  it("refuses a bad WINDOW_UPDATE increment or PING length", () => {
    assert.throws(() => windowUpdateFrame(1, 0), RangeError);
    assert.throws(() => windowUpdateFrame(1, 2 ** 31), RangeError);
    assert.throws(() => pingFrame(new Uint8Array(7)), RangeError);
  });
});

describe("frame writer: round trips through the parser", () => {
  it("SETTINGS and SETTINGS ACK", () => {
    const settings = [{ id: 1, value: 0 }, { id: 4, value: 2 ** 31 - 1 }, { id: 0xffff, value: 2 ** 32 - 1 }];
    assert.deepEqual(roundTrip(Buffer.concat([settingsFrame(settings), SETTINGS_ACK])), [
      { type: "SETTINGS", streamId: 0, ack: false, settings },
      { type: "SETTINGS", streamId: 0, ack: true, settings: [] },
    ]);
  });

  it("PING and its ACK", () => {
    const pings = roundTrip(Buffer.concat([pingFrame(OPAQUE), pingFrame(OPAQUE, true)]));
    assert.deepEqual(pings.map((p) => [p.ack, p.opaqueData]), [[false, "0102030405060708"], [true, "0102030405060708"]]);
  });

  it("GOAWAY with and without debug data", () => {
    assert.deepEqual(roundTrip(Buffer.concat([goawayFrame(7, 1, Buffer.from("bye")), goawayFrame(2 ** 31 - 1, 0)])), [
      { type: "GOAWAY", streamId: 0, lastStreamId: 7, errorCode: 1, debugData: "627965" },
      { type: "GOAWAY", streamId: 0, lastStreamId: 2 ** 31 - 1, errorCode: 0, debugData: "" },
    ]);
  });

  it("RST_STREAM and WINDOW_UPDATE", () => {
    assert.deepEqual(roundTrip(Buffer.concat([rstStreamFrame(3, 0xffffffff), windowUpdateFrame(3, 1)])), [
      { type: "RST_STREAM", streamId: 3, errorCode: 0xffffffff },
      { type: "WINDOW_UPDATE", streamId: 3, windowSizeIncrement: 1 },
    ]);
  });

  it("DATA: header before a payload, and whole", () => {
    const payload = Buffer.from("hello");
    const events = roundTrip(Buffer.concat([dataFrameHeader(1, payload.length, false), payload, dataFrame(1, payload, true), dataFrame(3, Buffer.alloc(0), true)]));
    assert.deepEqual(events, [
      { type: "DATA", streamId: 1, endStream: false, data: "68656c6c6f", flowLength: 5 },
      { type: "DATA", streamId: 1, endStream: true, data: "68656c6c6f", flowLength: 5 },
      { type: "DATA", streamId: 3, endStream: true, data: "", flowLength: 0 },
    ]);
  });

  for (const [size, maxFrameSize, frames] of [[0, 16384, 1], [1, 16384, 1], [100, 7, 15], [14, 7, 2], [16385, 16384, 2]] as const) {
    it(`HEADERS of ${size} octets at max frame size ${maxFrameSize}: ${frames} frame(s)`, () => {
      const block = Buffer.from(Array.from({ length: size }, (_, i) => i & 0xff));
      for (const endStream of [false, true]) {
        const wire = headersFrames(9, block, endStream, maxFrameSize);
        assert.equal(wire.length, frames * 9 + size);
        assert.equal(wire[3], FrameType.HEADERS);
        assert.equal(wire[4] & Flag.END_STREAM, endStream ? 1 : 0);
        if (frames > 1) assert.equal(wire[4] & Flag.END_HEADERS, 0);
        const events = size > 2000 ? parseFrames([wire]).events : roundTrip(wire);
        assert.deepEqual(events, [{ type: "HEADERS", streamId: 9, endStream, endHeaders: true, priority: null, headerBlock: block.toString("hex") }]);
      }
    });
  }

  it("frame(): PRIORITY, PUSH_PROMISE and an unknown type", () => {
    const wire = Buffer.concat([
      frame(FrameType.PRIORITY, 0, 5, hex("80000003 ff")),
      frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, hex("00000002 82")),
      frame(0xee, 0xff, 1, hex("abcdef")),
    ]);
    assert.deepEqual(roundTrip(wire, { server: false }), [
      { type: "PRIORITY", streamId: 5, priority: { exclusive: true, dependency: 3, weight: 256 } },
      { type: "PUSH_PROMISE", streamId: 1, endHeaders: true, promisedStreamId: 2, headerBlock: "82" },
    ]);
  });
});
