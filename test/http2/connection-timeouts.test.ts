// Http2Connection's timeouts and stopping over an in-memory duplex pair, time passed to sweep()
// by the test: the preface and header-block timeouts, keepAliveTimeout, the SETTINGS ACK,
// sendTimeout on a stream and on the connection window, bodyTimeout's 408, graceful stop and destroy.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { resolveLimits } from "../../src/http/limits.js";
import { Http2Connection } from "../../src/http2/connection.js";
import { frame } from "../../src/http2/frame-writer.js";
import { ErrorCode } from "../../src/http2/h2-error.js";
import { FrameType, SettingId } from "../../src/http2/frame-types.js";
import { duplexPair } from "../support/duplex-pair.js";
import { deferred } from "../support/server.js";
import { H2Peer } from "../support/h2-peer.js";
import { harness, heldRequest, hello, readAll, text } from "./connection-harness.js";

describe("Http2Connection: timeouts and stopping", () => {
  it("cuts a connection whose preface does not arrive within headerTimeout", async () => {
    const h = harness(hello, { headerTimeout: 1000 }, false);
    h.conn.sweep(Date.now() + 1001);
    assert.equal(h.server.destroyed, true);
  });

  it("ends a header block left open past headerTimeout", async () => {
    const h = harness(hello, { headerTimeout: 1000 });
    await h.peer.until(() => h.peer.frames.some((f) => f.type === FrameType.SETTINGS && f.ack), 2000, "ACK");
    h.peer.write(frame(FrameType.HEADERS, 0x1, 1, h.peer.encoder.encode([":method", "GET"])));
    await new Promise((resolve) => setImmediate(resolve));
    const now = Date.now();
    h.conn.sweep(now);
    h.conn.sweep(now + 1001);
    await h.peer.goneAway();
    assert.equal(h.peer.goaway?.errorCode, ErrorCode.ENHANCE_YOUR_CALM);
  });

  it("closes an idle connection after keepAliveTimeout, and one whose SETTINGS go unacknowledged", async () => {
    const h = harness(hello, { keepAliveTimeout: 1000 });
    await h.peer.until(() => h.peer.frames.length >= 2, 2000, "SETTINGS");
    h.conn.sweep(Date.now() + 1001);
    await h.peer.goneAway();
    assert.equal(h.peer.goaway?.errorCode, ErrorCode.NO_ERROR);
    const [server, client] = duplexPair();
    const conn = new Http2Connection(server, { limits: resolveLimits({ settingsAckTimeout: 500 }), onExchange: hello, onError: () => {} });
    const peer = new H2Peer(client, { autoAck: false }).start();
    await peer.until(() => peer.frames.length >= 1, 2000, "SETTINGS");
    conn.sweep(Date.now() + 501);
    await peer.goneAway();
    assert.equal(peer.goaway?.errorCode, ErrorCode.SETTINGS_TIMEOUT);
  });

  it("resets a stream whose DATA waits past sendTimeout for a window the peer never opens", async () => {
    const h = harness((ex) => ex.respond(text("x".repeat(100))), { sendTimeout: 1000 }, false);
    h.peer.start([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 0 }]);
    h.peer.get(1, "/");
    await h.peer.until(() => h.peer.responses.get(1)?.status === 200, 2000, "the head");
    h.conn.sweep(Date.now() + 1001);
    assert.equal((await h.peer.response(1)).reset, ErrorCode.CANCEL);
    h.peer.get(3, "/"); // the connection goes on: a stream given a window is answered
    h.peer.windowUpdate(3, 100);
    assert.equal((await h.peer.response(3)).body.length, 100);
    assert.equal(h.peer.goaway, null);
  });

  it("closes the connection when its window stays closed past sendTimeout, before resetting the streams", async () => {
    const h = harness((ex) => ex.respond(text("x".repeat(70_000))), { sendTimeout: 1000 });
    h.peer.credit = false;
    h.peer.get(1, "/");
    await h.peer.until(() => h.peer.responses.get(1)?.body.length === 65_535, 2000, "a full connection window");
    h.conn.sweep(Date.now() + 500);
    assert.equal(h.peer.goaway, null, "not before sendTimeout");
    h.conn.sweep(Date.now() + 1001);
    await h.peer.goneAway();
    const goaway = h.peer.goaway as { errorCode: number; debug: string } | null;
    assert.deepEqual([goaway?.errorCode, goaway?.debug], [ErrorCode.NO_ERROR, "send timeout: the connection window stayed closed"]);
    assert.equal(h.peer.responses.get(1)!.reset, null);
    await h.peer.until(() => h.peer.closed, 2000, "close");
  });

  it("keeps a connection whose window reopens: the timer starts again when DATA flows", async () => {
    const h = harness((ex) => ex.respond(text("x".repeat(140_000))), { sendTimeout: 1000 });
    h.peer.credit = false;
    h.peer.get(1, "/");
    await h.peer.until(() => h.peer.responses.get(1)?.body.length === 65_535, 2000, "a full connection window");
    const firstStall = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 300)); // time passes with the window closed
    h.peer.windowUpdate(0, 65_535);
    h.peer.windowUpdate(1, 200_000);
    await h.peer.until(() => h.peer.responses.get(1)?.body.length === 131_070, 2000, "the second window");
    h.conn.sweep(firstStall + 1100); // past sendTimeout since the first stall, not since the DATA that followed
    h.peer.windowUpdate(0, 65_535);
    assert.equal((await h.peer.response(1)).body.length, 140_000);
    assert.equal(h.peer.goaway, null);
  });

  it("answers 408 to a body that stalls past bodyTimeout, then RST_STREAM NO_ERROR; the handler's read fails, its slot waits for its answer", async () => {
    const release = deferred();
    const answered = deferred();
    const failures: unknown[] = [];
    const h = harness((ex) => {
      if (ex.head.method === "GET") return hello(ex);
      readAll(ex).catch(async (err: unknown) => {
        failures.push(err);
        await release.promise;
        ex.respond(text("late"));
        answered.resolve();
      });
    }, { bodyTimeout: 1000 });
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/up"], false);
    h.peer.data(1, "part");
    await h.peer.until(() => h.exchanges[0]?.body?.received === 4, 2000, "the first part");
    h.conn.sweep(Date.now() + 500);
    h.conn.sweep(Date.now() + 1001);
    await h.peer.until(() => h.peer.responses.get(1)?.reset != null, 2000, "the RST_STREAM");
    const r = h.peer.responses.get(1)!;
    assert.deepEqual([r.status, r.body.toString(), r.ended, r.reset], [408, "408 request body timeout\n", true, ErrorCode.NO_ERROR]);
    const kinds = h.peer.frames.filter((f) => f.streamId === 1).map((f) => f.type);
    assert.deepEqual(kinds, [FrameType.HEADERS, FrameType.DATA, FrameType.RST_STREAM]);
    assert.equal(h.ended[0]?.status, 408);
    await h.peer.until(() => failures.length === 1, 2000, "the handler's read fails");
    assert.equal(h.conn.pendingRequests, 1, "the handler still runs");
    release.resolve();
    await answered.promise;
    assert.equal(h.conn.pendingRequests, 0, "the slot is freed by the handler's answer");
    h.peer.data(1, "in flight", true); // sent before the peer saw the reset: ignored
    h.peer.get(3, "/");
    assert.equal((await h.peer.response(3)).status, 200);
    assert.equal(h.peer.frames.filter((f) => f.streamId === 1).length, 3, "the handler's late answer is dropped");
    assert.equal(h.peer.goaway, null);
  });

  it("resets with CANCEL a body that stalls once the response has begun", async () => {
    const h = harness(hello, { bodyTimeout: 1000 });
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.data(1, "part");
    await h.peer.until(() => h.peer.responses.get(1)?.ended === true, 2000, "the answer");
    h.conn.sweep(Date.now() + 1001);
    await h.peer.until(() => h.peer.responses.get(1)?.reset != null, 2000, "the RST_STREAM");
    assert.equal(h.peer.responses.get(1)!.reset, ErrorCode.CANCEL);
    assert.equal(h.conn.pendingRequests, 0);
  });

  it("does not time out a body whose window is full because the handler reads none of it", async () => {
    const h = harness(() => {}, { bodyTimeout: 1000, initialStreamWindow: 16_384 });
    h.peer.headers(1, [":method", "POST", ":scheme", "http", ":path", "/"], false);
    h.peer.data(1, Buffer.alloc(16_384));
    await h.peer.until(() => h.exchanges[0]?.body?.received === 16_384, 2000, "a full window");
    h.conn.sweep(Date.now() + 1001);
    h.peer.ping(); // its ACK comes after anything the sweep sent
    await h.peer.until(() => h.peer.frames.some((f) => f.type === FrameType.PING && f.ack), 2000, "PING ACK");
    assert.equal(h.peer.responses.get(1), undefined);
  });

  it("stops gracefully: GOAWAY 2^31-1 and a PING, then the last id; accepted streams finish", async () => {
    const { h, held } = await heldRequest();
    h.conn.shutdown();
    await h.peer.until(() => h.peer.goaways.length === 2, 2000, "two GOAWAYs");
    assert.deepEqual(h.peer.goaways.map((g) => g.lastStreamId), [2 ** 31 - 1, 1]);
    assert.equal(h.peer.closed, false);
    h.peer.get(3, "/late"); // above the last id: ignored
    held.respond(text("done"));
    assert.equal((await h.peer.response(1)).body.toString(), "done");
    await h.peer.until(() => h.peer.closed, 2000, "close");
    assert.equal(h.exchanges.length, 1);
  });

  it("destroy sends GOAWAY with the last stream id at once and aborts what runs", async () => {
    const { h, held } = await heldRequest();
    h.conn.destroy();
    await h.peer.goneAway();
    assert.equal(h.peer.goaway?.lastStreamId, 1);
    if (!h.server.destroyed) await once(h.server, "close");
    assert.equal(held.aborted, true);
  });
});
