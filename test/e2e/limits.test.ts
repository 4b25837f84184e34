// Every limit of src/http/limits.ts crossed over raw TCP, with small limits
// passed through serve(), plus the defaults for the size limits.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RawClient, exchange, describeBytes } from "../support/raw.js";
import { echoHandler, startServer, type Server } from "../support/server.js";

const SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

function fields(count: number, valueSize = 1): string {
  let text = "";
  for (let i = 0; i < count; i++) text += `X-F${i}: ${"v".repeat(valueSize)}\r\n`;
  return text;
}

function assertRefused(result: { responses: Array<{ status: number; get(n: string): string | undefined }>; closed: boolean; text: string }, status: number): void {
  assert.equal(result.responses.length, 1, `one response expected: ${describeBytes(result.text)}`);
  assert.equal(result.responses[0].status, status, describeBytes(result.text));
  assert.ok(result.closed, "the connection must close after a refusal");
}

describe("small limits", () => {
  let server: Server;
  const seen: string[] = [];
  before(async () => {
    server = await startServer({
      logger: () => {},
      fetch: async (request) => {
        if (new URL(request.url).pathname === "/ignore-body") {
          seen.push("/ignore-body");
          return new Response("ignored");
        }
        return echoHandler(seen)(request, server);
      },
      limits: {
        maxRequestLineSize: 256,
        maxHeaderSize: 1024,
        maxHeaderCount: 10,
        maxBodySize: 1000,
        maxChunkExtensionSize: 64,
        maxTrailerSize: 256,
        maxDrainSize: 256,
        headerTimeout: 500,
        keepAliveTimeout: 500,
        bodyTimeout: 500,
      },
    });
  });
  after(async () => {
    await server.stop(true);
  });

  it("maxRequestLineSize: a line within it is served", async () => {
    const path = `/${"a".repeat(150)}`;
    const result = await exchange(server.port, `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`, { responses: 1 });
    assert.equal(result.responses[0]?.text, `GET ${path} 0:`);
  });

  it("maxRequestLineSize: a longer line gets 414 and close", async () => {
    const result = await exchange(server.port, `GET /${"a".repeat(1000)} HTTP/1.1\r\nHost: a\r\n\r\n${SMUGGLED}`);
    assertRefused(result, 414);
    assert.ok(!seen.includes("GET /smuggled"));
  });

  it("maxRequestLineSize: a line that never ends gets 414 without waiting for its end", async () => {
    const result = await exchange(server.port, `GET /${"a".repeat(2000)}`);
    assertRefused(result, 414);
  });

  it("maxHeaderSize: a header section within it is served", async () => {
    const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"b".repeat(600)}\r\n\r\n`, { responses: 1 });
    assert.equal(result.responses[0]?.status, 200);
  });

  it("maxHeaderSize: a larger section gets 431 and close", async () => {
    const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"b".repeat(2000)}\r\n\r\n${SMUGGLED}`);
    assertRefused(result, 431);
  });

  it("maxHeaderSize: a section spread over many small fields counts in total", async () => {
    const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\n${fields(8, 200)}\r\n`);
    assertRefused(result, 431);
  });

  it("maxHeaderSize: a section that never ends gets 431 without waiting for its end", async () => {
    const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"b".repeat(3000)}`);
    assertRefused(result, 431);
  });

  it("maxHeaderCount: exactly the limit is served", async () => {
    const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\n${fields(9)}\r\n`, { responses: 1 });
    assert.equal(result.responses[0]?.status, 200, describeBytes(result.text));
  });

  it("maxHeaderCount: one more field gets 431 and close", async () => {
    const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\n${fields(10)}\r\n`);
    assertRefused(result, 431);
  });

  it("maxBodySize: a body of exactly the limit is served", async () => {
    const body = "x".repeat(1000);
    const result = await exchange(server.port, `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n${body}`, { responses: 1 });
    assert.equal(result.responses[0]?.text, `POST / 1000:${body}`);
  });

  it("maxBodySize: a larger Content-Length gets 413 before any body byte is sent", async () => {
    const result = await exchange(server.port, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n");
    assertRefused(result, 413);
  });

  it("maxBodySize: a chunked body growing past the limit gets 413", async () => {
    const chunk = "y".repeat(600);
    const result = await exchange(server.port, `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n${SMUGGLED}`);
    assertRefused(result, 413);
    assert.ok(!seen.includes("GET /smuggled"));
  });

  it("maxBodySize: a chunked body of exactly the limit is served", async () => {
    const result = await exchange(server.port, `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${"y".repeat(600)}\r\n190\r\n${"z".repeat(400)}\r\n0\r\n\r\n`, { responses: 1 });
    assert.equal(result.responses[0]?.status, 200);
    assert.ok(result.responses[0].text.startsWith("POST / 1000:yyy"));
  });

  it("the client sees the 413 even while it is still sending a large body (lingering close)", async () => {
    const client = await RawClient.connect(server.port);
    try {
      void client.write("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 200000\r\n\r\n");
      void client.write(Buffer.alloc(200_000, 0x61));
      const [response] = await client.waitForResponses(1);
      assert.equal(response.status, 413);
      assert.ok(await client.waitForClose(5000), "closed after 413");
    } finally {
      client.destroy();
    }
  });

  it("maxChunkExtensionSize: a longer chunk-ext gets 400", async () => {
    const result = await exchange(server.port, `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=${"e".repeat(200)}\r\nhello\r\n0\r\n\r\n`);
    assertRefused(result, 400);
  });

  it("maxChunkExtensionSize: a short chunk-ext is served", async () => {
    const result = await exchange(server.port, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=short\r\nhello\r\n0\r\n\r\n", { responses: 1 });
    assert.equal(result.responses[0]?.text, "POST / 5:hello");
  });

  it("maxTrailerSize: a larger trailer section gets 431", async () => {
    const result = await exchange(server.port, `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: ${"t".repeat(600)}\r\n\r\n`);
    assertRefused(result, 431);
  });

  it("maxDrainSize: an ignored body within it is drained and the connection goes on", async () => {
    const result = await exchange(server.port, `POST /ignore-body HTTP/1.1\r\nHost: a\r\nContent-Length: 200\r\n\r\n${"d".repeat(200)}GET /next HTTP/1.1\r\nHost: a\r\n\r\n`, { responses: 2 });
    assert.deepEqual(result.responses.map((r) => r.text), ["ignored", "GET /next 0:"]);
    assert.equal(result.closed, false);
  });

  it("maxDrainSize: an ignored body past it closes the connection instead", async () => {
    seen.length = 0;
    const client = await RawClient.connect(server.port);
    try {
      // The head alone first, so every body byte arrives after the handler has answered.
      await client.write("POST /ignore-body HTTP/1.1\r\nHost: a\r\nContent-Length: 900\r\n\r\n");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.text, "ignored");
      await client.write(`${"d".repeat(900)}${SMUGGLED}`);
      assert.ok(await client.waitForClose(4000), "900 ignored bytes exceed maxDrainSize 256: the server must close");
      assert.equal(client.finalResponses().length, 1, describeBytes(client.text));
      assert.ok(!seen.includes("GET /smuggled"));
    } finally {
      client.destroy();
    }
  });

  it("headerTimeout: a slowloris header section gets 408 and close", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
      // One byte every 50 ms keeps the connection busy but never ends the header section.
      void client.writeSlowly("s".repeat(200), 1, 50);
      assert.ok(await client.waitForClose(5000), "the server must close a slowloris connection");
      const responses = client.finalResponses();
      assert.equal(responses.length, 1, describeBytes(client.text));
      assert.equal(responses[0].status, 408);
    } finally {
      client.destroy();
    }
  });

  it("headerTimeout: a silent new connection is closed (with 408 or nothing)", async () => {
    const client = await RawClient.connect(server.port);
    try {
      assert.ok(await client.waitForClose(5000), "the server must close a silent connection");
      const statuses = client.finalResponses().map((r) => r.status);
      assert.ok(statuses.length === 0 || (statuses.length === 1 && statuses[0] === 408), describeBytes(client.text));
    } finally {
      client.destroy();
    }
  });

  it("keepAliveTimeout: an idle persistent connection is closed after its response", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      await client.waitForResponses(1);
      assert.ok(await client.waitForClose(5000), "idle connection still open");
      assert.equal(client.finalResponses().length, 1, "nothing but the one response");
    } finally {
      client.destroy();
    }
  });

  it("keepAliveTimeout: a prompt second request is still served", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
      await client.waitForResponses(1);
      await client.write("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
      const responses = await client.waitForResponses(2);
      assert.equal(responses[1].text, "GET /2 0:");
    } finally {
      client.destroy();
    }
  });

  it("bodyTimeout: a body that stops arriving ends the connection (408 or reset)", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
      assert.ok(await client.waitForClose(5000), "a stalled body must not hold the connection");
      const statuses = client.finalResponses().map((r) => r.status);
      assert.ok(statuses.length === 0 || (statuses.length === 1 && statuses[0] === 408), `want 408 or nothing: ${describeBytes(client.text)}`);
    } finally {
      client.destroy();
    }
  });

  it("bodyTimeout counts silence, not total time: a slow but steady body is served", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
      // 10 bytes over about a second, each gap well under the 500 ms limit.
      await client.writeSlowly("0123456789", 1, 100);
      const [response] = await client.waitForResponses(1);
      assert.equal(response.text, "POST / 10:0123456789");
    } finally {
      client.destroy();
    }
  });
});

