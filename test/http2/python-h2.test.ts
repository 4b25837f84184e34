// Framing cross-checked with a real peer: Debian's python3-h2 (through /usr/bin/python3). h2's client
// writes a connection our parser must read; our writer's frames must satisfy h2's client and server.
// One python process per test, JSON lines over stdin/stdout; every wait is for a line, never a sleep.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { FrameParser } from "../../src/http2/frame-parser.js";
import { CLIENT_PREFACE, type Frame } from "../../src/http2/frame-types.js";
import * as write from "../../src/http2/frame-writer.js";
import { serverSettings, settingsList } from "../../src/http2/settings.js";
import { plain, type Event } from "./frame-driver.js";

const PYTHON = "/usr/bin/python3";
const hasH2 = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import h2, hpack"]).status === 0;

const COMMON = String.raw`
import json, os, sys
import h2.config, h2.connection, h2.events, hpack
def client():
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    c.initiate_connection()
    return c
def say(obj):
    print(json.dumps(obj), flush=True)
def hear():
    return json.loads(sys.stdin.readline())
REQUEST = [(":method", "POST"), (":scheme", "http"), (":authority", "a"), (":path", "/up")]
big = os.urandom(15000).hex()  # about 20 KB once Huffman-coded: more than one 16,384-octet frame
def row(c, e):
    out = {"event": type(e).__name__}
    if isinstance(e, h2.events.RemoteSettingsChanged):
        out["changed"] = {str(int(k)): v.new_value for k, v in e.changed_settings.items()}
    elif isinstance(e, (h2.events.RequestReceived, h2.events.ResponseReceived)):
        hs = dict(e.headers)
        out.update(stream=e.stream_id, status=hs.get(":status"), bigOk=hs["x-big"] == big, count=len(e.headers))
    elif isinstance(e, h2.events.DataReceived):
        out.update(stream=e.stream_id, data=e.data.decode(), flow=e.flow_controlled_length)
        c.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
    elif isinstance(e, (h2.events.StreamEnded, h2.events.WindowUpdated)):
        out.update(stream=e.stream_id, delta=getattr(e, "delta", None))
    elif isinstance(e, h2.events.StreamReset):
        out.update(stream=e.stream_id, code=int(e.error_code))
    elif isinstance(e, h2.events.PingReceived):
        out["ping"] = e.ping_data.hex()
    elif isinstance(e, h2.events.ConnectionTerminated):
        out.update(code=int(e.error_code), last=e.last_stream_id, debug=(e.additional_data or b"").decode())
    return out
def feed(c, msg):
    events = c.receive_data(bytes.fromhex(msg["hex"]))
    reply = c.data_to_send()  # taken before GOAWAY, which ends h2's sending
    events += c.receive_data(bytes.fromhex(msg["last"]))
    return {"events": [row(c, e) for e in events], "reply": reply.hex()}
`;

/** A client connection: preface, SETTINGS, large HEADERS (so CONTINUATION), padded DATA, and the rest. */
const CLIENT_WRITES = String.raw`
c = client()
c.send_headers(1, REQUEST + [("x-big", big)])
c.send_data(1, b"hello", pad_length=10)
c.increment_flow_control_window(500, stream_id=1)
c.send_data(1, b"", end_stream=True)
c.send_headers(3, REQUEST, priority_weight=32, priority_depends_on=1, priority_exclusive=True)
c.prioritize(3, weight=200, depends_on=0)
c.reset_stream(3, error_code=8)
c.ping(b"12345678")
c.increment_flow_control_window(1000)
c.close_connection(error_code=0, additional_data=b"done")
say({"hex": c.data_to_send().hex(), "big": big})
d = hpack.Decoder()
say([[list(h) for h in d.decode(bytes.fromhex(b))] for b in hear()["blocks"]])
`;

/** A client that sent a request and reads our server frames. */
const CLIENT_READS = String.raw`
c = client()
c.send_headers(1, REQUEST, end_stream=True)
c.data_to_send()
say({"block": hpack.Encoder().encode([(":status", "200"), ("content-type", "text/plain"), ("x-big", big)]).hex()})
say(feed(c, hear()))
`;

/** A server that reads our frames as a client's: the writer is not server-only. */
const SERVER_READS = String.raw`
c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
c.initiate_connection()
c.data_to_send()
say({"block": hpack.Encoder().encode(REQUEST + [("x-big", big)]).hex()})
say(feed(c, hear()))
`;

