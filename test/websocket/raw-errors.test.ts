// Faults over raw TCP: after a hand-made handshake, each bad frame of the shared table must get a
// close frame with the right code (RFC 6455 §7.4.1) and the end of the TCP connection, and the
// server must go on serving HTTP and WebSockets. Then handshake errors, upgrades during stop(),
// and peers that never answer the server's close (closeTimeout).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { constants, deflateRawSync } from "node:zlib";
import { setTimeout as sleep } from "node:timers/promises";
import { startServer, within, deferred, type Server } from "../support/server.js";
import { RawClient } from "../support/raw.js";
import { BAD_FRAMES, ROW_MAX_PAYLOAD, closeOf, clientFrame, wire, type ServerFrame } from "../support/ws-frames.js";
import { RawWs, expectedAccept, handshakeRequest } from "../support/ws-raw.js";
import { waitUntil } from "../support/ws-peer.js";

const closes: { code: number; reason: string }[] = [];
let server: Server;

before(async () => {
  server = await startServer({
    fetch(req, server) {
      const url = new URL(req.url);
      if (url.pathname === "/ws") {
        if (server.upgrade(req, { headers: { "X-Hello": "1" } })) return;
        return new Response("Expected a WebSocket", { status: 426 });
      }
      return new Response("hi");
    },
    websocket: {
      perMessageDeflate: true,
      maxPayloadLength: ROW_MAX_PAYLOAD,
      closeTimeout: 1,
      protocol: (offered) => (offered.includes("chat") ? "chat" : "never-offered"),
      message(ws, m) {
        if (m === "close-me") ws.close(4000, "bye");
        else ws.send(m);
      },
      close: (_ws, code, reason) => void closes.push({ code, reason }),
    },
  });
});

after(async () => {
  await within(server.stop(true), 5000, "server.stop(true)");
});