describe("default limits", () => {
  let server: Server;
  before(async () => {
    server = await startServer({ fetch: () => new Response("ok") });
  });
  after(async () => {
    await server.stop(true);
  });

  it("a request-line under 8 KiB is served", async () => {
    const result = await exchange(server.port, `GET /${"a".repeat(7000)} HTTP/1.1\r\nHost: a\r\n\r\n`, { responses: 1 });
    assert.equal(result.responses[0]?.status, 200);
  });

  it("a request-line over 8 KiB gets 414", async () => {
    assertRefused(await exchange(server.port, `GET /${"a".repeat(9000)} HTTP/1.1\r\nHost: a\r\n\r\n`), 414);
  });

  it("a header section under 16 KiB is served", async () => {
    const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"b".repeat(15000)}\r\n\r\n`, { responses: 1 });
    assert.equal(result.responses[0]?.status, 200);
  });

  it("a header section over 16 KiB gets 431", async () => {
    assertRefused(await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"b".repeat(17 * 1024)}\r\n\r\n`), 431);
  });

  it("100 header fields are served", async () => {
    const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\n${fields(99)}\r\n`, { responses: 1 });
    assert.equal(result.responses[0]?.status, 200, describeBytes(result.text));
  });

  it("101 header fields get 431", async () => {
    assertRefused(await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\n${fields(100)}\r\n`), 431);
  });

  it("a Content-Length over 128 MiB gets 413", async () => {
    assertRefused(await exchange(server.port, `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${128 * 1024 * 1024 + 1}\r\n\r\n`), 413);
  });
});
