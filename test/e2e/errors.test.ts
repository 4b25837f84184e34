// Handler faults and clients that go away: 500 without leaking the message,
// the error() option, broken response streams, and request.signal / cancel().
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RawClient, exchange, describeBytes } from "../support/raw.js";
import { decodeChunked } from "../support/http-response.js";
import { deferred, startServer, within, withServer, type Deferred } from "../support/server.js";

const SECRET = "secret-detail-7f3a";

function faultyRoutes(logged: unknown[]) {
  return {
    logger: (err: unknown) => logged.push(err),
    async fetch(request: Request): Promise<Response> {
      const { pathname } = new URL(request.url);
      switch (pathname) {
        case "/throw":
          throw new Error(`${SECRET} thrown`);
        case "/reject":
          await new Promise((r) => setTimeout(r, 5));
          throw new TypeError(`${SECRET} rejected`);
        case "/throw-string":
          throw `${SECRET} as a string`;
        case "/ok":
          return new Response("fine");
        default:
          return new Response("missing", { status: 404 });
      }
    },
  };
}

describe("handler errors", () => {
  it("a throwing, rejecting or string-throwing handler gives 500 without the message, and the server goes on", async () => {
    const logged: unknown[] = [];
    await withServer(faultyRoutes(logged), async (server) => {
      for (const path of ["/throw", "/reject", "/throw-string"]) {
        const res = await fetch(new URL(path, server.url));
        assert.equal(res.status, 500, path);
        const body = await res.text();
        assert.ok(!body.includes(SECRET), `${path}: the 500 body leaks the error: ${body}`);
        const ok = await fetch(new URL("/ok", server.url));
        assert.equal(await ok.text(), "fine", `after ${path}`);
      }
      assert.equal(logged.length, 3, "each fault reaches the logger");
      assert.match(String((logged[0] as Error).message), /thrown/);
    });
  });

  it("a 500 keeps the HTTP/1.1 connection usable or closes it cleanly", async () => {
    const logged: unknown[] = [];
    await withServer(faultyRoutes(logged), async (server) => {
      const client = await RawClient.connect(server.port);
      try {
        await client.write("GET /throw HTTP/1.1\r\nHost: a\r\n\r\n");
        const [first] = await client.waitForResponses(1);
        assert.equal(first.status, 500);
        assert.ok(!client.text.includes(SECRET));
        if (first.get("connection")?.toLowerCase() === "close") {
          assert.ok(await client.waitForClose());
          return;
        }
        await client.write("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
        const responses = await client.waitForResponses(2);
        assert.equal(responses[1].text, "fine");
      } finally {
        client.destroy();
      }
    });
  });

  it("error() turns a fault into its Response and receives the thrown value", async () => {
    const received: unknown[] = [];
    await withServer(
      {
        ...faultyRoutes([]),
        async error(err) {
          received.push(err);
          await new Promise((r) => setTimeout(r, 5));
          return new Response(`custom: ${err instanceof Error ? err.constructor.name : typeof err}`, { status: 503, headers: { "x-handled": "1" } });
        },
      },
      async (server) => {
        const res = await fetch(new URL("/throw", server.url));
        assert.equal(res.status, 503);
        assert.equal(res.headers.get("x-handled"), "1");
        assert.equal(await res.text(), "custom: Error");
        const res2 = await fetch(new URL("/reject", server.url));
        assert.equal(await res2.text(), "custom: TypeError");
        assert.equal(received.length, 2);
        assert.equal((received[0] as Error).message, `${SECRET} thrown`);
        assert.equal(await (await fetch(new URL("/ok", server.url))).text(), "fine");
      },
    );
  });

  it("an error() that throws too falls back to a plain 500", async () => {
    await withServer(
      {
        ...faultyRoutes([]),
        error() {
          throw new Error(`${SECRET} from error()`);
        },
      },
      async (server) => {
        const res = await fetch(new URL("/throw", server.url));
        assert.equal(res.status, 500);
        assert.ok(!(await res.text()).includes(SECRET));
        assert.equal(await (await fetch(new URL("/ok", server.url))).text(), "fine");
      },
    );
  });
});

describe("broken response streams", () => {
  // partialSeen opens when the client has the first chunk, so the stream fails strictly after it.
  let partialSeen = deferred();
  function streamServer() {
    partialSeen = deferred();
    return startServer({
      logger: () => {},
      fetch(request) {
        const { pathname } = new URL(request.url);
        if (pathname === "/fail-midway") {
          let step = 0;
          return new Response(
            new ReadableStream<Uint8Array>({
              async pull(controller) {
                if (step++ === 0) return controller.enqueue(new TextEncoder().encode("partial data"));
                await partialSeen.promise;
                controller.error(new Error(`${SECRET} stream`));
              },
            }),
          );
        }
        if (pathname === "/fail-at-once") {
          return new Response(
            new ReadableStream<Uint8Array>({
              start(controller) {
                controller.error(new Error(`${SECRET} stream`));
              },
            }),
          );
        }
        return new Response("fine");
      },
    });
  }

  it("a stream that errors after sending data aborts the connection without the last chunk", async () => {
    const server = await streamServer();
    try {
      const client = await RawClient.connect(server.port);
      await client.write("GET /fail-midway HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.ok(await client.until(() => client.text.includes("partial data")), `first chunk: ${describeBytes(client.text)}`);
      partialSeen.resolve();
      assert.ok(await client.waitForClose(), "the connection must be cut");
      const result = { text: client.text, data: client.data };
      client.destroy();
      assert.match(result.text, /^HTTP\/1\.1 200 /, describeBytes(result.text));
      const bodyStart = result.data.indexOf("\r\n\r\n") + 4;
      assert.equal(decodeChunked(result.data, bodyStart), "incomplete", `a broken body must not look complete: ${describeBytes(result.text)}`);
      assert.ok(!result.text.includes(SECRET));
      assert.equal(await (await fetch(new URL("/ok", server.url))).text(), "fine");
    } finally {
      await server.stop(true);
    }
  });

  it("a stream that errors before any byte gives a 500 or a cut, never a hang", async () => {
    const server = await streamServer();
    try {
      const result = await exchange(server.port, "GET /fail-at-once HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 1 });
      if (result.responses.length === 1) {
        assert.equal(result.responses[0].status, 500, describeBytes(result.text));
      } else {
        assert.ok(result.closed, `neither a response nor a close: ${describeBytes(result.text)}`);
        assert.ok(!/\r\n0\r\n\r\n$/.test(result.text), "a cut body must not end with the last chunk");
      }
      assert.ok(!result.text.includes(SECRET));
    } finally {
      await server.stop(true);
    }
  });
});

describe("clients that go away", () => {
  const departures: [string, string, (client: RawClient) => void][] = [
    ["a reset", "after a reset", (client) => client.socket.resetAndDestroy()],
    ["a close (FIN)", "after the client closed", (client) => client.destroy()],
  ];
  for (const [name, label, leave] of departures) {
    it(`${name} while the handler runs aborts request.signal`, async () => {
      const started = deferred();
      const aborted = deferred();
      await withServer(
        {
          async fetch(request) {
            const gone = new Promise((r) => request.signal.addEventListener("abort", r));
            started.resolve();
            await gone;
            aborted.resolve();
            return new Response("nobody listens");
          },
        },
        async (server) => {
          const client = await RawClient.connect(server.port);
          await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
          await within(started.promise, 3000, "handler start");
          leave(client);
          await within(aborted.promise, 3000, `request.signal abort ${label}`);
        },
      );
    });
  }

  it("a disconnect mid-response cancels the response stream and aborts request.signal", async () => {
    const cancelled: Deferred<unknown> = deferred();
    const aborted = deferred();
    await withServer(
      {
        fetch(request) {
          request.signal.addEventListener("abort", () => aborted.resolve());
          return new Response(
            new ReadableStream<Uint8Array>({
              async pull(controller) {
                await new Promise((r) => setTimeout(r, 2));
                controller.enqueue(new Uint8Array(16 * 1024).fill(0x41));
              },
              cancel(reason) {
                cancelled.resolve(reason);
              },
            }),
          );
        },
      },
      async (server) => {
        const client = await RawClient.connect(server.port);
        await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert.ok(await client.until(() => client.data.length > 32 * 1024), "some streamed data first");
        client.destroy();
        await within(cancelled.promise, 3000, "ReadableStream cancel()");
        await within(aborted.promise, 3000, "request.signal abort");
      },
    );
  });
});
