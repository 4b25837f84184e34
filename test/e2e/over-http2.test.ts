// The e2e cases that hold on every protocol, run over HTTP/2: h2c by prior knowledge and h2 by
// ALPN over TLS, with node:http2 as the client (test/support/h2-fetch.ts). Routes with params,
// 404/405/HEAD, request bodies, 103 Early Hints, compress, errors, access log lines ("HTTP/2.0"),
// X-Request-Id, server.requestIP on a stream, graceful stop and drain, maxBodySize's 413 and
// bodyTimeout's 408.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { formatAccessLog, ProtocolError, serve, type AccessLogEntry, type Server } from "../../src/index.js";
import { H2Client, h2Targets, readReply } from "../support/h2-fetch.js";
import { deferred, startServer, within } from "../support/server.js";

const targets = h2Targets();
after(() => targets.remove());

const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** logged waits for the access log to hold an entry for `target` (entries come as exchanges end). */
async function logged(entries: AccessLogEntry[], target: string): Promise<AccessLogEntry> {
  for (let i = 0; i < 200; i++) {
    const entry = entries.find((e) => e.target === target);
    if (entry !== undefined) return entry;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`no access log entry for ${target}`);
}

for (const target of targets.list) {
  describe(`over HTTP/2, ${target.name}: routes, bodies, errors, logs`, () => {
    let server: Server;
    let client: H2Client;
    const entries: AccessLogEntry[] = [];
    const errors: unknown[] = [];

    before(async () => {
      server = await serve({
        port: 0,
        hostname: "127.0.0.1",
        ...target.options,
        accessLog: (e) => entries.push(e),
        logger: (err) => errors.push(err),
        compress: true,
        routes: {
          "/users/:id": { GET: (req) => Response.json({ id: req.params.id }), DELETE: (req) => new Response(`deleted ${req.params.id}`) },
          "/files/*": (req) => new Response(`file ${req.params["*"]}`),
          "/echo": { POST: async (req) => new Response(await req.arrayBuffer()) },
          "/peer": (req, srv) => Response.json(srv.requestIP(req)),
          "/hints": (req, srv) => {
            srv.writeEarlyHints(req, { Link: "</s.css>; rel=preload; as=style" });
            return new Response("page");
          },
          "/text": () => new Response("compress me ".repeat(1000), { headers: { "Content-Type": "text/plain" } }),
          "/throw": () => {
            throw new Error("boom");
          },
        },
        fetch: (req) => new Response(`fallback ${new URL(req.url).pathname}`, { status: 404 }),
      });
      client = await H2Client.connect(target.origin(server.port));
    });
    after(async () => {
      client.destroy();
      await server.stop(true);
    });

    it("routes with params, a wildcard and the fallback", async () => {
      const user = await client.request("/users/42");
      assert.equal(user.status, 200);
      assert.deepEqual(JSON.parse(user.text), { id: "42" });
      assert.match(user.get("content-type") ?? "", /^application\/json/);
      assert.equal((await client.request("/users/7", { method: "DELETE" })).text, "deleted 7");
      assert.equal((await client.request("/files/a/b.txt")).text, "file a/b.txt");
      const missing = await client.request("/nowhere");
      assert.deepEqual([missing.status, missing.text], [404, "fallback /nowhere"]);
    });

    it("405 with Allow for a method the route lacks; HEAD runs GET without a body", async () => {
      const put = await client.request("/users/1", { method: "PUT" });
      assert.equal(put.status, 405);
      assert.equal(put.get("allow"), "DELETE, GET, HEAD, OPTIONS");
      const get = await client.request("/users/1");
      const head = await client.request("/users/1", { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      assert.equal(head.get("content-length"), get.get("content-length"));
    });

    it("streams a 1 MiB request body through and back, past the initial windows", async () => {
      const data = randomBytes(1 << 20);
      const r = await client.request("/echo", { method: "POST", body: data });
      assert.equal(r.status, 200);
      assert.equal(sha256(r.body), sha256(data));
    });

    it("103 Early Hints come before the final response", async () => {
      const stream = client.open("/hints");
      const hints: http2.IncomingHttpHeaders[] = [];
      stream.on("headers", (h) => hints.push(h));
      stream.end();
      const r = await readReply(stream);
      assert.deepEqual([r.status, r.text], [200, "page"]);
      assert.deepEqual(hints.map((h) => [h[":status"], h.link]), [[103, "</s.css>; rel=preload; as=style"]]);
    });

    it("compress: a text response goes out gzip- or brotli-encoded as Accept-Encoding asks", async () => {
      const text = "compress me ".repeat(1000);
      for (const [accept, encoding, decode] of [["gzip", "gzip", gunzipSync], ["br", "br", brotliDecompressSync]] as const) {
        const r = await client.request("/text", { headers: { "accept-encoding": accept } });
        assert.equal(r.get("content-encoding"), encoding);
        assert.ok(r.body.length < text.length / 10);
        assert.equal(decode(r.body).toString(), text);
      }
      assert.equal((await client.request("/text")).text, text);
    });

    it("a throwing handler gives a 500 on its stream and the session goes on", async () => {
      const r = await client.request("/throw");
      assert.equal(r.status, 500);
      assert.doesNotMatch(r.text, /boom/);
      assert.ok(errors.some((e) => e instanceof Error && e.message === "boom"));
      assert.equal((await client.request("/users/9")).status, 200);
    });

    it("server.requestIP gives the peer of the stream's connection", async () => {
      const [a, b] = await Promise.all([client.request("/peer"), client.request("/peer")]);
      for (const r of [a, b]) assert.deepEqual(JSON.parse(r.text), { address: "127.0.0.1", family: "IPv4", port: client.localPort });
    });

    it("access log lines say HTTP/2.0, with status, bytes and the peer", async () => {
      await client.request("/users/log-me", { headers: { "user-agent": "h2-test/1", referer: "http://r.example/" } });
      const entry = await logged(entries, "/users/log-me");
      assert.equal(entry.protocol, "HTTP/2");
      assert.equal(entry.remoteAddress, "127.0.0.1");
      assert.equal(entry.completed, true);
      const body = JSON.stringify({ id: "log-me" });
      assert.match(formatAccessLog("common", entry), new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "GET /users/log-me HTTP/2\\.0" 200 ${body.length} `));
      assert.match(formatAccessLog("combined", entry), /"http:\/\/r\.example\/" "h2-test\/1" \d+\.\d{3}$/);
      assert.equal(JSON.parse(formatAccessLog("json", entry)).protocol, "HTTP/2");
    });

    it("X-Request-Id: the client's is echoed and logged; none is invented in the response, the log makes one up", async () => {
      const mine = await client.request("/users/rid", { headers: { "x-request-id": "trace-42.a_b" } });
      assert.equal(mine.get("x-request-id"), "trace-42.a_b");
      assert.equal((await logged(entries, "/users/rid")).requestId, "trace-42.a_b");
      const [r1, r2] = [await client.request("/users/rid1"), await client.request("/users/rid2")];
      assert.equal(r1.get("x-request-id"), undefined);
      assert.equal(r2.get("x-request-id"), undefined);
      const [e1, e2] = [await logged(entries, "/users/rid1"), await logged(entries, "/users/rid2")];
      assert.ok(e1.requestId.length > 0);
      assert.notEqual(e1.requestId, e2.requestId);
      const spaced = await client.request("/users/rid3", { headers: { "x-request-id": "has space" } });
      assert.equal(spaced.get("x-request-id"), undefined);
    });
  });

  describe(`over HTTP/2, ${target.name}: stopping`, () => {
    it("stop(): the in-flight stream finishes, the session gets GOAWAY and closes, stop resolves", async () => {
      const started = deferred();
      const release = deferred();
      const server = await startServer({
        ...target.options,
        async fetch() {
          started.resolve();
          await release.promise;
          return new Response("finished after stop");
        },
      });
      const client = await H2Client.connect(target.origin(server.port));
      try {
        const goaway = new Promise<number>((resolve) => client.session.once("goaway", (code) => resolve(code)));
        const slow = client.request("/slow");
        await within(started.promise, 3000, "handler start");
        const stopping = server.stop();
        assert.equal(await within(goaway, 3000, "GOAWAY"), 0);
        release.resolve();
        const r = await slow;
        assert.deepEqual([r.status, r.text], [200, "finished after stop"]);
        await within(client.closed(), 3000, "the session closes after its last stream");
        await within(stopping, 3000, "stop() after the in-flight stream");
      } finally {
        release.resolve();
        client.destroy();
        await server.stop(true);
      }
    });

    it("stop(): an idle session is closed at once and does not hold stop()", async () => {
      const server = await startServer({ ...target.options, limits: { keepAliveTimeout: 60_000 }, fetch: () => new Response("ok") });
      const client = await H2Client.connect(target.origin(server.port));
      try {
        assert.equal((await client.request("/")).text, "ok");
        await within(server.stop(), 3000, "stop() with only an idle session open");
        await within(client.closed(), 3000, "the idle session is closed");
      } finally {
        client.destroy();
        await server.stop(true);
      }
    });

    it("drain(ms) cuts a stream still running after ms", async () => {
      const aborted = deferred();
      const server = await startServer({
        ...target.options,
        fetch: (req) => new Promise<Response>(() => req.signal.addEventListener("abort", () => aborted.resolve())),
      });
      const client = await H2Client.connect(target.origin(server.port));
      try {
        const stuck = client.request("/stuck").catch((err: unknown) => err);
        for (let i = 0; i < 500 && server.pendingRequests === 0; i++) await new Promise((resolve) => setImmediate(resolve));
        assert.equal(server.pendingRequests, 1);
        const t0 = Date.now();
        await within(server.drain(300), 3000, "drain(300) with a stream that never ends");
        assert.ok(Date.now() - t0 >= 250, "it waited for the drain timeout");
        await within(aborted.promise, 3000, "request.signal aborts");
        assert.ok((await stuck) instanceof Error, "the stuck stream got no response");
      } finally {
        client.destroy();
        await server.stop(true);
      }
    });
  });

  describe(`over HTTP/2, ${target.name}: bodies the engine refuses (maxBodySize, bodyTimeout)`, () => {
    it("a body past maxBodySize gets 413, declared or not; a body within it is read; the session goes on", async () => {
      const server = await startServer({ ...target.options, maxRequestBodySize: 1000, fetch: async (req) => new Response(`got ${(await req.arrayBuffer()).byteLength}`) });
      const client = await H2Client.connect(target.origin(server.port));
      try {
        const declared = await client.request("/", { method: "POST", headers: { "content-length": "5000" }, body: Buffer.alloc(5000) });
        assert.deepEqual([declared.status, declared.text], [413, "413 content too large\n"]);
        const streamed = await client.request("/", { method: "POST", body: Buffer.alloc(5000) });
        assert.equal(streamed.status, 413);
        assert.equal((await client.request("/", { method: "POST", body: Buffer.alloc(1000) })).text, "got 1000");
      } finally {
        client.destroy();
        await server.stop(true);
      }
    });

    it("a request body that stalls gets :status 408 on its stream, the handler's read fails, and the connection goes on", async () => {
      const readFailed = deferred<unknown>();
      const entries: AccessLogEntry[] = [];
      const server = await startServer({
        ...target.options,
        limits: { bodyTimeout: 300 },
        accessLog: (e) => entries.push(e),
        async fetch(req) {
          if (req.method === "GET") return new Response("still here");
          try {
            await req.text();
          } catch (err) {
            readFailed.resolve(err);
          }
          return new Response("too late");
        },
      });
      const client = await H2Client.connect(target.origin(server.port));
      try {
        const stream = client.open("/upload", { method: "POST" });
        stream.write("the first part");
        const r = await readReply(stream, 5000);
        assert.equal(r.status, 408);
        assert.match(r.text, /^408 /);
        const err = await within(readFailed.promise, 3000, "the handler's read fails");
        assert.ok(err instanceof ProtocolError && err.code === "HTTP_BODY_TIMEOUT", `as on HTTP/1.1: ${String(err)}`);
        assert.equal(stream.rstCode, 0, "RST_STREAM NO_ERROR (or none) after the complete 408");
        assert.equal((await client.request("/")).text, "still here");
        assert.equal((await logged(entries, "/upload")).status, 408);
        for (let i = 0; i < 500 && server.pendingRequests > 0; i++) await new Promise((resolve) => setImmediate(resolve));
        assert.equal(server.pendingRequests, 0, "the stream's slot is free once its handler answered");
      } finally {
        client.destroy();
        await server.stop(true);
      }
    });

    it("a body that stalls after the response began gets RST_STREAM CANCEL", async () => {
      const server = await startServer({
        ...target.options,
        limits: { bodyTimeout: 300 },
        fetch: (req) => new Response(req.body), // streams the body back as it comes
      });
      const client = await H2Client.connect(target.origin(server.port));
      try {
        const stream = client.open("/echo", { method: "POST" });
        const status = new Promise<number>((resolve) => stream.once("response", (h) => resolve(Number(h[":status"]))));
        const closed = new Promise<void>((resolve) => stream.once("close", () => resolve()));
        stream.write("part");
        assert.equal(await within(status, 3000, "the response head"), 200);
        await within(closed, 5000, "the stream is reset");
        assert.equal(stream.rstCode, 8); // CANCEL
      } finally {
        client.destroy();
        await server.stop(true);
      }
    });
  });
}
