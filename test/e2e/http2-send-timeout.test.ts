// sendTimeout over HTTP/2 (h2c and h2 over TLS) with a raw frame peer (test/support/h2-peer.ts):
// a stream whose window the peer never opens is reset while the other streams go on; a connection
// window that stays closed ends the connection; a peer that opens every window but reads nothing
// is cut; and a peer that keeps opening windows slowly gets a download that outlasts sendTimeout.
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { after, describe, it } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { ErrorCode } from "../../src/http2/h2-error.js";
import { FrameType, SettingId } from "../../src/http2/frame-types.js";
import { h2Targets } from "../support/h2-fetch.js";
import { H2Peer } from "../support/h2-peer.js";
import { deferred, within, withServer, type Deferred, type Handler } from "../support/server.js";

const SEND_TIMEOUT = 400;
const MAX_WINDOW = 2 ** 31 - 1;
const targets = h2Targets();
after(() => targets.remove());

const open: Record<string, (port: number) => Duplex> = {
  h2c: (port) => connect(port, "127.0.0.1"),
  "h2 (TLS)": (port) => tlsConnect({ port, host: "127.0.0.1", ALPNProtocols: ["h2"], rejectUnauthorized: false }),
};

/** app serves /small, and /big: `size` bytes streamed in 64 KiB chunks, reporting when the server cancels it. */
function app(size: number, cancelled: Deferred<void>): Handler {
  return (request) => {
    if (new URL(request.url).pathname === "/small") return new Response("small");
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        const n = Math.min(64 * 1024, size - sent);
        sent += n;
        controller.enqueue(new Uint8Array(n).fill(0x61));
      },
      cancel: () => cancelled.resolve(),
    });
    return new Response(body, { headers: { "Content-Length": String(size) } });
  };
}

/** small asks for /small on `id`, gives it a window, and returns its body. */
async function small(peer: H2Peer, id: number): Promise<string> {
  peer.get(id, "/small");
  peer.windowUpdate(id, 100);
  const r = await peer.response(id);
  assert.equal(r.status, 200);
  return r.body.toString();
}

