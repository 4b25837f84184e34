// A streamed body whose reader recycles its chunks (as the static file reader does) gets each
// chunk back exactly once, and only after the socket is done with it: a chunk is poisoned the
// moment it comes back, so an early return would show up as corrupt bytes at the client. Over
// TCP and TLS, with HTTP/1.1 and HTTP/2 (where a chunk leaves as many DATA frames).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { LightResponse, ReaderBody } from "../../src/fetch/light-response.js";
import type { BodyReader } from "../../src/http/exchange.js";
import { SettingId } from "../../src/http2/frame-types.js";
import { H2Peer } from "../support/h2-peer.js";
import { makeCert, type Cert } from "../support/ops-tls.js";
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

/** h2Download asks for `/` on three streams of one HTTP/2 connection with every window open, pausing its reads often. */
async function h2Download(socket: Duplex): Promise<Buffer[]> {
  const peer = new H2Peer(socket, { credit: false }).start([{ id: SettingId.INITIAL_WINDOW_SIZE, value: 2 ** 31 - 1 }]);
  try {
    peer.windowUpdate(0, 2 ** 31 - 1 - 65_535);
    let seen = 0;
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen < 512 * 1024) return;
      seen = 0;
      socket.pause();
      setTimeout(() => socket.resume(), 5);
    });
    for (const id of [1, 3, 5]) peer.get(id, "/");
    const responses = await Promise.all([1, 3, 5].map((id) => peer.response(id, 30_000)));
    for (const r of responses) assert.deepEqual([r.status, r.reset], [200, null]);
    return responses.map((r) => r.body);
  } finally {
    peer.close();
  }
}

/** Download fetches three copies of the response at `port`. */
type Download = (port: number) => Promise<Buffer[]>;

/** http1 downloads over three HTTP/1.1 connections opened by `open`. */
function http1(open: (port: number) => NodeJS.ReadWriteStream & { destroy(): void }): Download {
  const request = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  return (port) => Promise.all([0, 1, 2].map(() => slowDownload(open(port), request).then(bodyOf)));
}

async function check(options: Partial<ServeOptions>, download: Download): Promise<void> {
  const readers: LendingReader[] = [];
  const fetch = (): Response => {
    const reader = new LendingReader();
    readers.push(reader);
    return LightResponse.trusted(200, [["Content-Type", "application/octet-stream"]], new ReaderBody(() => reader, CHUNK * CHUNKS));
  };
  await withServer({ ...options, fetch }, async (server) => {
    const bodies = await download(server.port);
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

  let cert: Cert | null = null;
  const tlsOptions = (): Partial<ServeOptions> => {
    cert ??= makeCert(dir, "lent", "localhost");
    return { tls: { cert: cert.cert, key: cert.key } };
  };

  it("over TCP: each chunk comes back once, after it was sent", async () => {
    await check({}, http1((port) => connect(port, "127.0.0.1")));
  });

  it("over TLS: each chunk comes back once, after it was encrypted", async () => {
    await check(tlsOptions(), http1((port) => tlsConnect({ port, host: "127.0.0.1", rejectUnauthorized: false })));
  });

  it("over h2c: each chunk comes back once, after every frame holding its bytes was sent", async () => {
    await check({ http2: true }, (port) => h2Download(connect(port, "127.0.0.1")));
  });

  it("over h2 (TLS): each chunk comes back once, after every frame holding its bytes was encrypted", async () => {
    await check(tlsOptions(), (port) => h2Download(tlsConnect({ port, host: "127.0.0.1", ALPNProtocols: ["h2"], rejectUnauthorized: false })));
  });
});
