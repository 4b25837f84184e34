// sockserve's WebSocket server against the `ws` package as the client, over real TCP. Every case
// runs twice: with the client's permessage-deflate off, and on (compressing every message).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServerWebSocket, WebSocketHandler } from "../../src/index.js";
import { startServer, within, type Server } from "../support/server.js";
import { WsPeer, waitUntil } from "../support/ws-peer.js";
import { describeExit, startChildServer, type ChildServer } from "../support/ws-child.js";

type Ws = ServerWebSocket<{ user: string | null }>;

interface Ctx {
  server: Server;
  url: string;
  connect(options?: Parameters<typeof WsPeer.connect>[1], path?: string): Promise<WsPeer>;
}

const KiB = 1024;
const MiB = 1024 * 1024;

/** withWs starts a server with `websocket`, upgrading on /ws, and stops it and every client after. */
async function withWs(compression: boolean, websocket: Partial<WebSocketHandler<{ user: string | null }>>, body: (ctx: Ctx) => Promise<void>): Promise<void> {
  const server = await startServer({
    fetch(req, server) {
      const url = new URL(req.url);
      if (url.pathname === "/ws") {
        const user = url.searchParams.get("user");
        if (server.upgrade(req, { data: { user }, headers: { "X-Hello": "1", ...(user ? { "X-User": user } : {}) } })) return;
        return new Response("Expected a WebSocket", { status: 426 });
      }
      return new Response("hi");
    },
    websocket: { perMessageDeflate: true, message: (ws, m) => void ws.send(m), ...websocket },
  });
  const peers: WsPeer[] = [];
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const ctx: Ctx = {
    server,
    url,
    async connect(options = {}, path = "/ws") {
      const peer = await WsPeer.connect(`ws://127.0.0.1:${server.port}${path}`, { perMessageDeflate: compression ? { threshold: 0 } : false, ...options });
      peers.push(peer);
      return peer;
    },
  };
  try {
    await body(ctx);
  } finally {
    for (const peer of peers) peer.ws.terminate();
    await within(server.stop(true), 5000, "server.stop(true)");
  }
}