for (const target of targets.list) {
  describe(`sendTimeout over HTTP/2, ${target.name}`, () => {
    const serveWith = <T>(size: number, cancelled: Deferred<void>, body: (port: number) => Promise<T>): Promise<T> =>
      withServer({ ...target.options, limits: { sendTimeout: SEND_TIMEOUT }, fetch: app(size, cancelled) }, (server) => body(server.port));

    it("a stream whose window the peer never opens is reset (CANCEL) after sendTimeout; the other streams go on", async () => {
      const cancelled = deferred();
      await serveWith(256 << 20, cancelled, async (port) => {
        const peer = new H2Peer(open[target.name](port)).start([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 0 }]);
        try {
          const start = Date.now();
          peer.get(1, "/big");
          await peer.until(() => peer.responses.get(1)?.status === 200, 5000, "the head of /big");
          assert.equal(await small(peer, 3), "small");
          const big = await peer.response(1, 10_000);
          assert.equal(big.reset, ErrorCode.CANCEL);
          assert.equal(big.body.length, 0);
          assert.ok(Date.now() - start >= SEND_TIMEOUT, `reset after ${Date.now() - start} ms`);
          await within(cancelled.promise, 3000, "the response body is cancelled");
          assert.equal(await small(peer, 5), "small");
          assert.equal(peer.goaway, null);
        } finally {
          peer.close();
        }
      });
    });

    it("a connection whose window the peer never reopens is closed after sendTimeout (GOAWAY NO_ERROR)", async () => {
      const cancelled = deferred();
      await serveWith(256 << 20, cancelled, async (port) => {
        // Stream windows wide open, the connection's left at 65,535 octets and never credited.
        const peer = new H2Peer(open[target.name](port), { credit: false }).start([{ id: SettingId.INITIAL_WINDOW_SIZE, value: MAX_WINDOW }]);
        try {
          const start = Date.now();
          peer.get(1, "/big");
          await peer.until(() => peer.responses.get(1)?.body.length === 65_535, 5000, "a full connection window");
          await peer.until(() => peer.closed, 10_000, "the connection closes");
          assert.ok(Date.now() - start >= SEND_TIMEOUT, `closed after ${Date.now() - start} ms`);
          assert.deepEqual([peer.goaway?.errorCode, peer.goaway?.debug], [ErrorCode.NO_ERROR, "send timeout: the connection window stayed closed"]);
          assert.equal(peer.responses.get(1)!.ended, false);
          await within(cancelled.promise, 3000, "the response body is cancelled");
        } finally {
          peer.close();
        }
      });
    });

    it("a connection window left closed is no reason to close once the streams that waited for it were reset", async () => {
      const cancelled = deferred();
      await serveWith(65_535, cancelled, async (port) => {
        const peer = new H2Peer(open[target.name](port), { credit: false }).start([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 0 }]);
        try {
          peer.get(1, "/small"); // waits for a stream window that never opens: reset after sendTimeout
          await peer.until(() => peer.responses.get(1)?.status === 200, 5000, "the head of /small");
          await new Promise((resolve) => setTimeout(resolve, SEND_TIMEOUT * 0.75)); // time passes
          peer.get(3, "/big");
          peer.windowUpdate(3, 65_535); // /big takes the whole connection window while /small waits
          assert.equal((await peer.response(3)).body.length, 65_535);
          assert.equal((await peer.response(1, 5000)).reset, ErrorCode.CANCEL);
          await new Promise((resolve) => setTimeout(resolve, SEND_TIMEOUT)); // past sendTimeout since the window closed
          peer.ping(Buffer.from("stillopn"));
          await peer.until(() => peer.frames.some((f) => f.type === FrameType.PING && f.ack) || peer.closed, 5000, "PING ACK");
          assert.equal(peer.goaway, null);
        } finally {
          peer.close();
        }
      });
    });

    it("a peer that opens every window but reads nothing is cut after sendTimeout", async () => {
      const cancelled = deferred();
      await serveWith(256 << 20, cancelled, async (port) => {
        const socket = open[target.name](port);
        const peer = new H2Peer(socket).start([{ id: SettingId.INITIAL_WINDOW_SIZE, value: MAX_WINDOW }]);
        try {
          peer.windowUpdate(0, MAX_WINDOW - 65_535);
          peer.get(1, "/big");
          await peer.until(() => (peer.responses.get(1)?.body.length ?? 0) > 0, 5000, "the first DATA");
          socket.pause();
          await within(cancelled.promise, 10_000, "the server gives up on a peer that takes nothing");
          socket.resume();
          await peer.until(() => peer.closed, 10_000, "the connection ends");
          assert.ok(peer.responses.get(1)!.body.length < 256 << 20);
        } finally {
          peer.close();
        }
      });
    });

    it("a peer that keeps opening windows slowly gets a download that outlasts sendTimeout", async () => {
      const size = 1 << 20;
      const grant = 128 * 1024;
      const cancelled = deferred();
      await serveWith(size, cancelled, async (port) => {
        const peer = new H2Peer(open[target.name](port), { credit: false }).start([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 0 }]);
        try {
          const start = Date.now();
          peer.get(1, "/big");
          await peer.until(() => peer.responses.get(1)?.status === 200, 5000, "the head");
          peer.windowUpdate(0, size); // the stream windows set the pace
          for (let granted = 0; granted < size; granted += grant) {
            await peer.until(() => peer.responses.get(1)!.body.length >= granted, 5000, `${granted} bytes`);
            await new Promise((resolve) => setTimeout(resolve, SEND_TIMEOUT / 2)); // a pause shorter than sendTimeout
            peer.windowUpdate(1, grant);
          }
          const r = await peer.response(1, 10_000);
          assert.deepEqual([r.reset, r.body.length], [null, size]);
          assert.ok(Date.now() - start > 2 * SEND_TIMEOUT, `the download took ${Date.now() - start} ms`);
          assert.equal(cancelled.settled, false);
        } finally {
          peer.close();
        }
      });
    });
  });
}
