// Http2Connection over an in-memory duplex pair, driven by a raw peer (our frame writer and
// HPACK encoder): the exchange it presents, §8 message checks, flow control both ways, limits and
// resets. Timeouts and stopping are in connection-timeouts.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Exchange, OutgoingResponse } from "../../src/http/exchange.js";
import { resolveLimits } from "../../src/http/limits.js";
import type { ProtocolError } from "../../src/http/protocol-error.js";
import { frame } from "../../src/http2/frame-writer.js";
import { ErrorCode } from "../../src/http2/h2-error.js";
import { FrameType, SettingId, type WindowUpdateFrame } from "../../src/http2/frame-types.js";
import { header } from "../support/h2-peer.js";
import { harness, hello, never, readAll, settingsOf, text } from "./connection-harness.js";

describe("Http2Connection: the exchange", () => {
  it("sends its SETTINGS and a connection WINDOW_UPDATE first, and ACKs the peer's", async () => {
    const h = harness(hello, { maxConcurrentStreams: 7, initialStreamWindow: 1000, hpackTableSize: 2048, initialConnectionWindow: 1 << 20 });
    await h.peer.until(() => h.peer.frames.some((f) => f.type === FrameType.SETTINGS && f.ack), 2000, "SETTINGS ACK");
    assert.equal(h.peer.frames[0].type, FrameType.SETTINGS);
    const s = settingsOf(h.peer);
    assert.equal(s.get(SettingId.MAX_CONCURRENT_STREAMS), 7);
    assert.equal(s.get(SettingId.INITIAL_WINDOW_SIZE), 1000);
    assert.equal(s.get(SettingId.HEADER_TABLE_SIZE), 2048);
    assert.equal(s.get(SettingId.ENABLE_PUSH), 0);
    const wu = h.peer.frames.find((f): f is WindowUpdateFrame => f.type === FrameType.WINDOW_UPDATE)!;
    assert.deepEqual([wu.streamId, wu.windowSizeIncrement], [0, (1 << 20) - 65535]);
  });

  it("presents a RequestHead (protocol HTTP/2, no pseudo-headers) and sends the response", async () => {
    const h = harness((ex) => ex.respond(text("hi", ["X-Up", "1", "Connection", "close", "Transfer-Encoding", "chunked", "Keep-Alive", "5", "Upgrade", "x"])));
    h.peer.headers(1, [":method", "GET", ":scheme", "https", ":authority", "example.com:8443", ":path", "/a?b=c", "accept", "*/*"]);
    const r = await h.peer.response(1);
    const head = h.exchanges[0].head;
    assert.deepEqual([head.method, head.scheme, head.authority, head.path, head.protocol, head.contentLength], ["GET", "https", "example.com:8443", "/a?b=c", "HTTP/2", -1]);
    assert.deepEqual(head.headers, ["accept", "*/*"]);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), "hi");
    assert.equal(header(r, "x-up"), "1");
    assert.equal(header(r, "content-length"), "2");
    assert.ok(header(r, "date") !== undefined);
    for (const name of ["connection", "transfer-encoding", "keep-alive", "upgrade"]) assert.equal(header(r, name), undefined, name);
    assert.equal(h.ended.length, 1);
  });

  it("takes Host when :authority is absent, and lets CONNECT reach the handler", async () => {
    const h = harness(hello);
    h.peer.headers(1, [":method", "GET", ":scheme", "http", ":path", "/", "host", "h.example"]);
    h.peer.headers(3, [":method", "CONNECT", ":authority", "proxy.example:443"]);
    await h.peer.response(3);
    assert.equal(h.exchanges[0].head.authority, "h.example");
    assert.deepEqual([h.exchanges[1].head.method, h.exchanges[1].head.path], ["CONNECT", "proxy.example:443"]);
  });

  const malformed: [string, string[]][] = [
    ["an uppercase field name", ["X-Up", "1"]],
    ["a connection field", ["connection", "keep-alive"]],
    ["te other than trailers", ["te", "gzip"]],
    ["a pseudo-header after a regular field", ["accept", "*/*", ":authority", "x"]],
    ["an unknown pseudo-header", [":foo", "x"]],
    ["a second :path", [":path", "/again"]],
    ["a response pseudo-header", [":status", "200"]],
  ];
  for (const [what, extra] of malformed) {
    it(`resets a request with ${what} (PROTOCOL_ERROR) and never calls the handler`, async () => {
      const h = harness(hello);
      h.peer.headers(1, [":method", "GET", ":scheme", "http", ":path", "/", ...extra]);
      const r = await h.peer.response(1);
      assert.equal(r.reset, ErrorCode.PROTOCOL_ERROR);
      assert.equal(h.exchanges.length, 0);
      h.peer.get(3, "/next"); // the connection goes on
      assert.equal((await h.peer.response(3)).status, 200);
    });
  }
  for (const [what, fields] of [
    ["no :method", [":scheme", "http", ":path", "/"]],
    ["an empty :path", [":method", "GET", ":scheme", "http", ":path", ""]],
    ["* for GET", [":method", "GET", ":scheme", "http", ":path", "*"]],
  ] as const) {
    it(`resets a request with ${what}`, async () => {
      const h = harness(hello);
      h.peer.headers(1, [...fields]);
      assert.equal((await h.peer.response(1)).reset, ErrorCode.PROTOCOL_ERROR);
    });
  }

  it("accepts OPTIONS *", async () => {
    const h = harness(hello);
    h.peer.headers(1, [":method", "OPTIONS", ":scheme", "http", ":path", "*", ":authority", "x"]);
    assert.equal((await h.peer.response(1)).status, 200);
  });

  it("checks content-length against the DATA received, both ways", async () => {
    const h = harness((ex) => void readAll(ex).then((body) => ex.respond(text(body)), () => {}));
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/", "content-length", "3"], false);
    h.peer.data(1, "abcd", true);
    h.peer.headers(3, [":method", "POST", ":scheme", "http", ":path", "/", "content-length", "5"], false);
    h.peer.data(3, "abc", true);
    h.peer.headers(5, [":method", "POST", ":scheme", "http", ":path", "/", "content-length", "3"], false);
    h.peer.data(5, "abc", true);
    assert.equal((await h.peer.response(1)).reset, ErrorCode.PROTOCOL_ERROR);
    assert.equal((await h.peer.response(3)).reset, ErrorCode.PROTOCOL_ERROR);
    assert.equal((await h.peer.response(5)).body.toString(), "abc");
  });

  it("answers before the body, then drops the rest of it with its window credited", async () => {
    const h = harness(hello, { initialStreamWindow: 16384 });
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.data(1, Buffer.alloc(16384));
    const r = await h.peer.response(1);
    assert.equal(r.body.toString(), "hello");
    await h.peer.until(() => h.peer.frames.some((f) => f.type === FrameType.WINDOW_UPDATE && f.streamId === 1), 2000, "WINDOW_UPDATE");
    assert.equal(h.conn.pendingRequests, 1); // until the request ends
    h.peer.data(1, "end", true);
    h.peer.ping(); // its ACK comes after the DATA is processed
    await h.peer.until(() => h.peer.frames.some((f) => f.type === FrameType.PING && f.ack), 2000, "PING ACK");
    assert.equal(h.conn.pendingRequests, 0);
  });

  it("accepts trailers, and refuses pseudo-headers in them", async () => {
    const h = harness((ex) => void readAll(ex).then((body) => ex.respond(text(`${body}|${ex.trailers.join("=")}`)), () => {}));
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.data(1, "x");
    h.peer.headers(1, ["x-sum", "42"], true);
    assert.equal((await h.peer.response(1)).body.toString(), "x|x-sum=42");
    h.peer.headers(3, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.headers(3, [":path", "/x"], true);
    assert.equal((await h.peer.response(3)).reset, ErrorCode.PROTOCOL_ERROR);
  });

  it("sends :status 100 when the handler first reads a body it was asked to wait for", async () => {
    const h = harness((ex) => void readAll(ex).then((body) => ex.respond(text(body))));
    h.peer.headers(1, [":method", "PUT", ":scheme", "http", ":path", "/", "expect", "100-continue"], false);
    await h.peer.until(() => h.peer.responses.get(1)?.interim.includes(100) === true, 2000, "100");
    h.peer.data(1, "body", true);
    const r = await h.peer.response(1);
    assert.deepEqual([r.interim, r.body.toString()], [[100], "body"]);
  });

  it("sends 103 Early Hints through inform(), and refuses upgrade and takeSocket", async () => {
    const h = harness((ex) => {
      assert.equal(ex.inform(103, ["Link", "</s.css>; rel=preload"]), true);
      assert.equal(ex.takeSocket(() => {}), false);
      assert.throws(() => ex.upgrade("websocket", [], () => {}));
      ex.respond(text("ok"));
    });
    h.peer.get(1, "/");
    assert.deepEqual((await h.peer.response(1)).interim, [103]);
  });
});

