// SETTINGS validation and application (RFC 9113 §6.5.2, §6.9.2): a table of peer entries and the
// settings, deltas or connection error they give; and the list we send for our own settings.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SettingId } from "../../src/http2/frame-types.js";
import { H2Error } from "../../src/http2/h2-error.js";
import { applySettings, defaultSettings, serverSettings, settingsList, type Settings } from "../../src/http2/settings.js";

const { HEADER_TABLE_SIZE, ENABLE_PUSH, MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE, MAX_HEADER_LIST_SIZE } = SettingId;

interface Row {
  name: string;
  entries: [number, number][];
  settings?: Partial<Settings>;
  initialWindowDelta?: number;
  headerTableSize?: number | null;
  maxFrameSize?: number | null;
  /** error: "connection CODE" */
  error?: string;
}

const rows: Row[] = [
  { name: "empty SETTINGS changes nothing", entries: [], settings: {}, initialWindowDelta: 0, headerTableSize: null, maxFrameSize: null },
  { name: "HEADER_TABLE_SIZE for the encoder", entries: [[HEADER_TABLE_SIZE, 0]], settings: { headerTableSize: 0 }, headerTableSize: 0 },
  { name: "ENABLE_PUSH 0", entries: [[ENABLE_PUSH, 0]], settings: { enablePush: false } },
  { name: "ENABLE_PUSH 1", entries: [[ENABLE_PUSH, 1]], settings: { enablePush: true } },
  { name: "ENABLE_PUSH 2", entries: [[ENABLE_PUSH, 2]], error: "connection PROTOCOL_ERROR" },
  { name: "MAX_CONCURRENT_STREAMS 0 is allowed", entries: [[MAX_CONCURRENT_STREAMS, 0]], settings: { maxConcurrentStreams: 0 } },
  { name: "INITIAL_WINDOW_SIZE grows", entries: [[INITIAL_WINDOW_SIZE, 100_000]], settings: { initialWindowSize: 100_000 }, initialWindowDelta: 100_000 - 65_535 },
  { name: "INITIAL_WINDOW_SIZE shrinks to 0", entries: [[INITIAL_WINDOW_SIZE, 0]], settings: { initialWindowSize: 0 }, initialWindowDelta: -65_535 },
  { name: "INITIAL_WINDOW_SIZE 2^31-1", entries: [[INITIAL_WINDOW_SIZE, 2 ** 31 - 1]], settings: { initialWindowSize: 2 ** 31 - 1 } },
  { name: "INITIAL_WINDOW_SIZE 2^31", entries: [[INITIAL_WINDOW_SIZE, 2 ** 31]], error: "connection FLOW_CONTROL_ERROR" },
  { name: "INITIAL_WINDOW_SIZE twice: the last wins, one delta", entries: [[INITIAL_WINDOW_SIZE, 1], [INITIAL_WINDOW_SIZE, 65_545]], initialWindowDelta: 10 },
  { name: "MAX_FRAME_SIZE 16384", entries: [[MAX_FRAME_SIZE, 16_384]], maxFrameSize: 16_384 },
  { name: "MAX_FRAME_SIZE 2^24-1", entries: [[MAX_FRAME_SIZE, 16_777_215]], settings: { maxFrameSize: 16_777_215 }, maxFrameSize: 16_777_215 },
  { name: "MAX_FRAME_SIZE 16383", entries: [[MAX_FRAME_SIZE, 16_383]], error: "connection PROTOCOL_ERROR" },
  { name: "MAX_FRAME_SIZE 2^24", entries: [[MAX_FRAME_SIZE, 16_777_216]], error: "connection PROTOCOL_ERROR" },
  { name: "MAX_HEADER_LIST_SIZE", entries: [[MAX_HEADER_LIST_SIZE, 8192]], settings: { maxHeaderListSize: 8192 } },
  { name: "unknown ids ignored", entries: [[0, 5], [7, 1], [0xffff, 2 ** 32 - 1]], settings: {}, initialWindowDelta: 0 },
  { name: "an error after good entries still fails the frame", entries: [[HEADER_TABLE_SIZE, 1], [ENABLE_PUSH, 7]], error: "connection PROTOCOL_ERROR" },
];

describe("applySettings", () => {
  for (const row of rows) {
    it(row.name, () => {
      const entries = row.entries.map(([id, value]) => ({ id, value }));
      if (row.error !== undefined) {
        assert.throws(
          () => applySettings(defaultSettings, entries),
          (err: unknown) => err instanceof H2Error && `${err.isConnectionError ? "connection" : "stream"} ${err.codeName}` === row.error,
        );
        return;
      }
      const update = applySettings(defaultSettings, entries);
      if (row.settings !== undefined) assert.deepEqual(update.settings, { ...defaultSettings, ...row.settings });
      if (row.initialWindowDelta !== undefined) assert.equal(update.initialWindowDelta, row.initialWindowDelta);
      if (row.headerTableSize !== undefined) assert.equal(update.headerTableSize, row.headerTableSize);
      if (row.maxFrameSize !== undefined) assert.equal(update.maxFrameSize, row.maxFrameSize);
    });
  }

  it("leaves the current settings unchanged", () => {
    const current = { ...defaultSettings };
    applySettings(current, [{ id: INITIAL_WINDOW_SIZE, value: 1 }]);
    assert.deepEqual(current, defaultSettings);
  });

  it("deltas are against the current settings, not the defaults", () => {
    const first = applySettings(defaultSettings, [{ id: INITIAL_WINDOW_SIZE, value: 1000 }]);
    assert.equal(applySettings(first.settings, [{ id: INITIAL_WINDOW_SIZE, value: 400 }]).initialWindowDelta, -600);
  });
});

describe("settingsList", () => {
  it("lists what differs from the RFC's initial values, never Infinity", () => {
    assert.deepEqual(settingsList(serverSettings), [
      { id: ENABLE_PUSH, value: 0 },
      { id: MAX_CONCURRENT_STREAMS, value: 100 },
      { id: INITIAL_WINDOW_SIZE, value: 256 * 1024 },
      { id: MAX_HEADER_LIST_SIZE, value: 32 * 1024 },
    ]);
    assert.deepEqual(settingsList(defaultSettings), []);
  });

  it("applied back, gives the same settings", () => {
    assert.deepEqual(applySettings(defaultSettings, settingsList(serverSettings)).settings, serverSettings);
  });
});
