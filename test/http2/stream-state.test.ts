// The stream state machine (RFC 9113 §5.1), every state × every event, written out here again as
// the spec rather than read from the source table; and stream id bookkeeping (§5.1.1, §5.1.2).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { H2Error } from "../../src/http2/h2-error.js";
import { StreamIds } from "../../src/http2/stream-ids.js";
import { isActive, transition, type StreamEvent, type StreamState } from "../../src/http2/stream-state.js";

const EVENTS: StreamEvent[] = [
  "recvHeaders", "recvHeadersEnd", "recvData", "recvDataEnd", "recvPriority", "recvWindowUpdate", "recvRstStream",
  "sendHeaders", "sendHeadersEnd", "sendData", "sendDataEnd", "sendRstStream",
];

const CONN = "connection PROTOCOL_ERROR";
const SC = "stream STREAM_CLOSED";
const MAL = "stream PROTOCOL_ERROR";
const IGN = "ignore";
const BUG = "bug";

/** One row per state, one column per event in EVENTS' order: the next state, "ignore", an error, or "bug". */
const EXPECTED: Record<StreamState, string[]> = {
  // recv: HEADERS, HEADERS+END_STREAM, DATA, DATA+END_STREAM, PRIORITY, WINDOW_UPDATE, RST_STREAM
  // send: HEADERS, HEADERS+END_STREAM, DATA, DATA+END_STREAM, RST_STREAM
  idle: ["open", "halfClosedRemote", CONN, CONN, "idle", CONN, CONN,
    BUG, BUG, BUG, BUG, BUG],
  open: [MAL, "halfClosedRemote", "open", "halfClosedRemote", "open", "open", "closed",
    "open", "halfClosedLocal", "open", "halfClosedLocal", "resetSent"],
  halfClosedLocal: [MAL, "closed", "halfClosedLocal", "closed", "halfClosedLocal", "halfClosedLocal", "closed",
    BUG, BUG, BUG, BUG, "resetSent"],
  halfClosedRemote: [SC, SC, SC, SC, "halfClosedRemote", "halfClosedRemote", "closed",
    "halfClosedRemote", "closed", "halfClosedRemote", "closed", "resetSent"],
  closed: [SC, SC, SC, SC, "closed", IGN, IGN,
    BUG, BUG, BUG, BUG, "resetSent"],
  resetSent: [IGN, IGN, IGN, IGN, IGN, IGN, IGN,
    BUG, BUG, BUG, BUG, BUG],
};

function outcome(state: StreamState, event: StreamEvent): string {
  try {
    const t = transition(state, event, 7);
    return t.ignore ? (assert.equal(t.state, state), IGN) : t.state;
  } catch (err) {
    if (err instanceof H2Error) {
      assert.equal(err.streamId, err.isConnectionError ? 0 : 7);
      return `${err.isConnectionError ? "connection" : "stream"} ${err.codeName}`;
    }
    assert.match((err as Error).message, /^bug:/);
    return BUG;
  }
}

describe("stream state transitions", () => {
  for (const [state, row] of Object.entries(EXPECTED) as [StreamState, string[]][]) {
    for (const [i, event] of EVENTS.entries()) {
      it(`${state} × ${event} → ${row[i]}`, () => assert.equal(outcome(state, event), row[i]));
    }
  }

  it("returns shared objects: no allocation per frame", () => {
    assert.equal(transition("open", "recvData", 1), transition("open", "recvData", 3));
  });

  it("a request's life: HEADERS, DATA+END_STREAM in; HEADERS, DATA+END_STREAM out", () => {
    let state: StreamState = "idle";
    for (const event of ["recvHeaders", "recvData", "recvDataEnd", "sendHeaders", "sendData", "sendDataEnd"] as StreamEvent[]) {
      state = transition(state, event, 1).state;
    }
    assert.equal(state, "closed");
  });

  it("active states count toward MAX_CONCURRENT_STREAMS", () => {
    assert.deepEqual(Object.keys(EXPECTED).filter((s) => isActive(s as StreamState)), ["open", "halfClosedLocal", "halfClosedRemote"]);
  });
});

function fault(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (err) {
    assert.ok(err instanceof H2Error);
    return `${err.isConnectionError ? "connection" : "stream"} ${err.codeName}`;
  }
}

describe("StreamIds", () => {
  it("accepts odd, increasing ids, skipping allowed", () => {
    const ids = new StreamIds();
    for (const id of [1, 3, 9, 2 ** 31 - 1]) assert.equal(fault(() => ids.open(id)), null);
    assert.equal(ids.highest, 2 ** 31 - 1);
    assert.equal(ids.active, 4);
  });

  for (const [name, first, next, expect] of [
    ["an even id", 1, 4, CONN],
    ["a reused id", 5, 5, CONN],
    ["a lower id", 5, 3, CONN],
    ["id 0", 1, 0, CONN],
  ] as const) {
    it(`refuses ${name}`, () => {
      const ids = new StreamIds();
      ids.open(first);
      assert.equal(fault(() => ids.open(next)), expect);
      assert.equal(ids.highest, first);
    });
  }

  it("skipped ids are no longer idle", () => {
    const ids = new StreamIds();
    ids.open(7);
    assert.deepEqual([1, 5, 7, 9].map((id) => ids.isIdle(id)), [false, false, false, true]);
  });

  it("refuses a stream past MAX_CONCURRENT_STREAMS, uses its id, and accepts again after a release", () => {
    const ids = new StreamIds(2);
    ids.open(1);
    ids.open(3);
    assert.equal(fault(() => ids.open(5)), "stream REFUSED_STREAM");
    assert.equal(ids.highest, 5);
    assert.equal(ids.active, 2);
    assert.equal(fault(() => ids.open(5)), CONN);
    ids.release();
    assert.equal(fault(() => ids.open(7)), null);
    assert.equal(ids.active, 2);
  });

  it("MAX_CONCURRENT_STREAMS 0 refuses every stream", () => {
    assert.equal(fault(() => new StreamIds(0).open(1)), "stream REFUSED_STREAM");
  });

  it("release without an active stream is a bug", () => {
    assert.throws(() => new StreamIds().release(), RangeError);
  });
});
