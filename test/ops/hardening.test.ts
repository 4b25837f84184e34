// Hostile clients, bounded and on loopback only. The server runs in a child process with
// `ulimit -n 20000` (test/support/ops-hardening-server.ts) so its memory is measured alone:
// - 1,000 slowloris connections (a header byte every 2 s, never finishing) and 1,000 slow readers
//   (a big response read one byte at a time from a paused socket), while normal clients are
//   answered with p99 latency under 50 ms over 200 requests, and the server's RSS stays under
//   300 MB; every slowloris connection gets 408 and is closed after headerTimeout (15 s here).
// - maxConnections 50: the 51st connection is refused promptly, and the log line appears once.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { OpsClient } from "../support/ops-client.js";
import { OpsProcess, tsxArgs } from "../support/ops-cli.js";
import { MB, memoryOf } from "../support/proc-memory.js";

const HEADER_TIMEOUT = 15_000;
const SLOWLORIS = 1000;
const SLOW_READERS = 1000;
const RSS_LIMIT = 300 * 1000 * 1000;
const PER_STATIC_READER = 0.75 * 1000 * 1000; // bytes of RSS per stalled reader of a large static file
const P99_LIMIT_MS = 50;

/** softOpenFiles is this (client) process's soft RLIMIT_NOFILE: it holds 2,000 sockets. */
function softOpenFiles(): number {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"))!;
  const soft = line.replace("Max open files", "").trim().split(/\s+/)[0];
  return soft === "unlimited" ? Infinity : Number(soft);
}

before(() => {
  const soft = softOpenFiles();
  assert.ok(soft >= SLOWLORIS + SLOW_READERS + 500, `the test process may open only ${soft} files; run it under ulimit -n 4096 or more`);
});

/** openMany opens `count` connections, `batch` at a time. */
async function openMany(port: number, count: number, batch = 100): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect({ port, host: "127.0.0.1" });
          socket.once("connect", () => {
            socket.off("error", reject);
            socket.on("error", () => {});
            resolve(socket);
          });
          socket.once("error", reject);
        }),
      ),
    );
    sockets.push(...opened);
  }
  return sockets;
}

/** startServer runs the hardening server in a child under `ulimit -n 20000`. */
async function startServer(options: Record<string, unknown>, root: string): Promise<{ proc: OpsProcess; port: number }> {
  const proc = new OpsProcess(tsxArgs("test/support/ops-hardening-server.ts", JSON.stringify({ ...options, root })), { ulimit: 20_000 });
  try {
    const match = await proc.waitForLine(/^PORT (\d+)$/m, 30_000);
    return { proc, port: Number(match[1]) };
  } catch (err) {
    await proc.kill();
    throw err;
  }
}

/** timedRequest sends one GET / and resolves with the ms until its complete answer. */
async function timedRequest(client: OpsClient | null, port: number): Promise<{ ms: number; client: OpsClient }> {
  const start = performance.now();
  const c = client ?? (await OpsClient.connect({ port }));
  const before = c.finalResponses().length;
  await c.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const responses = await c.waitForResponses(before + 1, { timeoutMs: 10_000 });
  const ms = performance.now() - start;
  assert.equal(responses.at(-1)!.status, 200);
  assert.equal(responses.at(-1)!.text, "ok");
  return { ms, client: c };
}

/** waitUntil polls `predicate` every 100 ms; false after `timeoutMs`. */
async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** serverFixture starts the hardening server before a describe block's tests and stops it after them. */
function serverFixture(options: Record<string, unknown>, prefix: string): () => { proc: OpsProcess; port: number } {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  let server: { proc: OpsProcess; port: number } | undefined;
  before(async () => {
    server = await startServer(options, root);
  });
  after(async () => {
    await server?.proc.kill();
    rmSync(root, { recursive: true, force: true });
  });
  return () => server!;
}

/** RssSampler samples a process's RSS every 100 ms from its start: `peak` is the highest seen. */
class RssSampler {
  readonly baseline: number;
  peak: number;
  #timer: NodeJS.Timeout;