for (const compression of [false, true]) {
  const mode = compression ? "compression on" : "compression off";

  describe(`ws client, ${mode}`, () => {
    it("negotiates permessage-deflate exactly when the client offers it", async () => {
      await withWs(compression, {}, async (ctx) => {
        const peer = await ctx.connect();
        const agreed = peer.upgrade?.headers["sec-websocket-extensions"];
        if (compression) assert.match(String(agreed), /^permessage-deflate\b/);
        else assert.equal(agreed, undefined);
        assert.equal(peer.ws.extensions, compression ? "permessage-deflate" : "");
      });
    });

    it("echoes text and binary, empty to 1 MiB, and text arrives as a string, binary as a Buffer", async () => {
      const kinds: string[] = [];
      const sendResults: number[] = [];
      await withWs(compression, {
        message(ws, m) {
          kinds.push(typeof m === "string" ? "string" : Buffer.isBuffer(m) ? "Buffer" : typeof m);
          sendResults.push(ws.send(m));
        },
      }, async (ctx) => {
        const peer = await ctx.connect();
        const text = "héllo ✓ 😀 " + randomBytes(8).toString("hex");
        const cases: { data: string | Buffer; binary: boolean }[] = [
          { data: text, binary: false },
          { data: "", binary: false },
          { data: Buffer.alloc(0), binary: true },
          { data: randomBytes(1000), binary: true },
          { data: "ж".repeat(40_000), binary: false }, // 80000 bytes: 64-bit length
          { data: randomBytes(MiB), binary: true },
        ];
        for (const c of cases) {
          peer.ws.send(c.data);
          const got = await peer.next();
          assert.equal(got.binary, c.binary);
          if (typeof c.data === "string") assert.equal(got.text, c.data);
          else assert.ok(got.data.equals(c.data), `binary echo of ${c.data.length} bytes differs`);
        }
        assert.deepEqual(kinds, cases.map((c) => (c.binary ? "Buffer" : "string")));
        // A small message is sent at once (never compressed under the 1024-byte threshold): send() gives its length.
        assert.equal(sendResults[0], Buffer.byteLength(text));
      });
    });

    it(`sends a compressible 1 MiB message ${compression ? "compressed" : "as is"}`, async () => {
      await withWs(compression, {}, async (ctx) => {
        const peer = await ctx.connect();
        const data = Buffer.alloc(MiB);
        for (let i = 0; i < data.length; i++) data[i] = "abcdefgh"[i % 8].charCodeAt(0) + (i % 1000 === 0 ? 1 : 0);
        const before = peer.bytesRead;
        peer.ws.send(data);
        const got = await peer.next();
        assert.ok(got.binary && got.data.equals(data), "echo differs");
        const read = peer.bytesRead - before;
        if (compression) assert.ok(read < 128 * KiB, `read ${read} bytes for a compressible 1 MiB echo`);
        else assert.ok(read >= MiB, `read ${read} bytes`);
      });
    });

    it("passes upgrade data to ws.data and upgrade headers to the 101 response", async () => {
      await withWs(compression, {
        open(ws: Ws) {
          ws.send(JSON.stringify({ data: ws.data, remoteAddress: ws.remoteAddress, readyState: ws.readyState }));
        },
      }, async (ctx) => {
        const user = `u${randomBytes(4).toString("hex")}`;
        const peer = await ctx.connect({}, `/ws?user=${user}`);
        assert.equal(peer.upgrade?.statusCode, 101);
        assert.equal(peer.upgrade?.headers["x-hello"], "1");
        assert.equal(peer.upgrade?.headers["x-user"], user);
        const first = JSON.parse((await peer.next()).text) as { data: { user: string }; remoteAddress: string; readyState: number };
        assert.deepEqual(first, { data: { user }, remoteAddress: "127.0.0.1", readyState: 1 });
        // The same path without an upgrade gets the app's answer; another path is plain HTTP.
        const plain = await fetch(`http://127.0.0.1:${ctx.server.port}/ws`);
        assert.equal(plain.status, 426);
        assert.equal(await plain.text(), "Expected a WebSocket");
        assert.equal(await (await fetch(`http://127.0.0.1:${ctx.server.port}/`)).text(), "hi");
      });
    });

    it("negotiates a subprotocol through protocol(offered, request)", async () => {
      const seen: { offered: string[]; url: string }[] = [];
      await withWs(compression, {
        protocol(offered, req) {
          seen.push({ offered, url: new URL(req.url).pathname });
          return offered.find((p) => p === "chat.v2") ?? (offered.includes("evil") ? "not-offered" : null);
        },
      }, async (ctx) => {
        const chosen = await ctx.connect({ protocols: ["chat.v1", "chat.v2"] });
        assert.equal(chosen.ws.protocol, "chat.v2");
        assert.deepEqual(seen[0], { offered: ["chat.v1", "chat.v2"], url: "/ws" });
        const none = await ctx.connect();
        assert.equal(none.ws.protocol, "");
        assert.equal(none.upgrade?.headers["sec-websocket-protocol"], undefined);
        // protocol() naming something the client did not offer must not reach the 101; `ws` then
        // refuses the handshake because it asked for a subprotocol and got none.
        await assert.rejects(ctx.connect({ protocols: ["evil"] }), /no subprotocol/);
      });
    });

    it("pub/sub: publish skips the sender, server.publish reaches all, subscriberCount, unsubscribe", async () => {
      const published: number[] = [];
      await withWs(compression, {
        open(ws) {
          ws.subscribe("room");
        },
        message(ws, m) {
          const text = String(m);
          if (text.startsWith("pub:")) published.push(ws.publish("room", text.slice(4)));
          else if (text === "unsub") {
            ws.unsubscribe("room");
            ws.send(`subscribed=${ws.isSubscribed("room")}`);
          } else ws.send(`echo:${text}`);
        },
      }, async (ctx) => {
        const a = await ctx.connect();
        const b = await ctx.connect();
        await waitUntil(() => ctx.server.subscriberCount("room") === 2, 3000, "two subscribers");
        const big = "x".repeat(5000) + randomBytes(4).toString("hex"); // big enough to be compressed

        a.ws.send("pub:hello from a");
        assert.equal((await b.next()).text, "hello from a");
        a.ws.send(`pub:${big}`);
        assert.equal((await b.next()).text, big);
        // a got nothing: the next thing a sees is the echo of a marker.
        a.ws.send("marker");
        assert.equal((await a.next()).text, "echo:marker");
        assert.deepEqual(published, [Buffer.byteLength("hello from a"), big.length]);

        assert.equal(ctx.server.publish("room", "to all"), 6);
        assert.equal((await a.next()).text, "to all");
        assert.equal((await b.next()).text, "to all");
        const blob = randomBytes(3000);
        ctx.server.publish("room", blob, true);
        for (const p of [a, b]) {
          const got = await p.next();
          assert.ok(got.binary && got.data.equals(blob), "binary publish (compress requested)");
        }
        ctx.server.publish("room", big, true);
        assert.equal((await a.next()).text, big);
        assert.equal((await b.next()).text, big);

        a.ws.send("unsub");
        assert.equal((await a.next()).text, "subscribed=false");
        assert.equal(ctx.server.subscriberCount("room"), 1);
        ctx.server.publish("room", "only b");
        assert.equal((await b.next()).text, "only b");
        a.ws.send("marker2");
        assert.equal((await a.next()).text, "echo:marker2");
        assert.equal(ctx.server.publish("nobody-here", "x"), 0);

        b.ws.close();
        await b.waitClosed();
        await waitUntil(() => ctx.server.subscriberCount("room") === 0, 3000, "b leaves the topic on close");
        assert.equal(ctx.server.publish("room", "into the void"), 0);
      });
    });

    it("publishToSelf makes ws.publish reach the sender too", async () => {
      await withWs(compression, {
        publishToSelf: true,
        open: (ws) => ws.subscribe("t"),
        message: (ws, m) => void ws.publish("t", m),
      }, async (ctx) => {
        const a = await ctx.connect();
        a.ws.send("to myself");
        assert.equal((await a.next()).text, "to myself");
      });
    });

    it("close handshake: codes and reasons in both directions", async () => {
      const closes: { code: number; reason: string; readyState: number; sendAfter: number }[] = [];
      await withWs(compression, {
        message(ws, m) {
          const [verb, code, reason] = String(m).split(":");
          if (verb === "close") {
            if (code === "") ws.close();
            else ws.close(Number(code), reason);
          }
        },
        close(ws, code, reason) {
          closes.push({ code, reason, readyState: ws.readyState, sendAfter: ws.send("late") });
        },
      }, async (ctx) => {
        // The client closes with a code and a reason: the server sees them, and echoes the code.
        const c1 = await ctx.connect();
        c1.ws.close(4001, "bye ✓");
        assert.equal((await c1.waitClosed()).code, 4001);
        await waitUntil(() => closes.length === 1, 3000, "server close handler");
        assert.deepEqual(closes[0], { code: 4001, reason: "bye ✓", readyState: 3, sendAfter: 0 });

        // The client closes without a code: the server reports 1005.
        const c2 = await ctx.connect();
        c2.ws.close();
        assert.equal((await c2.waitClosed()).code, 1005);
        await waitUntil(() => closes.length === 2, 3000, "server close handler");
        assert.equal(closes[1].code, 1005);

        // The server closes with a code and a reason.
        const c3 = await ctx.connect();
        c3.ws.send("close:4002:server says bye");
        assert.deepEqual(pick(await c3.waitClosed()), { code: 4002, reason: "server says bye" });
        await waitUntil(() => closes.length === 3, 3000, "server close handler");
        assert.equal(closes[2].code, 4002);

        // The server closes with no arguments: 1000.
        const c4 = await ctx.connect();
        c4.ws.send("close:");
        assert.equal((await c4.waitClosed()).code, 1000);
        await waitUntil(() => closes.length === 4, 3000, "server close handler");
        assert.equal(closes[3].code, 1000);
      });
    });

    it("server.stop() closes every socket with 1001 and then resolves", async () => {
      const closes: number[] = [];
      const server = await startServer({
        fetch: (req, server) => (server.upgrade(req) ? undefined : new Response("no")),
        websocket: { perMessageDeflate: true, message: (ws, m) => void ws.send(m), close: (_ws, code) => void closes.push(code) },
      });
      const peers: WsPeer[] = [];
      try {
        for (let i = 0; i < 3; i++) peers.push(await WsPeer.connect(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: compression }));
        peers[0].ws.send("still here");
        assert.equal((await peers[0].next()).text, "still here");
        await within(server.stop(), 5000, "graceful stop");
        for (const peer of peers) assert.equal((await peer.waitClosed()).code, 1001);
        assert.deepEqual(closes, [1001, 1001, 1001]);
        await assert.rejects(WsPeer.connect(`ws://127.0.0.1:${server.port}/`), /ECONNREFUSED/);
      } finally {
        for (const peer of peers) peer.ws.terminate();
        await server.stop(true);
      }
    });

    it("answers pings with pongs, and its own pings are answered", async () => {
      const serverPings: string[] = [];
      const serverPongs: string[] = [];
      await withWs(compression, {
        message(ws, m) {
          if (m === "ping me") ws.ping("from server");
        },
        ping: (_ws, data) => void serverPings.push(data.toString()),
        pong: (_ws, data) => void serverPongs.push(data.toString()),
      }, async (ctx) => {
        const peer = await ctx.connect();
        peer.ws.ping("abc");
        await peer.until(() => peer.pongs.length === 1, "a pong");
        assert.equal(peer.pongs[0].toString(), "abc");
        assert.deepEqual(serverPings, ["abc"]);
        peer.ws.send("ping me");
        await peer.until(() => peer.pings.length === 1, "a ping from the server");
        assert.equal(peer.pings[0].toString(), "from server");
        await waitUntil(() => serverPongs.length === 1, 3000, "the client's pong reaching the server");
        assert.deepEqual(serverPongs, ["from server"]);
      });
    });

    it("idleTimeout closes a silent peer with 1001 when sendPings is off", async () => {
      const closes: number[] = [];
      await withWs(compression, { idleTimeout: 1, sendPings: false, close: (_ws, code) => void closes.push(code) }, async (ctx) => {
        const peer = await ctx.connect();
        const opened = Date.now();
        const closed = await peer.waitClosed(5000);
        const after = closed.at - opened;
        assert.equal(closed.code, 1001);
        assert.ok(after >= 900 && after < 3000, `closed after ${after} ms`);
        assert.equal(peer.pings.length, 0, "no pings with sendPings: false");
        await waitUntil(() => closes.length === 1, 3000, "server close handler");
        assert.deepEqual(closes, [1001]);
      });
    });

    it("with sendPings on, a live client (which answers pings) outlives idleTimeout", async () => {
      await withWs(compression, { idleTimeout: 1, sendPings: true }, async (ctx) => {
        const peer = await ctx.connect();
        await sleep(3200);
        assert.equal(peer.closed, null, `closed: ${JSON.stringify(peer.closed)}`);
        assert.ok(peer.pings.length >= 2, `the server pinged ${peer.pings.length} time(s) in 3.2 s`);
        peer.ws.send("still alive");
        assert.equal((await peer.next()).text, "still alive");
      });
    });

    // The next three run the server in a child process (test/support/ws-child-server.ts): they
    // drive zlib and the socket buffers hard, a crash there must fail only them, and the child's
    // memory can be read on its own.

    /** withBurstPeer runs `body` with a client of a child server; it checks that nothing died or closed. */
    const withBurstPeer = (body: (peer: WsPeer, alive: (label: string, count: number) => Promise<void>) => Promise<void>) =>
      withChild({ perMessageDeflate: true }, async (child) => {
        const peer = await WsPeer.connect(`ws://127.0.0.1:${child.port}/`, { perMessageDeflate: compression ? { threshold: 0 } : false });
        const alive = async (label: string, count: number): Promise<void> => {
          await peer.until(() => peer.messages.length >= count || peer.closed !== null || child.exited !== null, label, 15_000);
          if (peer.closed?.code === 1006) await sleep(500); // a cut connection: did the server process die?
          assert.equal(child.exited, null, `server process: ${describeExit(child)}`);
          assert.equal(peer.closed, null, `closed: ${JSON.stringify(peer.closed)}`);
        };
        try {
          await body(peer, alive);
        } finally {
          peer.ws.terminate();
        }
      });

    it("burst in: 40 messages sent without waiting are received intact and in order (echoed)", async () => {
      await withBurstPeer(async (peer, alive) => {
        const sent: (string | Buffer)[] = [];
        for (let i = 0; i < 40; i++) {
          const size = [10, 200, 1500, 5000, 70_000][i % 5];
          const m = i % 2 === 0 ? `${i}:${"t".repeat(size)}` : Buffer.concat([Buffer.from([i]), randomBytes(size)]);
          sent.push(m);
          peer.ws.send(m);
        }
        await alive("40 echoes", 40);
        const wrong = sent.map((m, i) => (sameMessage(peer.messages[i], m) ? -1 : i)).filter((i) => i >= 0);
        assert.deepEqual(wrong, [], "these echoes differ from what was sent");
      });
    });

    it("burst out: 40 sends in one synchronous loop arrive intact and in order", async () => {
      await withBurstPeer(async (peer, alive) => {
        peer.ws.send("flood:40:3000");
        await alive("40 flood messages", 40);
        const body = peer.messages[0].data.subarray(4);
        const bad = peer.messages.map((m, i) => (m.data.length === 3000 && m.data.readUInt32BE(0) === i && m.data.subarray(4).equals(body) ? -1 : i)).filter((i) => i >= 0);
        assert.deepEqual(bad, [], "these messages are wrong");
      });
    });

    it("burst publish: 20 server.publish(…, compress) in one loop arrive intact and in order", async () => {
      await withBurstPeer(async (peer, alive) => {
        peer.ws.send("publish:20:2000");
        await alive("20 published messages", 20);
        const filler = "published ".repeat(200);
        const wrong = peer.messages.map((m, i) => (!m.binary && m.text === `${i}:${filler}` ? -1 : i)).filter((i) => i >= 0);
        assert.deepEqual(wrong, [], "these messages are wrong");
      });
    });

    it("backpressure: send() gives -1, then 0 at backpressureLimit; memory stays bounded; drain() after the client reads", async () => {
      const limit = 256 * KiB;
      const size = 64 * KiB;
      await withChild({ perMessageDeflate: true, backpressureLimit: limit }, async (child) => {
        const peer = await WsPeer.connect(`ws://127.0.0.1:${child.port}/`, { perMessageDeflate: compression });
        try {
          peer.socket.pause();
          peer.ws.send(`flood:2000:${size}`); // 125 MiB if nothing were dropped
          const flood = await waitFor(child, async () => {
            const s = await child.stats();
            return s.floods[0] && s.floods[0].rssLater >= 0 ? s.floods[0] : null;
          }, 20_000, "the flood");
          const shape = runs(flood.sends);
          assert.match(shape.join(" "), /^(P×\d+ )?N×\d+ Z×\d+$/, `send() results, in runs: ${shape.join(" ")}`);
          const bound = limit + size + 14;
          assert.ok(flood.bufferedNow <= bound, `buffered right after the flood: ${flood.bufferedNow} > ${bound}`);
          assert.ok(flood.bufferedLater <= bound, `buffered 500 ms later: ${flood.bufferedLater} > ${bound}`);
          const grew = flood.rssLater - flood.rssBefore;
          assert.ok(grew < 64 * MiB, `server RSS grew ${(grew / MiB).toFixed(1)} MiB during a flood to a peer that does not read`);
          // drain() means the socket can take more: not while it still holds more than its highWaterMark (16 KiB).
          if (flood.bufferedLater > 16 * KiB) assert.equal((await child.stats()).drains, 0, "no drain() while the socket is backed up");

          peer.socket.resume();
          const delivered = flood.sends.map((r, i) => (r !== 0 ? i : -1)).filter((i) => i >= 0);
          await peer.until(() => peer.messages.length >= delivered.length, `${delivered.length} messages`, 20_000);
          await waitFor(child, async () => ((await child.stats()).drains >= 1 ? true : null), 5000, "drain()");
          const seqs = peer.messages.map((m) => m.data.readUInt32BE(0));
          assert.ok(seqs.length === delivered.length && seqs.every((s, i) => s === delivered[i]), `exactly the messages not dropped arrive, in order: got ${seqs.length}, want ${delivered.length}`);
          peer.ws.send("after");
          await peer.until(() => peer.messages.length === delivered.length + 1, "the echo after the flood");
          assert.equal(peer.messages.at(-1)!.text, "after");
        } finally {
          peer.ws.terminate();
        }
      });
    });

    it("closeOnBackpressureLimit closes the socket with 1008 instead of dropping", async () => {
      await withChild({ perMessageDeflate: true, backpressureLimit: 256 * KiB, closeOnBackpressureLimit: true }, async (child) => {
        const peer = await WsPeer.connect(`ws://127.0.0.1:${child.port}/`, { perMessageDeflate: compression });
        try {
          peer.socket.pause();
          peer.ws.send(`flood:2000:${64 * KiB}`);
          const flood = await waitFor(child, async () => (await child.stats()).floods[0] ?? null, 20_000, "the flood");
          const shape = runs(flood.sends);
          assert.match(shape.join(" "), /^(P×\d+ )?N×\d+ Z×20$/, `send() results: ${shape.join(" ")}`);
          peer.socket.resume();
          assert.equal((await peer.waitClosed(10_000)).code, 1008);
          const closes = await waitFor(child, async () => ((await child.stats()).closes.length > 0 ? (await child.stats()).closes : null), 5000, "close()");
          assert.deepEqual(closes.map((c) => c.code), [1008]);
        } finally {
          peer.ws.terminate();
        }
      });
    });

    it("a message above maxPayloadLength closes with 1009", async () => {
      let received = 0;
      await withWs(compression, { maxPayloadLength: 64 * KiB, message: (ws, m) => void (received++, ws.send(m)) }, async (ctx) => {
        const ok = await ctx.connect();
        // Patterned, so that it stays at most 64 KiB on the wire when compressed too.
        const exact = Buffer.from(Array.from({ length: 64 * KiB }, (_, i) => (i * 7 + (i >> 9)) & 0xff));
        ok.ws.send(exact);
        assert.ok((await ok.next()).data.equals(exact), "a message of exactly maxPayloadLength passes");
        const over = await ctx.connect();
        over.ws.send(randomBytes(64 * KiB + 1));
        assert.equal((await over.waitClosed()).code, 1009);
        // Text that compresses well crosses the limit only once inflated (with compression on).
        const over2 = await ctx.connect();
        over2.ws.send("a".repeat(64 * KiB + 1));
        assert.equal((await over2.waitClosed()).code, 1009);
        assert.equal(received, 1);
      });
    });
  });
}

