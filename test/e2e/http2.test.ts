// HTTP/2 with real clients over real TCP and TLS: curl (--http2-prior-knowledge and --http2 by
// ALPN), nghttp, h2load, Node's node:http2 client (a test client only): the same fetch handler
// sees the same Request on HTTP/1.1 and HTTP/2, and h2c shares its port with HTTP/1.1.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http2 from "node:http2";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import tls from "node:tls";
import { formatAccessLog, type AccessLogEntry } from "../../src/server/access-log.js";
import { startOpsCli } from "../support/ops-cli.js";
import { makeCert, type Cert } from "../support/ops-tls.js";
import { deferred, startServer, type Server } from "../support/server.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const curl = (args: string[]): Promise<Run> => run("curl", ["--silent", "--show-error", "--max-time", "20", ...args]);
const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** seen describes a Request the way the handler saw it, protocol-neutrally. */
interface Seen {
  url: string;
  method: string;
  headers: [string, string][];
  body: string;
}

function app(seen: Seen[]) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname === "/echo") {
      // streamed both ways: each request chunk is sent on as it arrives
      const reader = request.body!.getReader();
      return new Response(new ReadableStream({ async pull(c) {
        const { done, value } = await reader.read();
        if (done) c.close();
        else c.enqueue(value);
      } }));
    }
    if (url.pathname === "/big") return new Response(new Uint8Array(3 << 20).fill(120));
    const body = request.body === null ? "" : await request.text();
    seen.push({ url: request.url, method: request.method, headers: [...request.headers].filter(([n]) => n !== "host"), body });
    return new Response(`hello ${url.pathname}`, { headers: { "X-Proto": "yes", "Transfer-Encoding": "chunked", Connection: "keep-alive" } });
  };
}