describe("Http2Connection: flow control", () => {
  it("credits a request body's window only as the handler reads it", async () => {
    let ex!: Exchange;
    const h = harness((e) => (ex = e), { initialStreamWindow: 16384 });
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.data(1, Buffer.alloc(16384, 1));
    await h.peer.until(() => ex !== undefined && ex.body!.received === 16384, 2000, "the body");
    const streamUpdates = (): number => h.peer.frames.filter((f) => f.type === FrameType.WINDOW_UPDATE && f.streamId === 1).length;
    assert.equal(streamUpdates(), 0);
    h.peer.data(1, Buffer.alloc(1, 1)); // past the window
    assert.equal((await h.peer.response(1)).reset, ErrorCode.FLOW_CONTROL_ERROR);

    let ex2: Exchange | null = null;
    const g = harness((e) => (ex2 = e), { initialStreamWindow: 16384 });
    g.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    g.peer.data(1, Buffer.alloc(16384, 1));
    await g.peer.until(() => ex2 !== null && ex2.body!.received === 16384, 2000, "the body");
    await ex2!.body!.read();
    await g.peer.until(() => g.peer.frames.some((f) => f.type === FrameType.WINDOW_UPDATE && f.streamId === 1), 2000, "WINDOW_UPDATE");
  });

  it("sends response DATA within the peer's stream window, the rest after WINDOW_UPDATE", async () => {
    const [h] = [harness((ex) => ex.respond(text("x".repeat(100))), {}, false)];
    h.peer.credit = false;
    h.peer.start([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 10 }]);
    h.peer.get(1, "/");
    await h.peer.until(() => (h.peer.responses.get(1)?.body.length ?? 0) === 10, 2000, "10 bytes");
    assert.equal(h.peer.responses.get(1)!.ended, false);
    h.peer.windowUpdate(1, 90);
    assert.equal((await h.peer.response(1)).body.length, 100);
  });

  it("shares the connection window round-robin between streams", async () => {
    const body = (): OutgoingResponse => ({ status: 200, statusText: "", headers: [], body: new Uint8Array(40000), bodyLength: -1 });
    const h = harness(() => {
      if (h.exchanges.length === 2) for (const e of h.exchanges) e.respond(body());
    });
    h.peer.get(1, "/a");
    h.peer.get(3, "/b");
    await h.peer.response(1);
    await h.peer.response(3);
    const order = h.peer.frames.filter((f) => f.type === FrameType.DATA).map((f) => f.streamId);
    assert.deepEqual(order.slice(0, 4), [1, 3, 1, 3]);
  });
});

