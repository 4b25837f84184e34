// A connection that closes after its response keeps the queued response until the client has
// taken it: lingerTimeout counts only once nothing is left to send (a client that takes nothing
// at all is sendTimeout's to cut). Here the handler answers a POST with Connection: close without
// reading its body, so the close starts as soon as the answer is queued; the body bytes that
// arrive after it must not stretch the linger either.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { parseResponses } from "../support/http-response.js";
import { within, withServer } from "../support/server.js";

const SIZE = 64 * 1024 * 1024;

async function download(pauseMs: number, sendTimeout = 60_000): Promise<Buffer> {
  const body = new Uint8Array(SIZE).fill(0x62);
  return withServer({ limits: { lingerTimeout: 200, sendTimeout }, fetch: () => new Response(body) }, async (server) => {
    const socket = connect(server.port, "127.0.0.1");
    const parts: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => parts.push(chunk));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.on("error", () => {});
    socket.pause();
    socket.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n" + "x".repeat(1000));
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    socket.resume();
    await within(closed, 20_000, "the connection closes");
    return Buffer.concat(parts);
  });
}

describe("closing after a response", () => {
  for (const pauseMs of [0, 1000]) {
    it(`a client that starts reading after ${pauseMs} ms (lingerTimeout 200 ms) gets the whole answer`, async () => {
      const raw = await download(pauseMs);
      const { responses } = parseResponses(raw);
      assert.equal(responses.length, 1, `got ${raw.length} bytes`);
      assert.equal(responses[0].status, 200);
      assert.equal(responses[0].body.length, SIZE);
    });
  }

  it("body bytes that came with the request do not stretch the linger to bodyTimeout", async () => {
    await withServer({ limits: { lingerTimeout: 200 }, fetch: () => new Response("ok") }, async (server) => {
      // Half-open: the client does not answer the server's FIN. While the server lingers it
      // reads and drops what the client sends; once it has closed, the kernel resets the client.
      const socket = connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true });
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
      const ended = new Promise((resolve) => socket.once("end", resolve));
      const gone = new Promise((resolve) => {
        socket.once("error", resolve);
        socket.once("close", resolve);
      });
      socket.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n" + "x".repeat(1000));
      await within(ended, 3000, "the answer and the server's FIN");
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const poke = setInterval(() => socket.write("x".repeat(100)), 50);
      try {
        await within(gone, 3000, "the server has closed after lingerTimeout, not bodyTimeout (30 s)");
      } finally {
        clearInterval(poke);
        socket.destroy();
      }
    });
  });

  it("a client that takes nothing for longer than sendTimeout (300 ms) is cut, not waited for", async () => {
    const raw = await download(1500, 300);
    assert.ok(raw.length < SIZE, `got ${raw.length} bytes of ${SIZE}`);
  });
});
