// Large files stream through pooled read buffers that are reused once the socket has sent them.
// Several different files downloaded at once, by slow and fast readers, whole and in ranges,
// must arrive byte for byte: a buffer reused too early would mix one file's bytes into another.
// Over HTTP/2 the chunks are cut into DATA frames of many streams on one connection, and returned
// to the pool only after the last frame cut from them has been written.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { serveStatic } from "../../src/index.js";
import { startServer, type Server } from "../support/server.js";

const MiB = 1024 * 1024;
const sizes = [6 * MiB + 123, 5 * MiB, 2 * MiB + 1, 9 * MiB - 7];
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** download reads a response body, stalling now and then when `slow`, so the server's writes queue. */
async function download(url: string, headers: Record<string, string>, slow: boolean): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url, { headers });
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  let since = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    parts.push(r.value);
    since += r.value.length;
    if (slow && since > 768 * 1024) {
      since = 0;
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
  }
  return { status: res.status, body: Buffer.concat(parts) };
}

describe("large files through pooled buffers", () => {
  const root = mkdtempSync(join(tmpdir(), "sockserve-large-"));
  const files = sizes.map((size, i) => ({ name: `f${i}.bin`, bytes: randomBytes(size) }));
  let server: Server;
  before(async () => {
    for (const f of files) writeFileSync(join(root, f.name), f.bytes);
    server = await startServer({ fetch: serveStatic({ root }) });
  });
  after(async () => {
    await server.stop(true);
    rmSync(root, { recursive: true, force: true });
  });

  it("four different files, twice each, slow and fast readers at once: every byte right", async () => {
    const jobs = files.flatMap((f, i) => [i % 2 === 0, i % 2 === 1].map(async (slow) => {
      const { status, body } = await download(`${server.url}${f.name}`, {}, slow);
      assert.equal(status, 200);
      assert.equal(body.length, f.bytes.length, f.name);
      assert.equal(sha(body), sha(f.bytes), `${f.name} (${slow ? "slow" : "fast"} reader)`);
    }));
    await Promise.all(jobs);
  });

  it("ranges of the files at once, each the exact slice", async () => {
    const ranges = files.map((f, i) => ({ f, start: 1000 * i + 7, end: Math.min(f.bytes.length - 1, 1000 * i + 7 + 3 * MiB + i) }));
    await Promise.all(ranges.map(async ({ f, start, end }, i) => {
      const { status, body } = await download(`${server.url}${f.name}`, { range: `bytes=${start}-${end}` }, i % 2 === 0);
      assert.equal(status, 206);
      assert.equal(sha(body), sha(f.bytes.subarray(start, end + 1)), `${f.name} bytes ${start}-${end}`);
    }));
  });
});

/** download2 reads one stream's body on `session`, pausing now and then when `slow`. */
function download2(session: http2.ClientHttp2Session, path: string, slow: boolean): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": path });
    const parts: Buffer[] = [];
    let status = 0;
    let since = 0;
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.on("data", (chunk: Buffer) => {
      parts.push(chunk);
      since += chunk.length;
      if (slow && since > 768 * 1024) {
        since = 0;
        stream.pause();
        setTimeout(() => stream.resume(), 3);
      }
    });
    stream.on("end", () => resolve({ status, body: Buffer.concat(parts) }));
    stream.on("error", reject);
  });
}

describe("large files through pooled buffers, over HTTP/2", () => {
  const root = mkdtempSync(join(tmpdir(), "sockserve-large-h2-"));
  const files = sizes.map((size, i) => ({ name: `f${i}.bin`, bytes: randomBytes(size) }));
  let server: Server;
  before(async () => {
    for (const f of files) writeFileSync(join(root, f.name), f.bytes);
    server = await startServer({ http2: true, fetch: serveStatic({ root }) });
  });
  after(async () => {
    await server.stop(true);
    rmSync(root, { recursive: true, force: true });
  });

  it("eight streams of four files on one connection, slow and fast: every byte right", async () => {
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      const jobs = files.flatMap((f, i) => [i % 2 === 0, i % 2 === 1].map(async (slow) => {
        const { status, body } = await download2(session, `/${f.name}`, slow);
        assert.equal(status, 200);
        assert.equal(body.length, f.bytes.length, f.name);
        assert.equal(sha(body), sha(f.bytes), `${f.name} (${slow ? "slow" : "fast"} reader)`);
      }));
      await Promise.all(jobs);
    } finally {
      session.close();
    }
  });
});
