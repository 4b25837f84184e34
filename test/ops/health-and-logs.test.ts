// The health endpoint, X-Request-Id and request ids in JSON access logs, and the graceful drain of
// a single process (serve() + server.drain(), and the CLI on SIGTERM).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AccessLogEntry } from "../../src/index.js";
import { OpsClient } from "../support/ops-client.js";
import { startOpsCli } from "../support/ops-cli.js";
import { deferred, startServer, within, type Server } from "../support/server.js";

const HEALTH = "/.well-known/sockserve/health";

async function get(port: number, head: string): Promise<ReturnType<OpsClient["finalResponses"]>[number]> {
  const client = await OpsClient.connect({ port });
  try {
    await client.write(head);
    const [response] = await client.waitForResponses(1, { methods: [head.split(" ")[0]] });
    return response;
  } finally {
    client.destroy();
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("health endpoint", () => {
  let server: Server;
  let plain: Server;
  before(async () => {
    server = await startServer({ health: true, fetch: (req) => new Response(`app ${req.method} ${new URL(req.url).pathname}`, { status: 404 }) });
    plain = await startServer({ fetch: (req) => new Response(`app ${new URL(req.url).pathname}`, { status: 404 }) });
  });
  after(async () => {
    await server.stop(true);
    await plain.stop(true);
  });

  it("GET answers 200 ok, not cached, before the application", async () => {
    const r = await get(server.port, `GET ${HEALTH} HTTP/1.1\r\nHost: a\r\n\r\n`);
    assert.equal(r.status, 200);
    assert.equal(r.text, "ok\n");
    assert.equal(r.get("cache-control"), "no-store");
    assert.match(r.get("content-type") ?? "", /^text\/plain/);
  });

  it("HEAD answers 200 without a body; other methods and other paths reach the application", async () => {
    const head = await get(server.port, `HEAD ${HEALTH} HTTP/1.1\r\nHost: a\r\n\r\n`);
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    const post = await get(server.port, `POST ${HEALTH} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`);
    assert.equal(post.text, `app POST ${HEALTH}`);
    const other = await get(server.port, `GET ${HEALTH}/x HTTP/1.1\r\nHost: a\r\n\r\n`);
    assert.equal(other.text, `app GET ${HEALTH}/x`);
  });

  it("without health: true the path is the application's", async () => {
    const r = await get(plain.port, `GET ${HEALTH} HTTP/1.1\r\nHost: a\r\n\r\n`);
    assert.equal(r.status, 404);
    assert.equal(r.text, `app ${HEALTH}`);
  });
});

describe("graceful drain of one process (server.drain)", () => {
  it("in-flight requests finish with Connection: close, health says 503, idle connections close, new ones are refused", async () => {
    const release = deferred();
    const started = deferred();
    const server = await startServer({
      health: true,
      idleTimeout: 60,
      async fetch(req) {
        if (new URL(req.url).pathname === "/slow") {
          started.resolve();
          await release.promise;
          return new Response("slow done");
        }
        return new Response("quick");
      },
    });
    const idle = await OpsClient.connect({ port: server.port });
    const slow = await OpsClient.connect({ port: server.port });
    const health = await OpsClient.connect({ port: server.port });
    try {
      await idle.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      await idle.waitForResponses(1);
      await slow.write("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
      await started.promise;
      await health.write(`GET ${HEALTH} HTTP/1.1\r\nHost: a\r\n`); // half a head: busy, not idle
      for (let i = 0; i < 100 && server.pendingRequests < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(server.pendingRequests, 2, "the slow request and the half-sent health check are in progress");

      const drained = server.drain(5000);
      assert.ok(await refused(server.port), "the listener is closed at once");
      assert.ok(await idle.waitForClose(2000), "the idle keep-alive connection is closed at once");

      await health.write("\r\n");
      const [h] = await health.waitForResponses(1);
      assert.equal(h.status, 503);
      assert.equal(h.text, "draining\n");
      assert.equal(h.get("connection"), "close");

      release.resolve();
      const [s] = await slow.waitForResponses(1);
      assert.equal(s.status, 200);
      assert.equal(s.text, "slow done");
      assert.equal(s.get("connection"), "close");
      assert.ok(await slow.waitForClose(), "closed after its last response");
      await within(drained, 3000, "drain resolves once every connection is closed");
    } finally {
      release.resolve();
      for (const c of [idle, slow, health]) c.destroy();
      await server.stop(true);
    }
  });

  it("drain(ms) cuts what is still running after ms", async () => {
    const server = await startServer({ fetch: () => new Promise<Response>(() => {}) });
    const stuck = await OpsClient.connect({ port: server.port });
    try {
      await stuck.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      await within(server.drain(300), 3000, "drain(300) with a request that never ends");
      assert.ok(Date.now() - t0 >= 250, "it waited for the drain timeout");
      assert.ok(await stuck.waitForClose(1000));
      assert.equal(stuck.finalResponses().length, 0);
    } finally {
      stuck.destroy();
    }
  });
});

describe("request ids", () => {
  let server: Server;
  const entries: AccessLogEntry[] = [];
  before(async () => {
    server = await startServer({ fetch: () => new Response("ok"), accessLog: (e) => entries.push(e) });
  });
  after(async () => {
    await server.stop(true);
  });

  it("a client's X-Request-Id is echoed in the response and given to the access log", async () => {
    const r = await get(server.port, "GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: trace-42.a_b\r\n\r\n");
    assert.equal(r.get("x-request-id"), "trace-42.a_b");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(entries.at(-1)!.requestId, "trace-42.a_b");
  });

  it("no X-Request-Id: none is invented in the response, but the log entry gets a unique one", async () => {
    const r1 = await get(server.port, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
    const r2 = await get(server.port, "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    assert.equal(r1.has("x-request-id"), false);
    assert.equal(r2.has("x-request-id"), false);
    await new Promise((r) => setTimeout(r, 20));
    const [e1, e2] = entries.slice(-2);
    assert.ok(e1.requestId.length > 0 && e2.requestId.length > 0);
    assert.notEqual(e1.requestId, e2.requestId);
  });

  it("an X-Request-Id that is not a short printable token is not echoed", async () => {
    const spaced = await get(server.port, "GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: has space\r\n\r\n");
    assert.equal(spaced.has("x-request-id"), false);
    const long = await get(server.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: ${"x".repeat(201)}\r\n\r\n`);
    assert.equal(long.has("x-request-id"), false);
  });
});

describe("CLI: --log json, --health and SIGTERM in one process", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sockserve-logs-"));
  before(() => {
    writeFileSync(path.join(dir, "index.html"), "hi\n");
    mkdirSync(path.join(dir, "cgi-bin"));
    writeFileSync(path.join(dir, "cgi-bin", "slow"), '#!/bin/sh\necho started >&2\nsleep 1\nprintf "Content-Type: text/plain\\r\\n\\r\\nslow\\n"\n');
    chmodSync(path.join(dir, "cgi-bin", "slow"), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("JSON log lines carry request_id (the client's, or a made-up one); X-Request-Id is echoed", async () => {
    const { cli, port } = await startOpsCli([dir, "--port", "0", "--log", "json"]);
    try {
      const mine = await get(port, "GET /index.html HTTP/1.1\r\nHost: a\r\nX-Request-Id: ops-7\r\n\r\n");
      assert.equal(mine.get("x-request-id"), "ops-7");
      await get(port, "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n");
      await get(port, "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.ok(await cli.until(() => cli.stdout.split("\n").filter((l) => l.startsWith("{")).length >= 3, 5000), cli.stdout);
      const lines = cli.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines[0].request_id, "ops-7");
      assert.equal(lines[0].status, 200);
      assert.equal(typeof lines[1].request_id, "string");
      assert.ok((lines[1].request_id as string).length > 0);
      assert.notEqual(lines[1].request_id, lines[2].request_id);
      assert.equal(lines[2].status, 404);
    } finally {
      await cli.kill();
    }
  });

  it("SIGTERM: the in-flight request finishes, health says 503, idle connections close, exit 0", async () => {
    const { cli, port } = await startOpsCli([dir, "--port", "0", "--quiet", "--health", "--cgi", "--drain-timeout", "5"]);
    const idle = await OpsClient.connect({ port });
    const slow = await OpsClient.connect({ port });
    const health = await OpsClient.connect({ port });
    try {
      assert.equal((await get(port, `GET ${HEALTH} HTTP/1.1\r\nHost: a\r\n\r\n`)).status, 200);
      await idle.write("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n");
      await idle.waitForResponses(1);
      await slow.write("GET /cgi-bin/slow HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.ok(await cli.until(() => cli.stderr.includes("started"), 5000), "the slow request started");
      await health.write(`GET ${HEALTH} HTTP/1.1\r\nHost: a\r\n`);
      await new Promise((r) => setTimeout(r, 50)); // let the server read the half head

      cli.signal("SIGTERM");
      assert.ok(await idle.waitForClose(3000), "the idle keep-alive connection is closed at once");
      await health.write("\r\n");
      const [h] = await health.waitForResponses(1);
      assert.equal(h.status, 503);
      assert.equal(h.text, "draining\n");
      const [s] = await slow.waitForResponses(1, { timeoutMs: 10_000 });
      assert.equal(s.status, 200);
      assert.equal(s.text, "slow\n");
      assert.equal(s.get("connection"), "close");
      const exit = await Promise.race([cli.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      assert.ok(exit !== null, "the CLI exits");
      assert.equal(exit.code, 0, `exit ${exit.code} ${exit.signal}; stderr: ${cli.stderr}`);
    } finally {
      for (const c of [idle, slow, health]) c.destroy();
      await cli.kill();
    }
  });
});
