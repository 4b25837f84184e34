// curl as the client (via execFile, no shell): verbose exchange, binary and
// chunked uploads, HTTP/1.0, connection reuse, 100-continue, odd targets.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer, type Server } from "../support/server.js";

interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile("curl", ["--silent", "--show-error", "--max-time", "20", ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

describe("curl against sockserve", () => {
  let server: Server;
  let base: string;
  let dir: string;
  const ports: Record<string, number | undefined> = {};

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "sockserve-curl-"));
    server = await startServer({
      async fetch(request, srv) {
        const url = new URL(request.url);
        ports[url.pathname] = srv.requestIP(request)?.port;
        switch (url.pathname) {
          case "/upload": {
            const body = new Uint8Array(await request.arrayBuffer());
            return Response.json({
              bytes: body.length,
              sha256: sha256(body),
              te: request.headers.get("transfer-encoding"),
              cl: request.headers.get("content-length"),
              expect: request.headers.get("expect"),
            });
          }
          case "/refuse":
            return new Response("refused without reading", { status: 403 });
          case "/stream": {
            let i = 0;
            return new Response(
              new ReadableStream<Uint8Array>({
                pull(controller) {
                  if (i < 5) controller.enqueue(new TextEncoder().encode(`part${i++};`));
                  else controller.close();
                },
              }),
            );
          }
          default:
            return Response.json({ method: request.method, url: request.url, version: request.headers.get("x-version") });
        }
      },
    });
    base = server.url.href;
  });
  after(async () => {
    await server.stop(true);
    await rm(dir, { recursive: true, force: true });
  });

  it("-v shows a well-formed HTTP/1.1 exchange", async () => {
    const { code, stdout, stderr } = await curl(["-v", `${base}hello?x=1`]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /< HTTP\/1\.1 200 OK\r?\n/);
    assert.match(stderr, /< [Dd]ate: /);
    assert.match(stderr, /< [Cc]ontent-[Ll]ength: \d+/);
    const body = JSON.parse(stdout) as { method: string; url: string };
    assert.equal(body.method, "GET");
    assert.equal(new URL(body.url).search, "?x=1");
  });

  it("--data-binary uploads a binary file byte-exact", async () => {
    const data = randomBytes(300_000);
    const file = path.join(dir, "upload.bin");
    await writeFile(file, data);
    const { code, stdout, stderr } = await curl(["-H", "Expect:", "--data-binary", `@${file}`, `${base}upload`]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as { bytes: number; sha256: string; cl: string };
    assert.equal(result.bytes, data.length);
    assert.equal(result.sha256, sha256(data));
    assert.equal(result.cl, String(data.length));
  });

  it("a chunked upload (-H 'Transfer-Encoding: chunked') is de-chunked", async () => {
    const data = randomBytes(200_000);
    const file = path.join(dir, "chunked.bin");
    await writeFile(file, data);
    const { code, stdout, stderr } = await curl(["-H", "Transfer-Encoding: chunked", "-H", "Expect:", "--data-binary", `@${file}`, `${base}upload`]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as { bytes: number; sha256: string; te: string };
    assert.equal(result.te, "chunked");
    assert.equal(result.bytes, data.length);
    assert.equal(result.sha256, sha256(data));
  });

  it("--http1.0 gets a complete answer and a closed connection", async () => {
    const { code, stdout, stderr } = await curl(["-v", "--http1.0", `${base}old`]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /> GET \/old HTTP\/1\.0/);
    assert.match(stderr, /< HTTP\/1\.[01] 200/);
    assert.equal((JSON.parse(stdout) as { method: string }).method, "GET");
    assert.doesNotMatch(stderr, /left intact/, "HTTP/1.0 without keep-alive must not stay open");
  });

  it("several URLs in one invocation reuse one connection", async () => {
    for (const key of Object.keys(ports)) delete ports[key];
    const { code, stderr } = await curl(["-v", `${base}k1`, `${base}k2`, `${base}k3`]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /Re-using existing connection/);
    assert.ok(ports["/k1"] !== undefined);
    assert.equal(ports["/k2"], ports["/k1"], "same client port means same connection");
    assert.equal(ports["/k3"], ports["/k1"]);
  });

  it("Expect: 100-continue: curl gets 100 Continue and then uploads", async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const file = path.join(dir, "big.bin");
    await writeFile(file, data);
    // A long expect100-timeout so curl never gives up waiting and sends anyway.
    const { code, stdout, stderr } = await curl(["-v", "--expect100-timeout", "15", "-H", "Expect: 100-continue", "--data-binary", `@${file}`, `${base}upload`]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /> Expect: 100-continue/);
    assert.match(stderr, /< HTTP\/1\.1 100 Continue/);
    const result = JSON.parse(stdout) as { bytes: number; sha256: string; expect: string };
    assert.equal(result.bytes, data.length);
    assert.equal(result.sha256, sha256(data));
  });

  it("Expect: 100-continue refused by a handler that never reads the body", async () => {
    const file = path.join(dir, "big.bin");
    const { code, stdout, stderr } = await curl(["-v", "--expect100-timeout", "15", "-H", "Expect: 100-continue", "--data-binary", `@${file}`, "-w", "\n%{http_code}", `${base}refuse`]);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /< HTTP\/1\.1 100 Continue/);
    assert.equal(stdout, "refused without reading\n403");
  });

  it("-I sends HEAD and gets the headers only", async () => {
    const { code, stdout, stderr } = await curl(["-I", `${base}head`]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(stdout, /\r\ncontent-length: \d+\r\n/i);
  });

  it("a streamed response arrives chunked and complete", async () => {
    const { code, stdout, stderr } = await curl(["-v", `${base}stream`]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /< [Tt]ransfer-[Ee]ncoding: chunked/);
    assert.equal(stdout, "part0;part1;part2;part3;part4;");
  });

  it("-X PROPFIND reaches the handler", async () => {
    const { stdout } = await curl(["-X", "PROPFIND", `${base}dav`]);
    assert.equal((JSON.parse(stdout) as { method: string }).method, "PROPFIND");
  });

  it("OPTIONS * via --request-target", async () => {
    const { code, stdout, stderr } = await curl(["-X", "OPTIONS", "--request-target", "*", "-w", "\n%{http_code}", base]);
    assert.equal(code, 0, stderr);
    const [json, status] = stdout.split("\n");
    assert.equal(status, "200");
    assert.equal((JSON.parse(json) as { method: string }).method, "OPTIONS");
  });

  it("absolute-form through curl's proxy mode", async () => {
    const { code, stdout, stderr } = await curl(["-x", base, "http://example.com/via/proxy?q=1"]);
    assert.equal(code, 0, stderr);
    assert.equal((JSON.parse(stdout) as { url: string }).url, "http://example.com/via/proxy?q=1");
  });
});
