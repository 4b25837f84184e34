// A 1 GiB file served by the sockserve CLI (a child process) to a slow raw-socket
// client: every byte arrives, and the child's resident memory (VmRSS sampled from
// /proc, and its VmHWM peak) stays under 150 MB.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, open, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { MB, memoryOf, sampleRss } from "../support/proc-memory.js";
import { startCli, type RunningCli } from "../support/static-cli.js";

const GIB = 1024 * 1024 * 1024;
const RSS_LIMIT = 150 * 1000 * 1000;

/**
 * slowDownload GETs `target` and counts body bytes, checking they are all zero. It pauses
 * 30 ms after every 16 MiB and 1 s after every 256 MiB, so the server must wait on the socket.
 */
function slowDownload(port: number, target: string): Promise<{ head: string; bytes: number; zeros: boolean }> {
  const zero = Buffer.alloc(1024 * 1024);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let head: Buffer | undefined;
    let pending = Buffer.alloc(0);
    let length = -1;
    let bytes = 0;
    let zeros = true;
    let sinceShort = 0;
    let sinceLong = 0;
    const finish = () => {
      socket.destroy();
      resolve({ head: head!.toString("latin1"), bytes, zeros });
    };
    const onBody = (chunk: Buffer) => {
      for (let i = 0; i < chunk.length && zeros; i += zero.length) {
        const piece = chunk.subarray(i, i + zero.length);
        if (!piece.equals(zero.subarray(0, piece.length))) zeros = false;
      }
      bytes += chunk.length;
      sinceShort += chunk.length;
      sinceLong += chunk.length;
      if (bytes >= length) return finish();
      if (sinceLong >= 256 * 1024 * 1024) {
        sinceLong = sinceShort = 0;
        socket.pause();
        setTimeout(() => socket.resume(), 1000);
      } else if (sinceShort >= 16 * 1024 * 1024) {
        sinceShort = 0;
        socket.pause();
        setTimeout(() => socket.resume(), 30);
      }
    };
    socket.on("connect", () => socket.write(`GET ${target} HTTP/1.1\r\nHost: memtest\r\nConnection: close\r\n\r\n`));
    socket.on("data", (chunk: Buffer) => {
      if (head) return onBody(chunk);
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf("\r\n\r\n");
      if (end === -1) return;
      head = pending.subarray(0, end);
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head.toString("latin1"));
      if (!cl) return reject(new Error(`no Content-Length: ${head.toString("latin1")}`));
      length = Number(cl[1]);
      const rest = pending.subarray(end + 4);
      if (rest.length > 0) onBody(rest);
      else if (length === 0) finish();
    });
    socket.on("error", reject);
    socket.on("close", () => {
      if (!head || bytes < length) reject(new Error(`closed after ${bytes} of ${length} body bytes`));
    });
  });
}

describe("serving 1 GiB from the CLI", () => {
  let dir: string;
  let running: RunningCli | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "sockserve-mem-"));
    const file = await open(path.join(dir, "big.bin"), "w");
    await file.truncate(GIB); // sparse: no disk space, reads as zeros
    await file.close();
  });
  after(async () => {
    await running?.cli.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("sends every byte to a slow client with the server's RSS under 150 MB", { timeout: 150_000 }, async (t) => {
    running = await startCli([dir, "-p", "0", "--quiet"]);
    const pid = running.cli.pid;
    const start = memoryOf(pid);
    const sampler = sampleRss(pid);
    let result: Awaited<ReturnType<typeof slowDownload>>;
    let peak: number;
    try {
      result = await slowDownload(running.port, "/big.bin");
    } finally {
      peak = sampler.stop();
    }
    assert.ok(running.cli.running, `the server died: ${running.cli.stderr}`);
    const end = memoryOf(pid);
    assert.match(result.head, /^HTTP\/1\.1 200 /);
    assert.match(result.head, new RegExp(`\\r\\ncontent-length: ${GIB}\\r\\n`, "i"));
    assert.equal(result.bytes, GIB, "body bytes received");
    assert.ok(result.zeros, "the sparse file should read as zeros");
    const report = `RSS at start ${MB(start.rss)}, sampled peak ${MB(peak)}, VmHWM ${MB(end.hwm)}`;
    t.diagnostic(report);
    assert.ok(peak < RSS_LIMIT, report);
    assert.ok(end.hwm < RSS_LIMIT, report);
  });
});
