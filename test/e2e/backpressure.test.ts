// Backpressure: a 1 GiB upload and a 1 GiB download through a server in a child
// process (test/support/bp-server.ts) must keep that process's RSS flat.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ChunkedCounter } from "../support/http-response.js";

const GIB = 1024 * 1024 * 1024;
const RSS_LIMIT = 250 * 1024 * 1024;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MiB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function startChild(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/bp-server.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`bp-server did not start: ${out}`)), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bp-server exited with ${code}: ${out}`));
    });
  });
}

async function stats(port: number, route: "/rss" | "/reset"): Promise<{ rss?: number; peak: number }> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, { method: route === "/reset" ? "POST" : "GET" });
  return (await res.json()) as { rss?: number; peak: number };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** upload streams `total` bytes from a generator, honouring the socket's backpressure. */
async function upload(port: number, total: number): Promise<number> {
  const socket = await connect(port);
  try {
    const response = new Promise<string>((resolve, reject) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => {
        text += chunk.toString("latin1");
        const end = text.indexOf("\r\n\r\n");
        const length = /content-length: (\d+)/i.exec(text)?.[1];
        if (end !== -1 && length !== undefined && text.length >= end + 4 + Number(length)) resolve(text);
      });
      socket.once("error", reject);
      socket.once("close", () => reject(new Error(`closed before the response: ${text.slice(0, 300)}`)));
    });
    function* pieces(): Generator<Buffer> {
      const piece = Buffer.alloc(1024 * 1024, 0x61);
      for (let sent = 0; sent < total; sent += piece.length) yield piece.subarray(0, Math.min(piece.length, total - sent));
    }
    socket.write(`POST /upload HTTP/1.1\r\nHost: bp\r\nContent-Length: ${total}\r\n\r\n`);
    for (const piece of pieces()) {
      if (!socket.write(piece)) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = () => {
            socket.off("close", onClose);
            resolve();
          };
          const onClose = () => {
            socket.off("drain", onDrain);
            reject(new Error("closed while uploading"));
          };
          socket.once("drain", onDrain);
          socket.once("close", onClose);
        });
      }
    }
    const text = await response;
    assert.match(text, /^HTTP\/1\.1 200 /, text.slice(0, 300));
    return (JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as { bytes: number }).bytes;
  } finally {
    socket.destroy();
  }
}

/** download reads `total` bytes slowly: it pauses 20 ms after every 8 MiB. */
async function download(port: number, total: number): Promise<number> {
  const socket = await connect(port);
  try {
    return await new Promise<number>((resolve, reject) => {
      let head = Buffer.alloc(0);
      let counter: ChunkedCounter | undefined;
      let length: number | undefined;
      let received = 0;
      let sincePause = 0;
      const onBody = (chunk: Buffer) => {
        if (counter) {
          if (counter.push(chunk) !== -1) return resolve(counter.bytes);
        } else {
          received += chunk.length;
          if (length !== undefined && received >= length) return resolve(received);
        }
        sincePause += chunk.length;
        if (sincePause >= 8 * 1024 * 1024) {
          sincePause = 0;
          socket.pause();
          setTimeout(() => socket.resume(), 20);
        }
      };
      socket.on("data", (chunk: Buffer) => {
        if (counter || length !== undefined) return onBody(chunk);
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end === -1) return;
        const text = head.subarray(0, end).toString("latin1");
        if (!/^HTTP\/1\.1 200 /.test(text)) return reject(new Error(`bad response head: ${text}`));
        if (/\r\ntransfer-encoding: chunked/i.test(text)) counter = new ChunkedCounter();
        else length = Number(/\r\ncontent-length: (\d+)/i.exec(text)?.[1] ?? NaN);
        if (Number.isNaN(length)) return reject(new Error(`no framing: ${text}`));
        onBody(head.subarray(end + 4));
      });
      socket.once("error", reject);
      socket.once("close", () => reject(new Error(`closed after ${counter?.bytes ?? received} bytes`)));
      socket.write(`GET /download?size=${total} HTTP/1.1\r\nHost: bp\r\n\r\n`);
    });
  } finally {
    socket.destroy();
  }
}

describe("backpressure keeps memory flat", { timeout: 120_000 }, () => {
  let child: ChildProcess | undefined;
  let port = 0;
  before(async () => {
    ({ child, port } = await startChild());
  });
  after(() => {
    if (child?.pid !== undefined && child.exitCode === null) {
      process.kill(child.pid, "SIGTERM");
      const pid = child.pid;
      setTimeout(() => {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 2000).unref();
    }
  });

  it("a 1 GiB upload is counted exactly with server RSS under 250 MB", async (t) => {
    const baseline = await stats(port, "/reset");
    const bytes = await upload(port, GIB);
    const { peak } = await stats(port, "/rss");
    t.diagnostic(`server RSS: baseline ${MiB(baseline.peak)}, peak ${MiB(peak)}`);
    assert.equal(bytes, GIB);
    assert.ok(peak < RSS_LIMIT, `server RSS peaked at ${MiB(peak)} (baseline ${MiB(baseline.peak)})`);
  });

  it("a 1 GiB download to a slow reader is counted exactly with server RSS under 250 MB", async (t) => {
    const baseline = await stats(port, "/reset");
    const bytes = await download(port, GIB);
    const { peak } = await stats(port, "/rss");
    t.diagnostic(`server RSS: baseline ${MiB(baseline.peak)}, peak ${MiB(peak)}`);
    assert.equal(bytes, GIB);
    assert.ok(peak < RSS_LIMIT, `server RSS peaked at ${MiB(peak)} (baseline ${MiB(baseline.peak)})`);
  });
});