describe("HTTP/2 over h2c (http2: true)", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  const log: AccessLogEntry[] = [];

  before(async () => {
    server = await startServer({ http2: true, fetch: app(seen), accessLog: (e) => log.push(e) });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.stop(true));

  it("answers curl --http2-prior-knowledge, dropping connection-specific response fields", async () => {
    const r = await curl(["--http2-prior-knowledge", "-i", `${base}/a?x=1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^HTTP\/2 200/);
    assert.match(r.stdout, /x-proto: yes/);
    assert.doesNotMatch(r.stdout, /transfer-encoding|connection:/i);
    assert.match(r.stdout, /hello \/a$/);
    const entry = log.find((e) => e.target === "/a?x=1")!;
    assert.match(formatAccessLog("common", entry), /"GET \/a\?x=1 HTTP\/2\.0" 200/);
  });

  it("survives peers that reset or close before their first byte, while it waits to tell h2c from HTTP/1.1", async () => {
    for (let i = 0; i < 20; i++) {
      const socket = connect({ port: server.port, host: "127.0.0.1" });
      socket.on("error", () => {});
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      if (i % 2 === 0) socket.resetAndDestroy();
      else socket.end();
    }
    const r = await curl(["--http2-prior-knowledge", `${base}/after-resets`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello \/after-resets$/);
  });

  it("shows the same Request to the handler over HTTP/1.1 and HTTP/2", async () => {
    seen.length = 0;
    for (const flag of ["--http1.1", "--http2-prior-knowledge"]) {
      const r = await curl([flag, "-H", "X-Test: 1", "-H", "Cookie: a=1", "-H", "Cookie: b=2", "--data-binary", "payload", `${base}/same?q=2`]);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(seen.length, 2);
    const [h1, h2] = seen as [Seen, Seen];
    assert.equal(h2.url, h1.url);
    assert.equal(h2.method, h1.method);
    assert.equal(h2.body, "payload");
    assert.ok(h2.headers.every(([n]) => !n.startsWith(":")));
    const names = (s: Seen): string[] => s.headers.map(([n]) => n).sort();
    assert.deepEqual(names(h2), names(h1));
  });

  it("streams a request body through and back (3 MiB), and a 3 MiB response", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sockserve-h2-"));
    try {
      const data = randomBytes(3 << 20);
      writeFileSync(path.join(dir, "up.bin"), data);
      const up = await run("curl", ["-s", "--http2-prior-knowledge", "--data-binary", `@${path.join(dir, "up.bin")}`, "-o", path.join(dir, "down.bin"), "-w", "%{http_version}", `${base}/echo`]);
      assert.equal(up.stdout, "2", up.stderr);
      const { readFileSync } = await import("node:fs");
      assert.equal(sha256(readFileSync(path.join(dir, "down.bin"))), sha256(data));
      const big = await run("curl", ["-s", "--http2-prior-knowledge", "-o", path.join(dir, "big.bin"), "-w", "%{size_download}", `${base}/big`]);
      assert.equal(big.stdout, String(3 << 20));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps HTTP/1.1 on the same port, pipelining included", async () => {
    const sock = connect(server.port, "127.0.0.1");
    let out = "";
    sock.on("data", (c: Buffer) => (out += c.toString("latin1")));
    sock.write("GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await new Promise((resolve) => sock.on("close", resolve));
    assert.equal(out.match(/HTTP\/1\.1 200/g)?.length, 2);
    assert.ok(out.indexOf("hello /p1") < out.indexOf("hello /p2"));
  });

  it("gives a broken preface after its first line to the HTTP/2 engine (GOAWAY PROTOCOL_ERROR)", async () => {
    const sock = connect(server.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    sock.on("data", (c: Buffer) => chunks.push(c));
    sock.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\rQ");
    await new Promise((resolve) => sock.on("close", resolve));
    const out = Buffer.concat(chunks);
    const goaway = findFrame(out, 0x7);
    assert.ok(goaway !== null, out.toString("latin1"));
    assert.equal(goaway.readUInt32BE(4), 0x1); // PROTOCOL_ERROR
  });

  it("serves nghttp and h2load (multiplexed, 2000 requests)", async () => {
    const ng = await run("nghttp", ["-n", "-s", `${base}/n1`, `${base}/n2`, `${base}/n3`]);
    assert.equal(ng.code, 0, ng.stderr);
    const load = await run("h2load", ["-n", "2000", "-c", "4", "-m", "10", `${base}/`]);
    assert.match(load.stdout, /2000 succeeded, 0 failed, 0 errored/);
    assert.match(load.stdout, /status codes: 2000 2xx/);
  });

  it("counts streams in pendingRequests and aborts request.signal on RST_STREAM (node:http2 client)", async () => {
    const aborted = deferred<void>();
    let running = 0;
    const held = await startServer({
      http2: true,
      fetch(request) {
        running++;
        request.signal.addEventListener("abort", () => aborted.resolve());
        return new Promise<Response>(() => {});
      },
    });
    const client = http2.connect(`http://127.0.0.1:${held.port}`);
    try {
      const reqs = [1, 2, 3].map(() => client.request({ ":path": "/hold" }));
      for (const r of reqs) r.on("error", () => {});
      await waitFor(() => running === 3);
      assert.equal(held.pendingRequests, 3);
      reqs[0].close(http2.constants.NGHTTP2_CANCEL);
      await aborted.promise;
    } finally {
      client.destroy();
      await held.stop(true);
    }
  });

  it("answers an HTTP/2 preface with HTTP/1.1's 400 when http2 is off", async () => {
    const plain = await startServer({ fetch: () => new Response("x") });
    try {
      const r = await curl(["--http2-prior-knowledge", `http://127.0.0.1:${plain.port}/`]);
      assert.notEqual(r.code, 0);
    } finally {
      await plain.stop(true);
    }
  });

  it("makes server.upgrade() return false on an HTTP/2 stream, without answering for the app", async () => {
    const ws = await startServer({
      http2: true,
      fetch: (request, srv) => (srv.upgrade(request) ? undefined : new Response("no upgrade here", { status: 426 })),
      websocket: { message() {} },
    });
    try {
      const client = http2.connect(`http://127.0.0.1:${ws.port}`);
      const req = client.request({ ":path": "/ws", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" });
      let status = 0;
      let body = "";
      req.on("response", (h) => (status = Number(h[":status"])));
      req.on("data", (c: Buffer) => (body += c.toString()));
      await new Promise((resolve) => req.on("end", resolve));
      client.close();
      assert.deepEqual([status, body], [426, "no upgrade here"]);
    } finally {
      await ws.stop(true);
    }
  });

  it("stops gracefully: an in-flight stream finishes, then the connection closes", async () => {
    const release = deferred<void>();
    const srv = await startServer({ http2: true, fetch: async () => (await release.promise, new Response("finished")) });
    const client = http2.connect(`http://127.0.0.1:${srv.port}`);
    const req = client.request({ ":path": "/" });
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    await waitFor(() => srv.pendingRequests === 1);
    const stopped = srv.stop();
    release.resolve();
    await new Promise((resolve) => req.on("end", resolve));
    await stopped;
    client.destroy();
    assert.equal(body, "finished");
  });
});

describe("HTTP/2 over TLS (ALPN)", () => {
  let dir: string;
  let cert: Cert;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "sockserve-h2tls-"));
    cert = makeCert(dir, "server", "localhost");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("offers h2 then http/1.1 by default; http2: false offers http/1.1 only", async () => {
    for (const [http2Option, expected] of [[undefined, "2"], [false, "1.1"]] as const) {
      const srv = await startServer({ tls: { cert: cert.cert, key: cert.key }, ...(http2Option === undefined ? {} : { http2: http2Option }), fetch: () => new Response("tls") });
      try {
        const r = await curl(["-k", "--http2", "-o", "/dev/null", "-w", "%{http_version}", `https://127.0.0.1:${srv.port}/`]);
        assert.equal(r.stdout, expected, r.stderr);
        const h1 = await curl(["-k", "--http1.1", `https://127.0.0.1:${srv.port}/`]);
        assert.equal(h1.stdout, "tls");
      } finally {
        await srv.stop(true);
      }
    }
  });

  it("gives a client that offers no ALPN HTTP/1.1", async () => {
    const srv = await startServer({ tls: { cert: cert.cert, key: cert.key }, fetch: () => new Response("plain") });
    try {
      const sock = tls.connect({ port: srv.port, host: "127.0.0.1", rejectUnauthorized: false });
      let out = "";
      sock.on("data", (c: Buffer) => (out += c.toString()));
      sock.on("secureConnect", () => sock.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
      await new Promise((resolve) => sock.on("close", resolve));
      assert.match(out, /^HTTP\/1\.1 200/);
    } finally {
      await srv.stop(true);
    }
  });

  it("serves nghttp and node:http2 over TLS", async () => {
    const srv = await startServer({ tls: { cert: cert.cert, key: cert.key }, fetch: (r) => new Response(`over ${new URL(r.url).protocol}`) });
    try {
      const ng = await run("nghttp", ["-n", "-s", `https://127.0.0.1:${srv.port}/`]);
      assert.equal(ng.code, 0, ng.stderr);
      const client = http2.connect(`https://127.0.0.1:${srv.port}`, { rejectUnauthorized: false });
      const req = client.request({ ":path": "/" });
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      await new Promise((resolve) => req.on("end", resolve));
      client.close();
      assert.equal(body, "over https:");
    } finally {
      await srv.stop(true);
    }
  });
});

describe("the CLI's --http2", () => {
  it("serves a directory over h2c and HTTP/1.1 on one port, and only HTTP/1.1 without the flag", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sockserve-h2cli-"));
    writeFileSync(path.join(dir, "index.html"), "<h1>h2</h1>\n");
    try {
      for (const [flags, h2] of [[["--http2"], true], [[], false]] as const) {
        const { cli, port } = await startOpsCli([dir, "--port", "0", "--quiet", ...flags]);
        try {
          const r = await curl(["--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version}", `http://127.0.0.1:${port}/`]);
          if (h2) assert.equal(r.stdout, "2", r.stderr);
          else assert.notEqual(r.stdout, "2");
          assert.equal((await curl(["--http1.1", `http://127.0.0.1:${port}/`])).stdout, "<h1>h2</h1>\n");
        } finally {
          await cli.stop(2000);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** findFrame returns the payload of the first frame of `type` in raw HTTP/2 output, or null. */
function findFrame(out: Buffer, type: number): Buffer | null {
  for (let at = 0; at + 9 <= out.length; ) {
    const length = out.readUIntBE(at, 3);
    if (out[at + 3] === type) return out.subarray(at + 9, at + 9 + length);
    at += 9 + length;
  }
  return null;
}

/** waitFor polls a condition on each turn of the event loop (bounded to 5 s). */
async function waitFor(check: () => boolean): Promise<void> {
  const until = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("h2c: a connection whose first bytes have not come yet", () => {
  const silent = async (port: number): Promise<{ closed: Promise<void> }> => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    return { closed: new Promise<void>((resolve) => socket.once("close", () => resolve())) };
  };

  it("is closed by the shared sweep after headerTimeout", async () => {
    const server = await startServer({ http2: true, limits: { headerTimeout: 300 }, fetch: () => new Response("ok") });
    try {
      const { closed } = await silent(server.port);
      await closed; // the sweep, not a timer of its own, closes it (the test's own timeout bounds the wait)
      assert.equal(server.pendingRequests, 0);
    } finally {
      await server.stop(true);
    }
  });

  it("does not hold a graceful stop: no request has arrived on it", async () => {
    const server = await startServer({ http2: true, fetch: () => new Response("ok") });
    const { closed } = await silent(server.port);
    const t0 = Date.now();
    await server.stop();
    await closed;
    assert.ok(Date.now() - t0 < 5000, `stop waited ${Date.now() - t0} ms for a silent connection (headerTimeout is 30 s)`);
  });
});