describe("Http2Connection: limits", () => {
  it("refuses streams past maxConcurrentStreams, and keeps reset streams counted until their handlers answer", async () => {
    const held: Exchange[] = [];
    const h = harness((ex) => held.push(ex), { maxConcurrentStreams: 2 });
    h.peer.get(1, "/");
    h.peer.get(3, "/");
    h.peer.get(5, "/");
    assert.equal((await h.peer.response(5)).reset, ErrorCode.REFUSED_STREAM);
    h.peer.rst(1);
    h.peer.rst(3);
    h.peer.get(7, "/"); // the handlers of 1 and 3 still run: Rapid Reset cannot start more
    assert.equal((await h.peer.response(7)).reset, ErrorCode.REFUSED_STREAM);
    assert.equal(h.conn.pendingRequests, 2);
    assert.ok(held.every((ex) => ex.aborted));
    for (const ex of held) ex.respond(text("late"));
    assert.equal(h.conn.pendingRequests, 0);
    h.peer.get(9, "/");
    await h.peer.until(() => held.length === 3, 2000, "stream 9's handler");
  });

  it("answers 431 past maxHeaderListSize and maxFieldCount, without the handler", async () => {
    const h = harness(hello, { maxHeaderListSize: 300, maxFieldCount: 8 });
    h.peer.get(1, "/", ["x-big", "v".repeat(300)]);
    h.peer.get(3, "/", ["cookie", "a=1", "cookie", "b=2", "cookie", "c=3", "cookie", "d=4", "cookie", "e=5"]);
    h.peer.get(5, "/", ["cookie", "a=1"]);
    assert.equal((await h.peer.response(1)).status, 431);
    assert.equal((await h.peer.response(3)).status, 431);
    assert.equal((await h.peer.response(5)).status, 200);
    assert.equal(h.exchanges.length, 1);
  });

  it("answers 413 for a declared length past maxBodySize, and for a body that grows past it (then RST_STREAM NO_ERROR)", async () => {
    const failed: unknown[] = [];
    let onFailed = (): void => {};
    const readFailed = new Promise<void>((resolve) => (onFailed = resolve));
    const h = harness((ex) => void readAll(ex).then((body) => ex.respond(text(body)), (err: unknown) => {
      failed.push(err);
      onFailed();
      ex.respond(text("late"));
    }), { maxBodySize: 10 });
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/", "content-length", "11"], false);
    await h.peer.until(() => h.peer.responses.get(1)?.reset != null, 2000, "the RST_STREAM on 1");
    assert.deepEqual([h.peer.responses.get(1)!.status, h.peer.responses.get(1)!.reset], [413, ErrorCode.NO_ERROR]);
    h.peer.headers(3, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.data(3, "x".repeat(6));
    h.peer.data(3, "x".repeat(6));
    h.peer.data(3, "dropped");
    await h.peer.until(() => h.peer.responses.get(3)?.reset != null, 2000, "the RST_STREAM");
    const r = h.peer.responses.get(3)!;
    assert.deepEqual([r.status, r.body.toString(), r.ended, r.reset], [413, "413 request body exceeds maxBodySize\n", true, ErrorCode.NO_ERROR]);
    await readFailed; // the answer may reach the peer before the handler's rejection runs
    assert.equal((failed[0] as ProtocolError | undefined)?.code, "HTTP_BODY_TOO_LARGE", "the handler's read failed as on HTTP/1.1");
    h.peer.headers(5, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.data(5, "fits", true);
    assert.equal((await h.peer.response(5)).body.toString(), "fits");
    assert.equal(h.conn.pendingRequests, 0);
  });

  it("ends the connection with ENHANCE_YOUR_CALM past maxContinuationFrames and maxHeaderBlockSize", async () => {
    for (const [limits, frames, size] of [[{ maxContinuationFrames: 3 }, 5, 10], [{ maxHeaderBlockSize: 100 }, 3, 60]] as const) {
      const h = harness(hello, limits);
      const block = h.peer.encoder.encode([":method", "GET", ":scheme", "http", ":path", "/", "x", "y".repeat(size * frames)]);
      h.peer.write(Buffer.concat(Array.from({ length: frames + 1 }, (_, i) => {
        const part = block.subarray(i * size, i === frames ? block.length : (i + 1) * size);
        return frame(i === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, (i === 0 ? 1 : 0) | (i === frames ? 4 : 0), 1, part);
      })));
      await h.peer.goneAway();
      assert.equal(h.peer.goaway?.errorCode, ErrorCode.ENHANCE_YOUR_CALM, JSON.stringify(limits));
    }
  });

  it("ends the connection with FLOW_CONTROL_ERROR when unread bodies pass initialConnectionWindow", async () => {
    const h = harness(never, { initialConnectionWindow: 65_535, initialStreamWindow: 60_000 });
    for (const id of [1, 3]) {
      h.peer.headers(id, [":method", "POST", ":scheme", "http", ":path", "/"], false);
      for (let i = 0; i < 3; i++) h.peer.data(id, Buffer.alloc(12_000));
    }
    await h.peer.goneAway();
    assert.equal(h.peer.goaway?.errorCode, ErrorCode.FLOW_CONTROL_ERROR);
  });

  it("ends the connection with ENHANCE_YOUR_CALM when more than maxQueuedControlFrames replies wait on a peer that does not read", async () => {
    const h = harness(hello, { maxQueuedControlFrames: 10 });
    await h.peer.until(() => h.peer.frames.some((f) => f.type === FrameType.SETTINGS && f.ack), 2000, "ACK");
    h.peer.socket.pause();
    const ping = frame(FrameType.PING, 0, 0, Buffer.alloc(8));
    h.peer.write(Buffer.concat(Array.from({ length: 5000 }, () => ping)));
    await new Promise((resolve) => setImmediate(resolve));
    h.peer.socket.resume();
    await h.peer.goneAway();
    assert.equal(h.peer.goaway?.errorCode, ErrorCode.ENHANCE_YOUR_CALM);
    assert.ok(h.peer.frames.filter((f) => f.type === FrameType.PING).length < 5000);
  });

  it("refuses frame sizes and windows that cannot be advertised", () => {
    assert.throws(() => resolveLimits({ maxFrameSize: 1000 }), /maxFrameSize/);
    assert.throws(() => resolveLimits({ initialStreamWindow: 2 ** 31 }), /initialStreamWindow/);
  });

  it("ends the connection with FRAME_SIZE_ERROR for a frame past maxFrameSize", async () => {
    const h = harness(hello);
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.data(1, Buffer.alloc(16385));
    await h.peer.goneAway();
    assert.equal(h.peer.goaway?.errorCode, ErrorCode.FRAME_SIZE_ERROR);
  });

  it("spends the misbehaviour budget on resets and useless frames, then sends GOAWAY ENHANCE_YOUR_CALM", async () => {
    const h = harness(never, { misbehaviourBudget: 20 });
    for (let id = 1; id < 60; id += 2) {
      h.peer.get(id, "/");
      h.peer.rst(id);
    }
    await h.peer.goneAway();
    assert.equal(h.peer.goaway?.errorCode, ErrorCode.ENHANCE_YOUR_CALM);
    const g = harness(never, { misbehaviourBudget: 20 });
    g.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    for (let i = 0; i < 30; i++) g.peer.data(1, ""); // empty DATA frames without END_STREAM
    await g.peer.goneAway();
    assert.equal(g.peer.goaway?.errorCode, ErrorCode.ENHANCE_YOUR_CALM);
  });

  it("answers a COMPRESSION_ERROR for a table size update above hpackTableSize", async () => {
    const h = harness(hello, { hpackTableSize: 256 });
    h.peer.write(frame(FrameType.HEADERS, 0x5, 1, Buffer.from([0x3f, 0xe1, 0x1f]))); // size update to 4096
    await h.peer.goneAway();
    assert.equal(h.peer.goaway?.errorCode, ErrorCode.COMPRESSION_ERROR);
  });
});