/** PythonPeer is one python process spoken to in JSON lines. */
class PythonPeer {
  #child: ChildProcessWithoutNullStreams;
  #lines: AsyncIterator<string>;
  #stderr = "";

  constructor(script: string) {
    this.#child = spawn(PYTHON, ["-c", COMMON + script]);
    this.#child.stderr.on("data", (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  async hear<T>(): Promise<T> {
    const { value, done } = await this.#lines.next();
    if (done === true) throw new Error(`python ended early: ${this.#stderr}`);
    return JSON.parse(value) as T;
  }

  say(value: unknown): void {
    this.#child.stdin.write(JSON.stringify(value) + "\n");
  }

  close(): void {
    this.#child.kill();
  }
}

function parseAll(chunks: Uint8Array[], preface: boolean): Frame[] {
  const frames: Frame[] = [];
  const parser = new FrameParser({ onFrame: (f) => frames.push(f), onStreamError: (e) => assert.fail(e.message) }, { preface });
  for (const chunk of chunks) parser.execute(chunk);
  return frames;
}

/** frameTypes walks the raw frame headers after the preface (no parser): the types on the wire. */
function frameTypes(wire: Buffer, from: number): number[] {
  const types: number[] = [];
  for (let at = from; at < wire.length; at += 9 + wire.readUIntBE(at, 3)) types.push(wire[at + 3]);
  return types;
}

function summary(frames: Frame[]): Event[] {
  return frames.map((f) => {
    const e = plain(f);
    if (e.type === "HEADERS") e.headerBlock = `${(e.headerBlock as string).length / 2} octets`;
    if (e.type === "SETTINGS") e.settings = "…";
    return e;
  });
}