describe("ws client, compression only", () => {
  it("a compression bomb (20 MB of 'a', maxPayloadLength 1 MiB) closes with 1009 and is never delivered", async () => {
    let received = 0;
    await withWs(true, { maxPayloadLength: MiB, message: () => void received++ }, async (ctx) => {
      const peer = await ctx.connect();
      const bomb = Buffer.alloc(20_000_000, "a");
      const before = peer.socket.bytesWritten;
      peer.ws.send(bomb);
      const closed = await peer.waitClosed(10_000);
      assert.ok(peer.socket.bytesWritten - before < 100 * KiB, `the bomb went out compressed (${peer.socket.bytesWritten - before} bytes)`);
      assert.equal(closed.code, 1009, `closed with ${closed.code} "${closed.reason}"`);
      assert.equal(received, 0);
      const fine = await ctx.connect();
      fine.ws.send("a".repeat(MiB));
      await sleep(200);
      assert.equal(fine.closed, null, "a message of exactly maxPayloadLength, inflated, passes");
    });
  });

  it("drain() fires after send() gave -1 for a message that waited on compression", async () => {
    let result = 0;
    let drains = 0;
    await withWs(true, {
      message(ws, m) {
        if (m === "big") result = ws.send("compress me ".repeat(1000));
      },
      drain: () => void drains++,
    }, async (ctx) => {
      const peer = await ctx.connect();
      peer.ws.send("big");
      const got = await peer.next();
      assert.equal(got.text, "compress me ".repeat(1000));
      assert.equal(result, -1, "a compressed send is queued: -1");
      await waitUntil(() => drains > 0, 2000, "drain() after the queued message went out").catch(() => {});
      assert.equal(drains, 1, "an app that got -1 waits for drain(); it must come once the queue is written");
    });
  });

  it("a client offering client_max_window_bits=8 can connect and talk (RFC 7692 §7.1.2.2)", async () => {
    await withWs(true, {}, async (ctx) => {
      const peer = await ctx.connect({ perMessageDeflate: { clientMaxWindowBits: 8, threshold: 0 } });
      const text = "window bits eight ".repeat(200);
      peer.ws.send(text);
      assert.equal((await peer.next()).text, text);
    });
  });

  it("a client asking for client_no_context_takeover and small server windows talks", async () => {
    await withWs(true, {}, async (ctx) => {
      const peer = await ctx.connect({ perMessageDeflate: { clientNoContextTakeover: true, serverMaxWindowBits: 10, threshold: 0 } });
      const agreed = String(peer.upgrade?.headers["sec-websocket-extensions"]);
      assert.match(agreed, /client_no_context_takeover/);
      assert.match(agreed, /server_max_window_bits=10/);
      for (let i = 0; i < 5; i++) {
        const text = `message ${i} `.repeat(300);
        peer.ws.send(text);
        assert.equal((await peer.next()).text, text);
      }
    });
  });
});

