// The known HTTP/2 attacks over loopback, each bounded: Rapid Reset (CVE-2023-44487), MadeYouReset
// (CVE-2025-8671), the CONTINUATION flood, the HPACK bomb, the 2019 Netflix set (ping, settings,
// reset and empty-frame floods, zero-length headers, a zero window with bodies to buffer, data
// dribble, PRIORITY churn) and slow headers. After each, a normal client is still answered.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { ErrorCode } from "../../src/http2/h2-error.js";
import { FrameType, SettingId } from "../../src/http2/frame-types.js";
import { frame, windowUpdateFrame } from "../../src/http2/frame-writer.js";
import { H2Peer } from "../support/h2-peer.js";
import { startServer, type Server } from "../support/server.js";

const CALM = ErrorCode.ENHANCE_YOUR_CALM;

async function attacker(port: number, options: { credit?: boolean } = {}): Promise<H2Peer> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  return new H2Peer(socket, options).start();
}

/** stillServes checks that a normal client gets its answer. */
function stillServes(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("curl", ["-s", "--max-time", "10", "--http2-prior-knowledge", `http://127.0.0.1:${port}/ok`], (error, stdout) => {
      if (error !== null || stdout !== "ok") reject(new Error(`normal client failed: ${error?.message ?? stdout}`));
      else resolve();
    });
  });
}

const GET = [":method", "GET", ":scheme", "http", ":authority", "x", ":path", "/"];

