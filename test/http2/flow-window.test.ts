// Flow-control windows (RFC 9113 §5.2, §6.9): each row is a run of operations on one window, with
// what each returns (the window size, or the WINDOW_UPDATE increment) or the error it raises.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FlowWindow, ReceiveWindow } from "../../src/http2/flow-window.js";
import { H2Error } from "../../src/http2/h2-error.js";

const MAX = 2 ** 31 - 1;
/** an expected outcome: a number, or "stream CODE" / "connection CODE" for an H2Error, or "RangeError" */
type Expect = number | string;
type Step = [op: string, arg: number, expect: Expect];

interface Row {
  name: string;
  start: [size: number, streamId: number, initial?: number];
  steps: Step[];
}

function outcomeOf(run: () => number): Expect {
  try {
    return run();
  } catch (err) {
    if (err instanceof H2Error) return `${err.isConnectionError ? "connection" : "stream"} ${err.codeName}`;
    if (err instanceof RangeError) return "RangeError";
    throw err;
  }
}

function table(rows: Row[], make: (row: Row) => Record<string, (n: number) => number>): void {
  for (const row of rows) {
    it(row.name, () => {
      const ops = make(row);
      row.steps.forEach(([op, arg, expect], i) => assert.equal(outcomeOf(() => ops[op](arg)), expect, `step ${i}: ${op}(${arg})`));
    });
  }
}

// FlowWindow steps return the window size after the operation.
const sendRows: Row[] = [
  { name: "consume then credit", start: [65_535, 1], steps: [["consume", 65_535, 0], ["credit", 10, 10], ["consume", 10, 0]] },
  { name: "sending past the window is a bug", start: [10, 1], steps: [["consume", 11, "RangeError"], ["consume", 10, 0]] },
  { name: "credit up to 2^31-1", start: [MAX - 10, 1], steps: [["credit", 10, MAX]] },
  { name: "credit past 2^31-1 on a stream", start: [MAX - 10, 3], steps: [["credit", 11, "stream FLOW_CONTROL_ERROR"]] },
  { name: "credit past 2^31-1 on the connection", start: [MAX - 10, 0], steps: [["credit", 11, "connection FLOW_CONTROL_ERROR"]] },
  {
    name: "a SETTINGS shrink makes the window negative (§6.9.2)",
    start: [65_535, 1],
    steps: [["consume", 60_000, 5_535], ["adjust", -65_535, -60_000], ["consume", 1, "RangeError"], ["consume", 0, -60_000], ["credit", 59_999, -1], ["credit", 2, 1]],
  },
  { name: "a SETTINGS growth past 2^31-1 is a connection error, even on a stream", start: [65_535, 5], steps: [["adjust", MAX - 65_534, "connection FLOW_CONTROL_ERROR"]] },
  { name: "a SETTINGS growth to 2^31-1", start: [65_535, 5], steps: [["adjust", MAX - 65_535, MAX]] },
];

// ReceiveWindow steps return the WINDOW_UPDATE increment for consumed/setTarget, and `available` otherwise.
const receiveRows: Row[] = [
  {
    name: "WINDOW_UPDATE once half the window is consumed",
    start: [100, 1],
    steps: [["received", 60, 40], ["consumed", 40, 0], ["consumed", 10, 50], ["received", 90, 0], ["consumed", 49, 0], ["consumed", 1, 50], ["consumed", 50, 50]],
  },
  { name: "a peer past the stream window", start: [100, 1], steps: [["received", 100, 0], ["received", 1, "stream FLOW_CONTROL_ERROR"]] },
  { name: "a peer past the connection window", start: [100, 0], steps: [["received", 101, "connection FLOW_CONTROL_ERROR"]] },
  { name: "a reader that stops reading stops the peer", start: [100, 1], steps: [["received", 50, 50], ["received", 50, 0], ["consumed", 49, 0], ["received", 1, "stream FLOW_CONTROL_ERROR"]] },
  { name: "consuming more than received is a bug", start: [100, 1], steps: [["received", 10, 90], ["consumed", 11, "RangeError"]] },
  { name: "empty DATA fits a closed window", start: [0, 1], steps: [["received", 0, 0], ["received", 1, "stream FLOW_CONTROL_ERROR"]] },
  {
    name: "connection window raised past 65,535 by WINDOW_UPDATE at once",
    start: [65_535, 0],
    steps: [["setTarget", 1 << 20, (1 << 20) - 65_535], ["received", 1 << 20, 0], ["consumed", 1 << 19, 1 << 19]],
  },
  { name: "a smaller target sends nothing", start: [1000, 0], steps: [["setTarget", 10, 0], ["received", 1000, 0], ["consumed", 5, 5]] },
  { name: "a target above 2^31-1 is a bug", start: [1000, 0], steps: [["setTarget", MAX + 1, "RangeError"]] },
  { name: "target larger than the peer's initial window", start: [1000, 1, 100], steps: [["received", 101, "stream FLOW_CONTROL_ERROR"]] },
  {
    name: "our INITIAL_WINDOW_SIZE lowered after ACK can leave it negative",
    start: [100, 1],
    steps: [["received", 80, 20], ["adjust", -50, -30], ["received", 0, -30], ["received", 1, "stream FLOW_CONTROL_ERROR"], ["consumed", 25, 25]],
  },
  { name: "increments never pass 2^31-1", start: [100, 0, MAX], steps: [["setTarget", 200, 0], ["received", 10, MAX - 10], ["consumed", 10, 10]] },
];

describe("FlowWindow (send)", () =>
  table(sendRows, ({ start: [size, id] }) => {
    const w = new FlowWindow(size, id);
    const then = (f: (n: number) => void) => (n: number) => (f(n), w.size);
    return { consume: then((n) => w.consume(n)), credit: then((n) => w.credit(n)), adjust: then((n) => w.adjust(n)) };
  }));

describe("ReceiveWindow", () =>
  table(receiveRows, ({ start: [size, id, initial] }) => {
    const w = new ReceiveWindow(size, id, initial);
    return {
      received: (n) => (w.received(n), w.available),
      adjust: (n) => (w.adjust(n), w.available),
      consumed: (n) => w.consumed(n),
      setTarget: (n) => w.setTarget(n),
    };
  }));
