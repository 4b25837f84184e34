// A streamed body whose reader recycles its chunks (as the static file reader does) gets each
// chunk back exactly once, and only after the socket is done with it: a chunk is poisoned the
// moment it comes back, so an early return would show up as corrupt bytes at the client.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { LightResponse, ReaderBody } from "../../src/fetch/light-response.js";
import type { BodyReader } from "../../src/http/exchange.js";
import { makeCert } from "../support/ops-tls.js";
import { withServer, type ServeOptions } from "../support/server.js";

const CHUNK = 256 * 1024;
const CHUNKS = 24; // 6 MiB: more than loopback's socket buffers, so writes queue

/** LendingReader yields numbered patterned chunks and records (and poisons) every returned one. */
class LendingReader implements BodyReader {
  next = 0;
  returned: number[] = [];
  #chunks = new Map<Uint8Array, number>();

  async read(): Promise<{ done: boolean; value?: Uint8Array }> {
    if (this.next === CHUNKS) return { done: true };
    const value = Buffer.alloc(CHUNK, this.next + 1);
    this.#chunks.set(value, this.next++);
    return { done: false, value };
  }

  cancel(): void {}

  recycle(chunk: Uint8Array): void {
    const index = this.#chunks.get(chunk);
    assert.notEqual(index, undefined, "a chunk this reader lent");
    this.returned.push(index!);
    chunk.fill(0xee); // what reuse would do to bytes still on their way
  }
}

function expectedHash(): string {
  const hash = createHash("sha256");
  for (let i = 0; i < CHUNKS; i++) hash.update(Buffer.alloc(CHUNK, i + 1));
  return hash.digest("hex");
}

/** slowDownload reads a response through `socket`, pausing often so the server's writes queue. */
function slowDownload(socket: NodeJS.ReadWriteStream & { destroy(): void }, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let seen = 0;
    socket.on("data", (chunk: Buffer) => {
      parts.push(chunk);
      seen += chunk.length;
      if (seen > 512 * 1024) {
        seen = 0;
        socket.pause();
        setTimeout(() => socket.resume(), 5);
      }
    });
    socket.on("end", () => resolve(Buffer.concat(parts)));
    socket.on("error", reject);
    socket.write(request);
  });
}

function bodyOf(raw: Buffer): Buffer {
  const end = raw.indexOf("\r\n\r\n");
  assert.ok(end > 0, "a response head");
  assert.match(raw.subarray(0, end).toString("latin1"), /^HTTP\/1\.1 200 /);
  return raw.subarray(end + 4);
}

async function check(options: Partial<ServeOptions>, open: (port: number) => NodeJS.ReadWriteStream & { destroy(): void }): Promise<void> {
  const readers: LendingReader[] = [];
  const fetch = (): Response => {
    const reader = new LendingReader();
    readers.push(reader);
    return LightResponse.trusted(200, [["Content-Type", "application/octet-stream"]], new ReaderBody(() => reader, CHUNK * CHUNKS));
  };
  await withServer({ ...options, fetch }, async (server) => {
    const request = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    const bodies = await Promise.all([0, 1, 2].map(() => slowDownload(open(server.port), request).then(bodyOf)));
    for (const body of bodies) {
      assert.equal(body.length, CHUNK * CHUNKS);
      assert.equal(createHash("sha256").update(body).digest("hex"), expectedHash(), "no returned chunk was reused too early");
    }
  });
  assert.equal(readers.length, 3);
  for (const reader of readers) {
    assert.deepEqual([...reader.returned].sort((a, b) => a - b), Array.from({ length: CHUNKS }, (_, i) => i), "every chunk back exactly once");
  }
}

describe("lent response chunks", () => {
  const dir = mkdtempSync(join(tmpdir(), "sockserve-lent-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("over TCP: each chunk comes back once, after it was sent", async () => {
    await check({}, (port) => connect(port, "127.0.0.1"));
  });

  it("over TLS: each chunk comes back once, after it was encrypted", async () => {
    const cert = makeCert(dir, "lent", "localhost");
    await check({ tls: { cert: cert.cert, key: cert.key } }, (port) => tlsConnect({ port, host: "127.0.0.1", rejectUnauthorized: false }));
  });
});
