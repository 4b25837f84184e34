// sendTimeout: a client that stops taking response bytes is cut after sendTimeout, and a slow
// client that keeps taking them is never cut, however long its download lasts. Also the same
// over TLS, where progress is seen in whole writes.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { defaultLimits } from "../../src/index.js";
import { makeCert } from "../support/ops-tls.js";
import { deferred, within, withServer, type ServeOptions } from "../support/server.js";

const MiB = 1024 * 1024;
const SEND_TIMEOUT = 400;
const REQUEST = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

/** big streams `size` bytes in 256 KiB chunks and reports when the server cancels it. */
function big(size: number, cancelled: () => void): () => Response {
  return () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        const n = Math.min(256 * 1024, size - sent);
        sent += n;
        controller.enqueue(new Uint8Array(n).fill(0x61));
      },
      cancel: () => cancelled(),
    });
    return new Response(body, { headers: { "Content-Length": String(size) } });
  };
}

type Open = (port: number) => Socket;

/** stalledClient asks for the body and never reads; it resolves how many bytes it got when it finally reads. */
async function neverReads(options: Partial<ServeOptions>, open: Open): Promise<{ got: number; elapsed: number }> {
  const cancelled = deferred();
  return withServer({ ...options, limits: { sendTimeout: SEND_TIMEOUT }, fetch: big(256 * MiB, () => cancelled.resolve()) }, async (server) => {
    const socket = open(server.port);
    socket.pause();
    const start = Date.now();
    socket.write(REQUEST);
    await within(cancelled.promise, 10_000, "the server gives up on a client that takes nothing");
    const elapsed = Date.now() - start;
    let got = 0;
    socket.on("data", (chunk: Buffer) => (got += chunk.length));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.resume();
    await within(closed, 10_000, "the client sees the connection end");
    return { got, elapsed };
  });
}

/** slowReader reads in bursts with pauses shorter than sendTimeout; it resolves the body length. */
async function slowReader(options: Partial<ServeOptions>, open: Open, size: number): Promise<{ got: number; elapsed: number }> {
  return withServer({ ...options, limits: { sendTimeout: SEND_TIMEOUT }, fetch: big(size, () => {}) }, async (server) => {
    const socket = open(server.port);
    const start = Date.now();
    let got = 0;
    let burst = 0;
    const done = new Promise<void>((resolve, reject) => {
      socket.on("data", (chunk: Buffer) => {
        got += chunk.length;
        burst += chunk.length;
        if (burst > 2 * MiB) {
          burst = 0;
          socket.pause();
          setTimeout(() => socket.resume(), SEND_TIMEOUT / 2);
        }
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    socket.write(REQUEST);
    await within(done, 60_000, "the slow download ends");
    return { got, elapsed: Date.now() - start };
  });
}

const headOf = 200; // the response head is well under this many bytes

describe("sendTimeout", () => {
  const dir = mkdtempSync(join(tmpdir(), "sockserve-send-timeout-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const tcp: Open = (port) => connect(port, "127.0.0.1");
  let tls: { options: Partial<ServeOptions>; open: Open } | null = null;
  const tlsSetup = (): { options: Partial<ServeOptions>; open: Open } => {
    if (tls === null) {
      const cert = makeCert(dir, "send", "localhost");
      tls = { options: { tls: { cert: cert.cert, key: cert.key } }, open: (port) => tlsConnect({ port, host: "127.0.0.1", rejectUnauthorized: false }) };
    }
    return tls;
  };

  it("defaults to 60 s, as nginx's send_timeout", () => {
    assert.equal(defaultLimits.sendTimeout, 60_000);
  });

  it("over TCP: a client that takes nothing is cut after sendTimeout, with the body unfinished", async () => {
    const { got, elapsed } = await neverReads({}, tcp);
    assert.ok(elapsed >= SEND_TIMEOUT, `cut after ${elapsed} ms`);
    assert.ok(got < 256 * MiB, `got ${got} bytes of 256 MiB`);
  });

  it("over TCP: a slow client that keeps taking bytes gets all of a download that outlasts sendTimeout", async () => {
    const size = 24 * MiB;
    const { got, elapsed } = await slowReader({}, tcp, size);
    assert.ok(got > size && got < size + headOf, `got ${got} bytes for a ${size}-byte body`);
    assert.ok(elapsed > 2 * SEND_TIMEOUT, `the download took ${elapsed} ms`);
  });

  it("over TLS: a client that takes nothing is cut", async () => {
    const { options, open } = tlsSetup();
    const { got } = await neverReads(options, open);
    assert.ok(got < 256 * MiB, `got ${got} bytes of 256 MiB`);
  });

  it("over TLS: a slow client that keeps taking bytes gets everything", async () => {
    const { options, open } = tlsSetup();
    const size = 16 * MiB;
    const { got, elapsed } = await slowReader(options, open, size);
    assert.ok(got > size && got < size + headOf, `got ${got} bytes for a ${size}-byte body`);
    assert.ok(elapsed > 2 * SEND_TIMEOUT, `the download took ${elapsed} ms`);
  });
});