describe("python3-h2 as the peer", { skip: !hasH2 && "no /usr/bin/python3 with h2" }, () => {
  it("our parser reads h2's client connection, CONTINUATION and padding included", { timeout: 30_000 }, async () => {
    const py = new PythonPeer(CLIENT_WRITES);
    try {
      const { hex, big } = await py.hear<{ hex: string; big: string }>();
      const wire = Buffer.from(hex, "hex");
      assert.ok(frameTypes(wire, 24).includes(9), "h2 split the large block into CONTINUATION");
      const frames = parseAll([wire], true);
      const bytewise = parseAll(Array.from(wire, (_, i) => wire.subarray(i, i + 1)), true);
      const cut = parseAll([wire.subarray(0, 7), wire.subarray(7, 16_400), wire.subarray(16_400)], true);
      assert.deepEqual(summary(bytewise), summary(frames));
      assert.deepEqual(summary(cut), summary(frames));
      const blockLength = frames[1].type === 1 ? frames[1].headerBlock.length : 0;
      assert.ok(blockLength > 16_384, `block of ${blockLength}`);
      assert.deepEqual(summary(frames), [
        { type: "SETTINGS", streamId: 0, ack: false, settings: "…" },
        { type: "HEADERS", streamId: 1, endStream: false, endHeaders: true, priority: null, headerBlock: `${blockLength} octets` },
        { type: "DATA", streamId: 1, endStream: false, data: Buffer.from("hello").toString("hex"), flowLength: 16 },
        { type: "WINDOW_UPDATE", streamId: 1, windowSizeIncrement: 500 },
        { type: "DATA", streamId: 1, endStream: true, data: "", flowLength: 0 },
        { type: "HEADERS", streamId: 3, endStream: false, endHeaders: true, priority: { exclusive: true, dependency: 1, weight: 32 }, headerBlock: summary([frames[5]])[0].headerBlock },
        { type: "PRIORITY", streamId: 3, priority: { exclusive: false, dependency: 0, weight: 200 } },
        { type: "RST_STREAM", streamId: 3, errorCode: 8 },
        { type: "PING", streamId: 0, ack: false, opaqueData: Buffer.from("12345678").toString("hex") },
        { type: "WINDOW_UPDATE", streamId: 0, windowSizeIncrement: 1000 },
        { type: "GOAWAY", streamId: 0, lastStreamId: 0, errorCode: 0, debugData: Buffer.from("done").toString("hex") },
      ]);
      // the joined blocks decode with h2's own HPACK, in order
      const blocks = frames.filter((f) => f.type === 1).map((f) => Buffer.from(f.type === 1 ? f.headerBlock : []).toString("hex"));
      py.say({ blocks });
      const decoded = await py.hear<[string, string][][]>();
      assert.equal(decoded.length, 2);
      assert.deepEqual(decoded[0].at(-1), ["x-big", big]);
      assert.deepEqual(decoded[1], [[":method", "POST"], [":scheme", "http"], [":authority", "a"], [":path", "/up"]]);
    } finally {
      py.close();
    }
  });

  it("h2's client accepts our server frames: SETTINGS, split HEADERS, DATA, PING, WINDOW_UPDATE, GOAWAY", { timeout: 30_000 }, async () => {
    const py = new PythonPeer(CLIENT_READS);
    try {
      const { block } = await py.hear<{ block: string }>();
      const headerBlock = Buffer.from(block, "hex");
      assert.ok(headerBlock.length > 16_384);
      const hello = Buffer.from("hello");
      const server = Buffer.concat([
        write.settingsFrame(settingsList(serverSettings)),
        write.SETTINGS_ACK,
        write.headersFrames(1, headerBlock, false, 16_384),
        write.dataFrameHeader(1, hello.length, false),
        hello,
        write.dataFrame(1, Buffer.from("world"), true),
        write.pingFrame(Buffer.from("abcdefgh")),
        write.windowUpdateFrame(0, 1000),
      ]);
      py.say({ hex: server.toString("hex"), last: write.goawayFrame(1, 0, Buffer.from("bye")).toString("hex") });
      const { events, reply } = await py.hear<{ events: Record<string, unknown>[]; reply: string }>();
      assert.deepEqual(events, [
        { event: "RemoteSettingsChanged", changed: { "2": 0, "3": 100, "4": 262144, "6": 32768 } },
        { event: "SettingsAcknowledged" },
        { event: "ResponseReceived", stream: 1, status: "200", bigOk: true, count: 3 },
        { event: "DataReceived", stream: 1, data: "hello", flow: 5 },
        { event: "DataReceived", stream: 1, data: "world", flow: 5 },
        { event: "StreamEnded", stream: 1, delta: null },
        { event: "PingReceived", ping: Buffer.from("abcdefgh").toString("hex") },
        { event: "WindowUpdated", stream: 0, delta: 1000 },
        { event: "ConnectionTerminated", code: 0, last: 1, debug: "bye" },
      ]);
      // and h2's answer (SETTINGS ACK, PING ACK, ...) parses back
      const answer = summary(parseAll([Buffer.from(reply, "hex")], false));
      assert.ok(answer.some((f) => f.type === "SETTINGS" && f.ack === true), "SETTINGS ACK");
      assert.ok(answer.some((f) => f.type === "PING" && f.ack === true && f.opaqueData === Buffer.from("abcdefgh").toString("hex")), "PING ACK");
    } finally {
      py.close();
    }
  });

  it("h2's server accepts our frames as a client's: preface, split HEADERS, DATA, RST_STREAM", { timeout: 30_000 }, async () => {
    const py = new PythonPeer(SERVER_READS);
    try {
      const { block } = await py.hear<{ block: string }>();
      const client = Buffer.concat([
        CLIENT_PREFACE,
        write.settingsFrame([]),
        write.SETTINGS_ACK,
        write.headersFrames(1, Buffer.from(block, "hex"), false, 16_384),
        write.dataFrame(1, Buffer.from("hi"), false),
        write.windowUpdateFrame(1, 100),
        write.pingFrame(Buffer.from("01234567")),
        write.dataFrame(1, Buffer.from("there"), true),
        write.rstStreamFrame(1, 8),
      ]);
      py.say({ hex: client.toString("hex"), last: write.goawayFrame(0, 0).toString("hex") });
      const { events, reply } = await py.hear<{ events: Record<string, unknown>[]; reply: string }>();
      assert.deepEqual(events, [
        { event: "RemoteSettingsChanged", changed: {} },
        { event: "SettingsAcknowledged" },
        { event: "RequestReceived", stream: 1, status: null, bigOk: true, count: 5 },
        { event: "DataReceived", stream: 1, data: "hi", flow: 2 },
        { event: "WindowUpdated", stream: 1, delta: 100 },
        { event: "PingReceived", ping: Buffer.from("01234567").toString("hex") },
        { event: "DataReceived", stream: 1, data: "there", flow: 5 },
        { event: "StreamEnded", stream: 1, delta: null },
        { event: "StreamReset", stream: 1, code: 8 },
        { event: "ConnectionTerminated", code: 0, last: 0, debug: "" },
      ]);
      assert.ok(parseAll([Buffer.from(reply, "hex")], false).length > 0);
    } finally {
      py.close();
    }
  });
});