describe("HTTP/2 attacks", () => {
  let server: Server;
  let handlers = 0;
  let pulled = 0;

  before(async () => {
    server = await startServer({
      http2: true,
      limits: { headerTimeout: 500 },
      fetch(request) {
        handlers++;
        const path = new URL(request.url).pathname;
        if (path === "/endless") {
          return new Response(new ReadableStream({ pull(c) {
            pulled += 16384;
            c.enqueue(new Uint8Array(16384));
          } }));
        }
        return new Promise((resolve) => setImmediate(() => resolve(new Response("ok"))));
      },
    });
  });
  after(() => server.stop(true));

  it("Rapid Reset: 10,000 HEADERS + RST_STREAM end in GOAWAY ENHANCE_YOUR_CALM with handlers bounded", async () => {
    handlers = 0;
    const started = Date.now();
    const peer = await attacker(server.port);
    for (let batch = 0; batch < 20 && !peer.closed && peer.goaway === null; batch++) {
      for (let i = 0; i < 500; i++) {
        const id = (batch * 500 + i) * 2 + 1;
        peer.headers(id, GET);
        peer.rst(id);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await peer.goneAway(10_000);
    assert.equal(peer.goaway?.errorCode, CALM);
    // the budget (1000 tokens, refilled 100 per second) bounds them, plus the 100 concurrent streams
    const bound = 1000 + 100 * ((Date.now() - started) / 1000) + 100;
    assert.ok(handlers <= bound, `${handlers} handlers ran (bound ${bound})`);
    peer.close();
    await stillServes(server.port);
  });

  it("MadeYouReset: requests the server must reset (WINDOW_UPDATE 0) spend the same budget", async () => {
    const peer = await attacker(server.port);
    for (let i = 0; i < 3000 && !peer.closed; i++) {
      const id = i * 2 + 1;
      peer.headers(id, GET, false);
      peer.rawFrame(FrameType.WINDOW_UPDATE, 0, id, Buffer.alloc(4)); // increment 0: the server has to reset the stream
    }
    await peer.goneAway(10_000);
    assert.equal(peer.goaway?.errorCode, CALM);
    peer.close();
    await stillServes(server.port);
  });

  it("CONTINUATION flood: a header block that never ends is cut after maxContinuationFrames", async () => {
    const peer = await attacker(server.port);
    await peer.until(() => peer.frames.some((f) => f.type === FrameType.SETTINGS && f.ack), 2000, "ACK");
    const block = peer.encoder.encode(GET);
    peer.rawFrame(FrameType.HEADERS, 0x1, 1, block);
    for (let i = 0; i < 1000 && !peer.closed; i++) peer.rawFrame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(100, 0x40));
    await peer.goneAway();
    assert.equal(peer.goaway?.errorCode, CALM);
    peer.close();
    await stillServes(server.port);
  });

  it("HPACK bomb: a 4 KiB table entry referenced 4,000 times gets 431, not 16 MiB of headers", async () => {
    const peer = await attacker(server.port);
    const value = "v".repeat(4000);
    // literal with incremental indexing, new name "x-bomb" (no Huffman), then index 62 (that entry) 4,000 times
    const name = Buffer.from("x-bomb");
    const literal = Buffer.concat([Buffer.from([0x40, name.length]), name, Buffer.from([0x7f, 0xa1, 0x1e]) /* 4000 as a 7-bit-prefix integer */, Buffer.from(value)]);
    const bomb = Buffer.alloc(4000, 0x80 | 62);
    peer.rawFrame(FrameType.HEADERS, 0x5, 1, Buffer.concat([peer.encoder.encode(GET), literal, bomb]));
    const r = await peer.response(1);
    assert.equal(r.status, 431);
    peer.close();
    await stillServes(server.port);
  });

  it("ping and settings floods from a peer that does not read end in ENHANCE_YOUR_CALM", async () => {
    for (const kind of ["ping", "settings"] as const) {
      const peer = await attacker(server.port);
      peer.socket.pause(); // read nothing: every ACK the server owes piles up
      const one = kind === "ping" ? frame(FrameType.PING, 0, 0, Buffer.alloc(8)) : frame(FrameType.SETTINGS, 0, 0, Buffer.alloc(0));
      const burst = Buffer.concat(Array.from({ length: 10_000 }, () => one));
      const closed = once(peer.socket, "close").catch(() => {});
      for (let i = 0; i < 60 && !peer.closed && !peer.socket.destroyed; i++) {
        // the server may cut us mid-write: that is the defence working
        if (!peer.write(burst)) await Promise.race([once(peer.socket, "drain").catch(() => {}), closed]);
      }
      peer.socket.resume();
      await peer.goneAway(10_000);
      assert.ok(peer.goaway === null || peer.goaway.errorCode === CALM, `${kind}: ${JSON.stringify(peer.goaway)}`);
      peer.close();
    }
    await stillServes(server.port);
  });

  it("reset, zero-length-header and empty-frame floods spend the budget", async () => {
    const floods: ((peer: H2Peer, id: number) => void)[] = [
      (peer, id) => peer.headers(id, [...GET, "X-Upper", "1"]), // malformed: reset by the server
      (peer, id) => peer.headers(id, [...GET, "", ""]), // a zero-length name
      (peer, id) => {
        if (id === 1) peer.headers(1, GET, false);
        peer.data(1, ""); // empty DATA without END_STREAM
      },
    ];
    for (const flood of floods) {
      const peer = await attacker(server.port);
      for (let i = 0; i < 3000 && !peer.closed; i++) flood(peer, i * 2 + 1);
      await peer.goneAway(10_000);
      assert.equal(peer.goaway?.errorCode, CALM);
      peer.close();
    }
    await stillServes(server.port);
  });

  it("a zero window never makes the server buffer streamed bodies past their queue", async () => {
    pulled = 0;
    const peer = await attacker(server.port, { credit: false });
    peer.settings([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 0 }]);
    for (let i = 0; i < 50; i++) peer.headers(i * 2 + 1, [":method", "GET", ":scheme", "http", ":authority", "x", ":path", "/endless"]);
    await peer.until(() => [...peer.responses.values()].filter((r) => r.status === 200).length === 50, 5000, "50 heads");
    await stillServes(server.port);
    assert.ok(pulled <= 50 * 128 * 1024, `${pulled} bytes pulled for 50 streams with no window`);
    peer.close();
  });

  it("data dribble (CVE-2019-9511): 1-byte windows on 50 streams get no more DATA than they open, nothing queued past the streams' bounds", async () => {
    pulled = 0;
    const peer = await attacker(server.port, { credit: false });
    peer.settings([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 0 }]);
    const ids = Array.from({ length: 50 }, (_, i) => i * 2 + 1);
    for (const id of ids) peer.headers(id, [":method", "GET", ":scheme", "http", ":authority", "x", ":path", "/endless"]);
    await peer.until(() => ids.every((id) => peer.responses.get(id)?.status === 200), 5000, "50 heads");
    const rounds = 200; // 10,000 one-byte WINDOW_UPDATEs in all, within the connection's 65,535
    for (let round = 0; round < rounds; round++) peer.write(Buffer.concat(ids.map((id) => windowUpdateFrame(id, 1))));
    const received = (): number => ids.reduce((sum, id) => sum + peer.responses.get(id)!.body.length, 0);
    await peer.until(() => received() === ids.length * rounds, 10_000, "one byte per update");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received(), ids.length * rounds, "never more DATA than the windows opened");
    const frames = peer.frames.filter((f) => f.type === FrameType.DATA).length;
    assert.ok(frames <= ids.length * rounds, `${frames} DATA frames for ${ids.length * rounds} one-byte updates`);
    assert.ok(pulled <= 50 * 128 * 1024, `${pulled} bytes pulled for 50 dribbled streams`);
    await stillServes(server.port);
    peer.close();
  });

  it("PRIORITY churn costs nothing (no tree is kept)", async () => {
    const peer = await attacker(server.port);
    const frames = Buffer.concat(Array.from({ length: 5000 }, (_, i) => frame(FrameType.PRIORITY, 0, i * 2 + 1, Buffer.from([0, 0, 0, (i * 2 + 3) & 0x7f, 16]))));
    peer.write(frames);
    peer.headers(20001, GET);
    assert.equal((await peer.response(20001)).status, 200);
    peer.close();
  });

  it("slow headers: a block left open is cut after headerTimeout", async () => {
    const peer = await attacker(server.port);
    await peer.until(() => peer.frames.some((f) => f.type === FrameType.SETTINGS && f.ack), 2000, "ACK");
    peer.rawFrame(FrameType.HEADERS, 0x1, 1, peer.encoder.encode([":method", "GET"]));
    await peer.goneAway(5000);
    assert.equal(peer.goaway?.errorCode, CALM);
    peer.close();
    await stillServes(server.port);
  });
});

describe("HTTP/2 resets and handler slots", () => {
  it("frees a reset stream's slot when its handler fails on the aborted body", async () => {
    const srv = await startServer({ http2: true, limits: { maxConcurrentStreams: 3 }, fetch: async (request) => new Response(await request.text()) });
    try {
      const peer = await attacker(srv.port);
      for (let i = 0; i < 10; i++) {
        const id = i * 2 + 1;
        peer.headers(id, [":method", "POST", ":scheme", "http", ":authority", "x", ":path", "/"], false);
        peer.rst(id);
      }
      peer.headers(21, [":method", "POST", ":scheme", "http", ":authority", "x", ":path", "/"], false);
      peer.data(21, "still served", true);
      const r = await peer.response(21);
      assert.equal(r.body.toString(), "still served");
      assert.equal(r.reset, null);
      peer.close();
    } finally {
      await srv.stop(true);
    }
  });
});
