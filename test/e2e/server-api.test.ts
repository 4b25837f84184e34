// The serve() surface: port, hostname, url, requestIP, the handler's server
// argument, unix sockets, IPv6, bind failures and graceful versus immediate stop().
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { RawClient, exchange } from "../support/raw.js";
import { deferred, startServer, within, withServer, type Server } from "../support/server.js";

function canListen(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(0, host, () => probe.close(() => resolve(true)));
  });
}

function connectError(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(null);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe("server surface", () => {
  it("port, hostname and url describe the listening address", async () => {
    await withServer({ fetch: () => new Response("ok") }, async (server) => {
      assert.equal(typeof server.port, "number");
      assert.ok(server.port > 0 && server.port < 65536);
      assert.equal(server.hostname, "127.0.0.1");
      assert.ok(server.url instanceof URL);
      assert.equal(server.url.href, `http://127.0.0.1:${server.port}/`);
      const res = await fetch(server.url);
      assert.equal(await res.text(), "ok");
    });
  });

  it("two servers on port 0 get different ports", async () => {
    const a = await startServer({ fetch: () => new Response("a") });
    const b = await startServer({ fetch: () => new Response("b") });
    try {
      assert.notEqual(a.port, b.port);
      assert.equal(await (await fetch(a.url)).text(), "a");
      assert.equal(await (await fetch(b.url)).text(), "b");
    } finally {
      await a.stop(true);
      await b.stop(true);
    }
  });

  it("requestIP gives the peer's address, family and port; the handler gets the server", async () => {
    let sawServer: unknown;
    await withServer(
      {
        fetch(request, srv) {
          sawServer = srv;
          return Response.json(srv.requestIP(request));
        },
      },
      async (server) => {
        const client = await RawClient.connect(server.port);
        try {
          await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
          const [response] = await client.waitForResponses(1);
          assert.deepEqual(JSON.parse(response.text), { address: "127.0.0.1", family: "IPv4", port: client.socket.localPort });
          assert.equal(sawServer, server);
        } finally {
          client.destroy();
        }
      },
    );
  });

  it("requestIP of a request the server did not receive is null", async () => {
    await withServer({ fetch: () => new Response("ok") }, async (server) => {
      assert.equal(server.requestIP(new Request("http://example.com/")), null);
    });
  });

  it("listens on IPv6 ::1", async (t) => {
    if (!(await canListen("::1"))) return t.skip("no IPv6 loopback here");
    await withServer({ hostname: "::1", fetch: (request, srv) => Response.json(srv.requestIP(request)) }, async (server) => {
      assert.equal(server.hostname, "::1");
      assert.equal(server.url.href, `http://[::1]:${server.port}/`);
      const client = await RawClient.connect({ port: server.port, host: "::1" });
      try {
        await client.write("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n");
        const [response] = await client.waitForResponses(1);
        assert.deepEqual(JSON.parse(response.text), { address: "::1", family: "IPv6", port: client.socket.localPort });
      } finally {
        client.destroy();
      }
    });
  });

  it("listens on a unix socket", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sockserve-unix-"));
    const socketPath = path.join(dir, "s.sock");
    const server = await startServer({ unix: socketPath, hostname: undefined, port: undefined, fetch: (request) => new Response(`unix ${new URL(request.url).pathname}`) });
    try {
      const result = await exchange({ path: socketPath }, "GET /over-unix HTTP/1.1\r\nHost: localhost\r\n\r\n", { responses: 1 });
      assert.equal(result.responses[0]?.text, "unix /over-unix");
      // HTTP/1.0 without Host, where the URL authority has to come from somewhere else.
      const old = await exchange({ path: socketPath }, "GET /old HTTP/1.0\r\n\r\n");
      assert.equal(old.responses[0]?.text, "unix /old");
      const viaCurl = await new Promise<string>((resolve, reject) =>
        execFile("curl", ["-sS", "--max-time", "10", "--unix-socket", socketPath, "http://localhost/curl"], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
      );
      assert.equal(viaCurl, "unix /curl");
    } finally {
      await server.stop(true);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects with EADDRINUSE when the port is taken", async () => {
    await withServer({ fetch: () => new Response("first") }, async (first) => {
      await assert.rejects(startServer({ port: first.port, fetch: () => new Response("second") }), { code: "EADDRINUSE" });
      assert.equal(await (await fetch(first.url)).text(), "first");
    });
  });
});

describe("stop()", () => {
  it("graceful: refuses new connections, finishes the in-flight response, then resolves", async () => {
    const started = deferred();
    const release = deferred();
    const server: Server = await startServer({
      async fetch() {
        started.resolve();
        await release.promise;
        return new Response("finished after stop");
      },
    });
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
      await within(started.promise, 3000, "handler start");
      let stopped = false;
      const stopping = server.stop().then(() => {
        stopped = true;
      });
      assert.equal(await connectError(server.port), "ECONNREFUSED", "new connections must be refused once stop() was called");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(stopped, false, "stop() must wait for the in-flight request");
      release.resolve();
      const [response] = await client.waitForResponses(1);
      assert.equal(response.status, 200);
      assert.equal(response.text, "finished after stop");
      assert.ok(await client.waitForClose(3000), "the connection closes after its last response");
      await within(stopping, 3000, "stop() after the in-flight response");
    } finally {
      release.resolve();
      client.destroy();
      await server.stop(true);
    }
  });

  it("graceful: idle keep-alive connections are closed and do not hold stop()", async () => {
    const server = await startServer({ fetch: () => new Response("ok"), limits: { keepAliveTimeout: 60_000 } });
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      await client.waitForResponses(1);
      await within(server.stop(), 3000, "stop() with only an idle connection open");
      assert.ok(await client.waitForClose(3000), "idle connection closed by stop()");
      assert.equal(client.finalResponses().length, 1);
    } finally {
      client.destroy();
      await server.stop(true);
    }
  });

  it("graceful: a connection that never sent a byte does not hold stop()", async () => {
    const server = await startServer({ fetch: () => new Response("ok"), limits: { headerTimeout: 60_000, keepAliveTimeout: 60_000 } });
    const client = await RawClient.connect(server.port);
    try {
      await new Promise((r) => setTimeout(r, 50));
      await within(server.stop(), 3000, "stop() with a silent connection open");
      assert.ok(await client.waitForClose(3000));
    } finally {
      client.destroy();
      await server.stop(true);
    }
  });

  it("stop(true) cuts in-flight requests at once", async () => {
    const started = deferred();
    const aborted = deferred();
    const server = await startServer({
      async fetch(request) {
        const gone = new Promise((r) => request.signal.addEventListener("abort", r));
        void gone.then(() => aborted.resolve());
        started.resolve();
        await gone;
        return new Response("never");
      },
    });
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET /hang HTTP/1.1\r\nHost: a\r\n\r\n");
      await within(started.promise, 3000, "handler start");
      await within(server.stop(true), 3000, "stop(true)");
      assert.ok(await client.waitForClose(3000), "connection cut");
      assert.equal(client.finalResponses().length, 0);
      assert.equal(await connectError(server.port), "ECONNREFUSED");
      await within(aborted.promise, 3000, "request.signal aborts on stop(true)");
    } finally {
      client.destroy();
    }
  });
});