/** stillServing checks that a plain HTTP request and a WebSocket echo both work. */
async function stillServing(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${server.port}/`);
  assert.equal(await res.text(), "hi", "HTTP still works");
  const ws = await RawWs.connect(server.port);
  try {
    await ws.send(wire(`81 84 [0a0b0c0d] "echo"`));
    const [frame] = await ws.waitFrames(1);
    assert.ok(frame && frame.opcode === 1 && frame.payload.toString() === "echo", "a WebSocket echo still works");
  } finally {
    ws.destroy();
  }
}

/** expectClose checks the server's frames end with one close carrying `code`, and that TCP ended. */
async function expectClose(ws: RawWs, code: number, label: string): Promise<ServerFrame> {
  const ended = await ws.client.waitForClose(3000);
  const frames = ws.frames();
  assert.ok(ended, `${label}: the server did not end the connection; frames: ${JSON.stringify(frames.map((f) => f.opcode))}`);
  const last = frames.at(-1);
  assert.ok(last && last.opcode === 8, `${label}: no close frame; frames: ${JSON.stringify(frames.map((f) => [f.opcode, f.payload.toString("hex")]))}`);
  // Before the close may come answers to what preceded the fault (pongs, echoes), never another close.
  assert.ok(frames.slice(0, -1).every((f) => f.opcode === 0x1 || f.opcode === 0x2 || f.opcode === 0xa), `${label}: frames before the close: ${JSON.stringify(frames.map((f) => f.opcode))}`);
  assert.ok(!last.masked && last.fin && !last.rsv1 && last.rsv23 === 0, `${label}: close frame header`);
  assert.equal(closeOf(last).code, code, `${label}: close code (reason ${JSON.stringify(closeOf(last).reason)})`);
  assert.ok(last.payload.length <= 125, `${label}: close payload fits a control frame`);
  return last;
}

async function serverClosedWith(code: number): Promise<void> {
  await waitUntil(() => closes.some((c) => c.code === code), 3000, `close(ws, ${code}) on the server`);
}

describe("bad frames over TCP", () => {
  for (const row of BAD_FRAMES) {
    it(`${row.name} → close ${row.closeCode}, TCP closed, server still serving`, async () => {
      const bytes = wire(row.wire);
      // Whole, then only up to the byte that reveals the fault: the server must not wait for more.
      for (const [label, chunk] of [["whole", bytes], ["through the faulty byte", bytes.subarray(0, row.at + 1)]] as const) {
        closes.length = 0;
        const ws = await RawWs.connect(server.port, { deflate: row.deflate ?? false });
        try {
          await ws.send(chunk);
          await expectClose(ws, row.closeCode, label);
          await serverClosedWith(row.closeCode);
        } finally {
          ws.destroy();
        }
      }
      await stillServing();
    });
  }

  it("a compressed message that is not deflate data → 1007", async () => {
    const ws = await RawWs.connect(server.port, { deflate: true });
    try {
      await ws.send(wire(`c1 84 [01020304] ffffffff`));
      await expectClose(ws, 1007, "garbage deflate");
    } finally {
      ws.destroy();
    }
    await stillServing();
  });

  it("a compressed text message that inflates to invalid UTF-8 → 1007", async () => {
    const ws = await RawWs.connect(server.port, { deflate: true });
    try {
      const good = deflated(Buffer.from("fine ✓"));
      await ws.send(clientFrame(1, good, { rsv1: true }));
      const [echo] = await ws.waitFrames(1);
      assert.equal(echo?.payload.toString(), "fine ✓", "a good compressed message is echoed first");
      await ws.send(clientFrame(1, deflated(Buffer.from([0x61, 0xed, 0xa0, 0x80])), { rsv1: true }));
      await expectClose(ws, 1007, "inflated surrogate");
    } finally {
      ws.destroy();
    }
    await stillServing();
  });

  it("a message sent with the handshake, in the same packet, is read", async () => {
    const ws = await RawWs.connect(server.port, { after: wire(`81 85 [37fa213d] "Hello"`) });
    try {
      const [frame] = await ws.waitFrames(1);
      assert.equal(frame?.payload.toString(), "Hello");
    } finally {
      ws.destroy();
    }
  });

  it("a clean close from the client is answered with the same code, then TCP closes", async () => {
    closes.length = 0;
    const ws = await RawWs.connect(server.port);
    try {
      await ws.send(wire(`88 85 [11223344] 0fa1 "bye"`));
      const frame = await expectClose(ws, 4001, "clean close");
      assert.equal(closeOf(frame).reason, "bye");
      await serverClosedWith(4001);
      assert.ok(closes.some((c) => c.code === 4001 && c.reason === "bye"), JSON.stringify(closes));
    } finally {
      ws.destroy();
    }
  });
});

describe("handshake", () => {
  it("a good handshake gets 101 with the right accept key, upgrade headers, and no subprotocol it was not offered", async () => {
    const ws = await RawWs.open(server.port, { fields: { "Sec-WebSocket-Protocol": "other" } });
    try {
      const res = await ws.response();
      assert.equal(res.status, 101);
      assert.equal(res.get("upgrade")?.toLowerCase(), "websocket");
      assert.match(res.get("connection") ?? "", /upgrade/i);
      assert.equal(res.get("sec-websocket-accept"), expectedAccept(ws.key));
      assert.equal(res.get("x-hello"), "1");
      assert.equal(res.get("sec-websocket-protocol"), undefined, "protocol() named something the client never offered");
      assert.equal(res.get("sec-websocket-extensions"), undefined, "no extension unless offered");
    } finally {
      ws.destroy();
    }
  });

  it("an offered subprotocol chosen by protocol() is confirmed", async () => {
    const ws = await RawWs.open(server.port, { fields: { "Sec-WebSocket-Protocol": "x, chat" } });
    try {
      assert.equal((await ws.response()).get("sec-websocket-protocol"), "chat");
    } finally {
      ws.destroy();
    }
  });

  const bad: { name: string; request: string; status: number }[] = [
    { name: "version 8", request: handshakeRequest("/ws", { "Sec-WebSocket-Version": "8" }), status: 426 },
    { name: "no version", request: handshakeRequest("/ws", { "Sec-WebSocket-Version": null }), status: 426 },
    { name: "a key of 8 bytes", request: handshakeRequest("/ws", { "Sec-WebSocket-Key": "AAAAAAAAAAA=" }), status: 400 },
    { name: "no key", request: handshakeRequest("/ws", { "Sec-WebSocket-Key": null }), status: 400 },
    { name: "no Connection: upgrade", request: handshakeRequest("/ws", { Connection: "keep-alive" }), status: 400 },
    { name: "POST", request: handshakeRequest("/ws", { "Content-Length": "0" }, { method: "POST" }), status: 400 },
    { name: "HTTP/1.0", request: handshakeRequest("/ws", {}, { version: "HTTP/1.0" }), status: 400 },
  ];
  for (const row of bad) {
    it(`${row.name} → ${row.status}${row.status === 426 ? " with Sec-WebSocket-Version: 13" : ""}, and the app's own answer is not sent`, async () => {
      const client = await RawClient.connect(server.port);
      try {
        await client.write(row.request);
        const [res] = await client.waitForResponses(1);
        assert.equal(res.status, row.status, res.text);
        if (row.status === 426) assert.equal(res.get("sec-websocket-version"), "13");
        assert.notEqual(res.text, "Expected a WebSocket");
        await sleep(50);
        assert.equal(client.finalResponses().length, 1, `one response only; got ${JSON.stringify(client.text)}`);
      } finally {
        client.destroy();
      }
      await stillServing();
    });
  }

  it("a GET without Upgrade to the WebSocket path gets the app's answer", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/ws`);
    assert.equal(res.status, 426);
    assert.equal(await res.text(), "Expected a WebSocket");
  });

  it("an upgrade asked for after server.stop() began is refused with 503", async () => {
    const entered = deferred();
    const gate = deferred();
    let upgraded: boolean | null = null;
    const s = await startServer({
      async fetch(req, server) {
        entered.resolve();
        await gate.promise;
        upgraded = server.upgrade(req);
        return upgraded ? undefined : new Response("app says no", { status: 418 });
      },
      websocket: { message: () => {} },
    });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(handshakeRequest("/ws"));
      await within(entered.promise, 3000, "the handler to start");
      const stopped = s.stop();
      gate.resolve();
      const [res] = await client.waitForResponses(1);
      assert.equal(res.status, 503);
      assert.equal(upgraded, false);
      await within(stopped, 5000, "stop() to finish");
      assert.ok(await client.waitForClose(2000), "the connection is closed");
    } finally {
      client.destroy();
      await s.stop(true);
    }
  });
});

describe("closeTimeout", () => {
  it("a peer that never answers the server's close is cut after closeTimeout (1 s)", async () => {
    const ws = await RawWs.connect(server.port);
    try {
      await ws.send(wire(`81 88 [01020304] "close-me"`));
      const [frame] = await ws.waitFrames(1);
      const sentAt = Date.now();
      assert.ok(frame && frame.opcode === 8, "the server's close arrives");
      assert.deepEqual(closeOf(frame), { code: 4000, reason: "bye" });
      assert.equal(await ws.client.waitForClose(700), false, "the server waits for the answer before closing");
      assert.ok(await ws.client.waitForClose(3000), "the server cuts the connection");
      const after = Date.now() - sentAt;
      assert.ok(after >= 900 && after < 3000, `cut after ${after} ms`);
    } finally {
      ws.destroy();
    }
  });

  it("a half-open peer (it keeps its side open after a protocol error) is cut after closeTimeout", async () => {
    closes.length = 0;
    const socket = net.connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true });
    try {
      await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
      let data = Buffer.alloc(0);
      let ended = false;
      socket.on("data", (c: Buffer) => (data = Buffer.concat([data, c])));
      socket.on("end", () => (ended = true)); // and do not end our side
      socket.on("error", () => {});
      socket.write(handshakeRequest("/ws"));
      await waitUntil(() => data.indexOf("\r\n\r\n") >= 0, 3000, "101");
      const start = Date.now();
      socket.write(wire(`81 05 "Hello"`)); // unmasked: 1002
      await waitUntil(() => ended, 3000, "the server's FIN");
      await waitUntil(() => closes.some((c) => c.code === 1002), 4000, "the server to drop the half-open connection");
      const after = Date.now() - start;
      assert.ok(after < 3000, `dropped after ${after} ms`);
    } finally {
      socket.destroy();
    }
  });
});

function deflated(data: Buffer): Buffer {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4); // RFC 7692 §7.2.1: drop the 00 00 ff ff tail
}
