// Http2Connection's timeouts and stopping over an in-memory duplex pair, time passed to sweep()
// by the test: the preface and header-block timeouts, keepAliveTimeout, the SETTINGS ACK,
// sendTimeout on a stream, graceful stop and destroy.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { resolveLimits } from "../../src/http/limits.js";
import { Http2Connection } from "../../src/http2/connection.js";
import { frame } from "../../src/http2/frame-writer.js";
import { ErrorCode } from "../../src/http2/h2-error.js";
import { FrameType, SettingId } from "../../src/http2/frame-types.js";
import { duplexPair } from "../support/duplex-pair.js";
import { H2Peer } from "../support/h2-peer.js";
import { harness, heldRequest, hello, text } from "./connection-harness.js";

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