  constructor(readonly proc: OpsProcess) {
    this.baseline = memoryOf(proc.pid).rss;
    this.peak = this.baseline;
    this.#timer = setInterval(() => {
      if (proc.running) this.sample();
    }, 100);
  }

  /** sample reads RSS and VmHWM now, counting the RSS towards the peak. */
  sample(): { rss: number; hwm: number } {
    const now = memoryOf(this.proc.pid);
    this.peak = Math.max(this.peak, now.rss);
    return now;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

describe("slowloris and slow readers", () => {
  const server = serverFixture({ headerTimeout: HEADER_TIMEOUT }, "sockserve-hardening-");

  it("normal clients keep p99 < 50 ms, RSS stays < 300 MB, slowloris gets 408 after headerTimeout", async (t) => {
    const { proc, port } = server();
    const rssSampler = new RssSampler(proc);
    const timers: NodeJS.Timeout[] = [];
    let loris: net.Socket[] = [];
    let readers: net.Socket[] = [];
    try {
      // Slow readers: each asks for 8 MiB, then reads one byte every 200 ms from a paused socket.
      readers = await openMany(port, SLOW_READERS);
      const readerPrefix = readers.map(() => "");
      for (const s of readers) {
        s.pause();
        s.write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
      }
      timers.push(
        setInterval(() => {
          readers.forEach((s, i) => {
            const byte = s.read(1) as Buffer | null;
            if (byte !== null) readerPrefix[i] += byte.toString("latin1");
          });
        }, 200),
      );

      // Slowloris: a request line and a header byte every 2 s, never the end of the head.
      const lorisOpened = Date.now();
      loris = await openMany(port, SLOWLORIS);
      const lorisData = loris.map(() => "");
      const lorisEnded = loris.map(() => 0);
      loris.forEach((s, i) => {
        s.setEncoding("latin1");
        s.on("data", (d: string) => (lorisData[i] += d));
        s.on("end", () => (lorisEnded[i] ||= Date.now()));
        s.on("close", () => (lorisEnded[i] ||= Date.now()));
        s.write("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
      });
      let tick = 0;
      timers.push(
        setInterval(() => {
          tick++;
          loris.forEach((s, i) => {
            if (i % 10 === tick % 10 && !s.destroyed && s.writable) s.write("a");
          });
        }, 200),
      );

      // The ramp: the server fills 1,000 kernel send buffers (about 2 MB each on loopback) before
      // the readers' backpressure holds it. Measure once every reader has its status line.
      const rampStart = Date.now();
      const settled = await waitUntil(() => readerPrefix.every((p) => p.length >= 12), 30_000);
      assert.ok(settled, `slow readers with a status line: ${readerPrefix.filter((p) => p.length >= 12).length}`);
      const warmup = await timedRequest(null, port);
      warmup.client.destroy();
      t.diagnostic(`ramp: ${Date.now() - rampStart} ms until every slow reader had its status line; first request after it ${warmup.ms.toFixed(1)} ms`);

      // Meanwhile, 200 normal requests: 100 on fresh connections, 100 on one keep-alive connection.
      const latencies: number[] = [];
      const kinds: string[] = [];
      let keepAlive: OpsClient | null = null;
      for (let i = 0; i < 200; i++) {
        if (i % 2 === 0) {
          const { ms, client } = await timedRequest(null, port);
          client.destroy();
          latencies.push(ms);
          kinds.push(`#${i} fresh`);
        } else {
          const { ms, client } = await timedRequest(keepAlive, port);
          keepAlive = client;
          latencies.push(ms);
          kinds.push(`#${i} keep-alive`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      keepAlive?.destroy();
      const lorisOpenDuringMeasure = lorisEnded.every((e) => e === 0);
      const sorted = [...latencies].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      const worst = latencies.map((ms, i) => ({ ms, kind: kinds[i] })).sort((a, b) => b.ms - a.ms).slice(0, 3);
      t.diagnostic(`normal requests: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; slowest: ${worst.map((w) => `${w.kind} ${w.ms.toFixed(1)} ms`).join(", ")}`);

      // Slowloris: 408, then the connection closes, once headerTimeout has passed.
      const deadline = lorisOpened + HEADER_TIMEOUT + 15_000;
      while (Date.now() < deadline && lorisEnded.some((e) => e === 0)) await new Promise((r) => setTimeout(r, 200));
      const stillOpen = lorisEnded.filter((e) => e === 0).length;
      const rss = rssSampler.sample();
      const { baseline, peak } = rssSampler;
      t.diagnostic(`server RSS: baseline ${MB(baseline)}, peak sampled ${MB(peak)}, VmHWM ${MB(rss.hwm)}`);

      const readersServed = readerPrefix.filter((p) => p.startsWith("HTTP/1.1 200 ")).length;
      assert.equal(readersServed, SLOW_READERS, `every slow reader is being served: ${readersServed} have a 200 status line`);
      assert.ok(readers.every((s) => !s.destroyed), "the slow readers were still connected at the end");
      assert.equal(stillOpen, 0, `${stillOpen} slowloris connections still open ${HEADER_TIMEOUT + 15_000} ms after they started`);
      const got408 = lorisData.filter((d) => d.startsWith("HTTP/1.1 408 ")).length;
      assert.equal(got408, SLOWLORIS, `every slowloris connection gets 408 (sample: ${JSON.stringify(lorisData.find((d) => !d.startsWith("HTTP/1.1 408 ")))})`);
      const earliest = Math.min(...lorisEnded) - lorisOpened;
      assert.ok(earliest >= HEADER_TIMEOUT - 1000, `closed after headerTimeout, not before: the first closed after ${earliest} ms`);
      assert.ok(proc.running, `the server is alive; stderr: ${proc.stderr}`);
      assert.ok(lorisOpenDuringMeasure, "all 1,000 slowloris connections were open through the measurement");
      assert.ok(p99 < P99_LIMIT_MS, `p99 ${p99.toFixed(1)} ms >= ${P99_LIMIT_MS} ms (p50 ${p50.toFixed(1)} ms)`);
      assert.ok(peak < RSS_LIMIT, `server RSS peaked at ${MB(peak)} (limit ${MB(RSS_LIMIT)})`);
      assert.ok(rss.hwm < RSS_LIMIT, `server VmHWM ${MB(rss.hwm)} (limit ${MB(RSS_LIMIT)})`);
    } finally {
      rssSampler.stop();
      for (const timer of timers) clearInterval(timer);
      for (const s of [...loris, ...readers]) s.destroy();
    }
  });
});

describe("slow readers of a big static file", () => {
  const server = serverFixture({ headerTimeout: HEADER_TIMEOUT }, "sockserve-hardening-file-");

  it("1,000 paused readers of an 8 MiB file (serveStatic) cost a bounded amount of memory each", async (t) => {
    const { proc, port } = server();
    const rssSampler = new RssSampler(proc);
    let readers: net.Socket[] = [];
    const prefix: string[] = [];
    const reader = setInterval(() => {
      readers.forEach((s, i) => {
        const byte = s.read(1) as Buffer | null;
        if (byte !== null) prefix[i] = (prefix[i] ?? "") + byte.toString("latin1");
      });
    }, 200);
    try {
      readers = await openMany(port, SLOW_READERS);
      for (const s of readers) {
        s.pause();
        s.write("GET /file HTTP/1.1\r\nHost: a\r\n\r\n");
      }
      assert.ok(await waitUntil(() => readers.every((_, i) => (prefix[i] ?? "").length >= 12), 30_000), "every reader got its status line");
      await new Promise((r) => setTimeout(r, 2000));
      const { ms, client } = await timedRequest(null, port);
      client.destroy();
      const { hwm } = memoryOf(proc.pid);
      const { baseline, peak } = rssSampler;
      t.diagnostic(`server RSS: baseline ${MB(baseline)}, peak sampled ${MB(peak)}, VmHWM ${MB(hwm)}; a normal request meanwhile: ${ms.toFixed(1)} ms`);
      assert.equal(prefix.filter((p) => p.startsWith("HTTP/1.1 200 ")).length, SLOW_READERS);
      // Each stalled reader holds at most one 128 KiB file read in the process (the rest waits in
      // the kernel's socket buffer), plus reads already sent and not yet collected: bounded per
      // reader, not growing with the 8 MiB file.
      const perReader = (peak - baseline) / SLOW_READERS;
      assert.ok(perReader < PER_STATIC_READER, `server RSS grew ${MB(perReader)} per slow reader of one file (limit ${MB(PER_STATIC_READER)}; peak ${MB(peak)})`);
    } finally {
      rssSampler.stop();
      clearInterval(reader);
      for (const s of readers) s.destroy();
    }
  });
});

describe("maxConnections", () => {
  const server = serverFixture({ maxConnections: 50, size: 1024 }, "sockserve-maxconn-");

  it("connections beyond 50 are refused promptly; the log says so once, not per connection", async () => {
    const { proc, port } = server();
    const held: OpsClient[] = [];
    const extra: OpsClient[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        const c = await OpsClient.connect({ port });
        await c.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        await c.waitForResponses(1);
        held.push(c);
      }
      for (let i = 0; i < 20; i++) {
        const c = await OpsClient.connect({ port });
        extra.push(c);
        await c.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      }
      for (const [i, c] of extra.entries()) {
        assert.ok(await c.waitForClose(2000), `connection ${51 + i} is closed promptly`);
        assert.equal(c.data.length, 0, `connection ${51 + i} got no answer: ${JSON.stringify(c.text)}`);
      }
      // The 50 held connections still work.
      await held[0].write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.equal((await held[0].waitForResponses(2))[1].text, "ok");

      await proc.until(() => /maxConnections/.test(proc.stderr), 2000);
      await new Promise((r) => setTimeout(r, 300));
      const lines = proc.stderr.split("\n").filter((l) => l.includes("maxConnections"));
      assert.equal(lines.length, 1, `one log line for 20 refused connections, got:\n${lines.join("\n")}`);
      assert.match(lines[0], /maxConnections \(50\) reached/);

      // A slot frees up when a connection closes.
      held.pop()!.destroy();
      await new Promise((r) => setTimeout(r, 200));
      const again = await OpsClient.connect({ port });
      extra.push(again);
      await again.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.equal((await again.waitForResponses(1))[0].text, "ok");
    } finally {
      for (const c of [...held, ...extra]) c.destroy();
    }
  });
});