// ---- helpers -------------------------------------------------------------------------------------

async function withChild(options: Record<string, unknown>, body: (child: ChildServer) => Promise<void>): Promise<void> {
  const child = await startChildServer(options);
  try {
    await body(child);
    assert.equal(child.exited, null, `server process: ${describeExit(child)}`);
  } finally {
    await child.stop();
  }
}

/** waitFor polls `probe` until it gives a value, failing early if the child died. */
async function waitFor<T>(child: ChildServer, probe: () => Promise<T | null>, timeoutMs: number, label: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited) assert.fail(`the server process died while waiting for ${label}: ${describeExit(child)}`);
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    await sleep(50);
  }
  return assert.fail(`timed out waiting for ${label}${child.exited ? `; server process: ${describeExit(child)}` : ""}`);
}

/** runs condenses send() results into runs: P (bytes sent), N (-1, queued), Z (0, dropped). */
function runs(sends: number[]): string[] {
  const out: string[] = [];
  let last = "";
  let n = 0;
  for (const r of sends) {
    const k = r > 0 ? "P" : r === -1 ? "N" : r === 0 ? "Z" : `?${r}`;
    if (k === last) n++;
    else {
      if (n > 0) out.push(`${last}×${n}`);
      last = k;
      n = 1;
    }
  }
  if (n > 0) out.push(`${last}×${n}`);
  return out;
}

function sameMessage(got: { binary: boolean; data: Buffer } | undefined, sent: string | Buffer): boolean {
  if (got === undefined) return false;
  return typeof sent === "string" ? !got.binary && got.data.toString("utf8") === sent : got.binary && got.data.equals(sent);
}

function pick(c: { code: number; reason: string }): { code: number; reason: string } {
  return { code: c.code, reason: c.reason };
}

