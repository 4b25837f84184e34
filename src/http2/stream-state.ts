// The stream state machine of RFC 9113 §5.1, seen from a server that never pushes (no reserved
// states): one table of state × event, and a pure transition() that reads it.
import { connectionError, streamError, type ErrorCodeName } from "./h2-error.js";

/**
 * StreamState is a stream's state (§5.1). "resetSent" is "closed" entered by sending RST_STREAM:
 * the peer may not have seen it yet, so every frame is ignored (§5.1: "MUST ignore frames that it
 * receives on closed streams after it has sent a RST_STREAM frame"). The connection decides how
 * long to remember it; a forgotten stream counts as "closed".
 */
export type StreamState = "idle" | "open" | "halfClosedLocal" | "halfClosedRemote" | "closed" | "resetSent";

/** StreamEvent is a frame received ("recv…") or sent ("send…"); "…End" carries END_STREAM. */
export type StreamEvent =
  | "recvHeaders"
  | "recvHeadersEnd"
  | "recvData"
  | "recvDataEnd"
  | "recvPriority"
  | "recvWindowUpdate"
  | "recvRstStream"
  | "sendHeaders"
  | "sendHeadersEnd"
  | "sendData"
  | "sendDataEnd"
  | "sendRstStream";

/** Transition is where an event leads; `ignore` means the frame is to be dropped (the state stays). */
export interface Transition {
  readonly state: StreamState;
  readonly ignore: boolean;
}

/**
 * An outcome in the table: a next state; "ignore"; "stream:CODE" or "connection:CODE", the error
 * to raise; "bug", an event this endpoint must never produce (sending in a state that forbids it).
 */
type Outcome = StreamState | "ignore" | `stream:${ErrorCodeName}` | `connection:${ErrorCodeName}` | "bug";

type Row = Record<StreamEvent, Outcome>;

const CLOSED_RECV = "stream:STREAM_CLOSED" as const;
// §5.1 idle: "Receiving any frame other than HEADERS or PRIORITY ... connection error ... PROTOCOL_ERROR"
const IDLE_RECV = "connection:PROTOCOL_ERROR" as const;
// §8.1: a HEADERS after the request's first one is a trailer section and MUST carry END_STREAM
const MALFORMED = "stream:PROTOCOL_ERROR" as const;

/** STREAM_TABLE is §5.1's diagram for a server, every state × every event. */
export const STREAM_TABLE: Readonly<Record<StreamState, Readonly<Row>>> = Object.freeze({
  idle: {
    recvHeaders: "open", recvHeadersEnd: "halfClosedRemote", recvData: IDLE_RECV, recvDataEnd: IDLE_RECV,
    recvPriority: "idle", recvWindowUpdate: IDLE_RECV, recvRstStream: IDLE_RECV,
    sendHeaders: "bug", sendHeadersEnd: "bug", sendData: "bug", sendDataEnd: "bug", sendRstStream: "bug",
  },
  open: {
    recvHeaders: MALFORMED, recvHeadersEnd: "halfClosedRemote", recvData: "open", recvDataEnd: "halfClosedRemote",
    recvPriority: "open", recvWindowUpdate: "open", recvRstStream: "closed",
    sendHeaders: "open", sendHeadersEnd: "halfClosedLocal", sendData: "open", sendDataEnd: "halfClosedLocal", sendRstStream: "resetSent",
  },
  halfClosedLocal: {
    recvHeaders: MALFORMED, recvHeadersEnd: "closed", recvData: "halfClosedLocal", recvDataEnd: "closed",
    recvPriority: "halfClosedLocal", recvWindowUpdate: "halfClosedLocal", recvRstStream: "closed",
    sendHeaders: "bug", sendHeadersEnd: "bug", sendData: "bug", sendDataEnd: "bug", sendRstStream: "resetSent",
  },
  // §5.1 half-closed (remote): "frames, other than WINDOW_UPDATE, PRIORITY, or RST_STREAM ... STREAM_CLOSED"
  halfClosedRemote: {
    recvHeaders: CLOSED_RECV, recvHeadersEnd: CLOSED_RECV, recvData: CLOSED_RECV, recvDataEnd: CLOSED_RECV,
    recvPriority: "halfClosedRemote", recvWindowUpdate: "halfClosedRemote", recvRstStream: "closed",
    sendHeaders: "halfClosedRemote", sendHeadersEnd: "closed", sendData: "halfClosedRemote", sendDataEnd: "closed", sendRstStream: "resetSent",
  },
  // §5.1 closed: WINDOW_UPDATE and RST_STREAM may still arrive after our END_STREAM; DATA gets
  // STREAM_CLOSED (§6.1), as a stream error rather than the connection error the RFC also allows.
  closed: {
    recvHeaders: CLOSED_RECV, recvHeadersEnd: CLOSED_RECV, recvData: CLOSED_RECV, recvDataEnd: CLOSED_RECV,
    recvPriority: "closed", recvWindowUpdate: "ignore", recvRstStream: "ignore",
    sendHeaders: "bug", sendHeadersEnd: "bug", sendData: "bug", sendDataEnd: "bug", sendRstStream: "resetSent",
  },
  resetSent: {
    recvHeaders: "ignore", recvHeadersEnd: "ignore", recvData: "ignore", recvDataEnd: "ignore",
    recvPriority: "ignore", recvWindowUpdate: "ignore", recvRstStream: "ignore",
    sendHeaders: "bug", sendHeadersEnd: "bug", sendData: "bug", sendDataEnd: "bug", sendRstStream: "bug",
  },
});

const STATES: readonly StreamState[] = ["idle", "open", "halfClosedLocal", "halfClosedRemote", "closed", "resetSent"];
const ENTER = Object.fromEntries(STATES.map((s) => [s, Object.freeze({ state: s, ignore: false })])) as Record<StreamState, Transition>;
const STAY = Object.fromEntries(STATES.map((s) => [s, Object.freeze({ state: s, ignore: true })])) as Record<StreamState, Transition>;

/**
 * transition returns where `event` takes a stream in `state` (a shared frozen object: no
 * allocation). It throws the H2Error the RFC names for a frame the state forbids, and a plain
 * Error for an event this server must never send. A "resetSent" ignore still leaves DATA to be
 * counted against the connection's flow-control window (§6.9); HEADERS still go through HPACK.
 * After a stream error, the caller sends RST_STREAM (sendRstStream).
 */
export function transition(state: StreamState, event: StreamEvent, streamId: number): Transition {
  const outcome = STREAM_TABLE[state][event];
  if (outcome === "ignore") return STAY[state];
  if (outcome === "bug") throw new Error(`bug: ${event} on a stream in state ${state}`);
  const colon = outcome.indexOf(":");
  if (colon === -1) return ENTER[outcome as StreamState];
  const code = outcome.slice(colon + 1) as ErrorCodeName;
  const message = `${event} on stream ${streamId} in state ${state}`;
  throw outcome.startsWith("stream") ? streamError(code, message, streamId) : connectionError(code, message);
}

/** isActive tells whether a stream in `state` counts toward SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2). */
export function isActive(state: StreamState): boolean {
  return state === "open" || state === "halfClosedLocal" || state === "halfClosedRemote";
}
