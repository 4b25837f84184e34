// A test driver for FrameParser: feeds chunks, records every frame (byte fields as hex, types by
// name) and stream error, and the connection error that stopped it, so split runs can be compared.
import assert from "node:assert/strict";
import { it } from "node:test";
import { FrameParser, type FrameParserOptions } from "../../src/http2/frame-parser.js";
import { FrameType, type Frame } from "../../src/http2/frame-types.js";
import { H2Error } from "../../src/http2/h2-error.js";
import { splits } from "../http/parse-driver.js";

export { splits };


/** Event is one frame as plain data, or `{ streamError: "CODE", streamId }`. */
export type Event = Record<string, unknown>;

export interface FrameOutcome {
  events: Event[];
  /** error is "connection CODE" for the connection error that stopped the parse, or null. */
  error: string | null;
}

const TYPE_NAME = Object.fromEntries(Object.entries(FrameType).map(([name, code]) => [code, name]));

/** plain turns a frame into comparable data: type by name, Uint8Array fields as hex. */
export function plain(frame: Frame): Event {
  const out: Event = {};
  for (const [key, value] of Object.entries(frame)) {
    if (key === "type") out[key] = TYPE_NAME[value as number];
    else out[key] = value instanceof Uint8Array ? Buffer.from(value).toString("hex") : value;
  }
  return out;
}

/** hex turns "00 01 ab" (spaces allowed) into bytes. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

/** parseFrames runs a fresh parser over the chunks in order. */
export function parseFrames(chunks: Buffer[], options: Partial<FrameParserOptions> = {}): FrameOutcome {
  const events: Event[] = [];
  const parser = new FrameParser(
    {
      onFrame: (frame) => events.push(plain(frame)),
      onStreamError: (e) => events.push({ streamError: e.codeName, streamId: e.streamId }),
    },
    options,
  );
  try {
    for (const chunk of chunks) parser.execute(chunk);
  } catch (err) {
    if (!(err instanceof H2Error)) throw err;
    return { events, error: `${err.isConnectionError ? "connection" : "stream"} ${err.codeName}` };
  }
  return { events, error: null };
}

/** FrameRow is one table row: hex input, the events it yields, and the connection error, if any. */
export interface FrameRow {
  name: string;
  hex: string;
  events?: Event[];
  /** error: "connection CODE" expected to stop the parse. */
  error?: string;
  options?: Partial<FrameParserOptions>;
}

/** frameTable makes one test per row: fed whole, split at every byte and one byte at a time, every run must match the row. */
export function frameTable(rows: FrameRow[]): void {
  for (const row of rows) {
    it(row.name, () => {
      for (const [label, chunks] of splits(hex(row.hex))) {
        const outcome = parseFrames(chunks, row.options);
        assert.equal(outcome.error, row.error ?? null, `${label}: error`);
        assert.deepEqual(outcome.events, row.events ?? [], `${label}: events`);
      }
    });
  }
}
