// Persistence, pipelining and response framing over raw TCP (RFC 9112 §6, §9;
// RFC 9110 §6.4.1, §8.6): keep-alive rules for 1.0 and 1.1, Connection: close
// both ways, bodiless responses, Date, Content-Length and chunked.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { RawClient, exchange, describeBytes } from "../support/raw.js";
import { startServer, type Server } from "../support/server.js";

const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(encoder.encode(parts[i++]));
      else controller.close();
    },
  });
}

describe("keep-alive and response framing", () => {
  let server: Server;
  const seen: string[] = [];
  before(async () => {
    server = await startServer({
      async fetch(request, srv) {
        const url = new URL(request.url);
        seen.push(`${request.method} ${url.pathname}`);
        const delay = Number(url.searchParams.get("delay") ?? 0);
        if (delay) await sleep(delay);
        switch (url.pathname) {
          case "/204":
            return new Response(null, { status: 204, headers: { "x-kind": "no-content" } });
          case "/304":
            return new Response(null, { status: 304, headers: { etag: '"v1"' } });
          case "/stream":
            return new Response(streamOf(["alpha,", "beta,", "gamma"]));
          case "/close":
            return new Response("bye", { headers: { connection: "close" } });
          case "/explicit-length":
            // What a HEAD-aware app sends: no body, the GET's length stated by hand.
            return new Response(null, { headers: { "content-length": "42" } });
          case "/port":
            return new Response(String(srv.requestIP(request)?.port));
          case "/ignore-body":
            return new Response("ignored");
          default: {
            const body = request.body ? await request.text() : "";
            return new Response(`${request.method} ${url.pathname} ${body}`);
          }
        }
      },
    });
  });
  after(async () => {
    await server.stop(true);
  });

  it("HTTP/1.1 is persistent by default: several requests on one socket", async () => {
    const client = await RawClient.connect(server.port);
    try {
      for (let i = 1; i <= 3; i++) {
        await client.write(`GET /port HTTP/1.1\r\nHost: a\r\n\r\n`);
        await client.waitForResponses(i);
      }
      const responses = client.finalResponses();
      assert.deepEqual(responses.map((r) => r.text), Array(3).fill(String(client.socket.localPort)));
      assert.ok(await client.stayedOpen(), "still open");
      for (const r of responses) assert.notEqual(r.get("connection")?.toLowerCase(), "close");
    } finally {
      client.destroy();
    }
  });

  it("pipelined requests are answered in order even when the first is slowest", async () => {
    const request =
      "GET /a?delay=150 HTTP/1.1\r\nHost: a\r\n\r\n" +
      "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody" +
      "GET /c?delay=20 HTTP/1.1\r\nHost: a\r\n\r\n" +
      "HEAD /d HTTP/1.1\r\nHost: a\r\n\r\n" +
      "GET /e HTTP/1.1\r\nHost: a\r\n\r\n";
    const methods = ["GET", "POST", "GET", "HEAD", "GET"];
    const result = await exchange(server.port, request, { responses: 5, methods });
    assert.deepEqual(result.responses.map((r) => r.text), ["GET /a ", "POST /b body", "GET /c ", "", "GET /e "], describeBytes(result.text));
    assert.equal(result.responses[3].get("content-length"), String("HEAD /d ".length));
    assert.equal(result.closed, false);
  });

  it("a pipelined request after Connection: close is never processed", async () => {
    seen.length = 0;
    const result = await exchange(server.port, "GET /first HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n");
    assert.equal(result.responses.length, 1, describeBytes(result.text));
    assert.equal(result.responses[0].text, "GET /first ");
    assert.equal(result.responses[0].get("connection")?.toLowerCase(), "close");
    assert.ok(result.closed);
    assert.deepEqual(seen, ["GET /first"]);
  });

  it("Connection: close is recognised case-insensitively and among other tokens", async () => {
    for (const value of ["Close", "keep-alive, close", "Upgrade, CLOSE"]) {
      const result = await exchange(server.port, `GET / HTTP/1.1\r\nHost: a\r\nConnection: ${value}\r\n\r\n`);
      assert.equal(result.responses.length, 1, value);
      assert.ok(result.closed, `Connection: ${value} must close`);
    }
  });

  it("a handler's Connection: close closes the connection after its response", async () => {
    seen.length = 0;
    const result = await exchange(server.port, "GET /close HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n");
    assert.equal(result.responses.length, 1, describeBytes(result.text));
    assert.equal(result.responses[0].text, "bye");
    assert.ok(result.closed);
    assert.ok(!seen.includes("GET /after"));
  });

  it("HTTP/1.0 closes by default", async () => {
    const result = await exchange(server.port, "GET /old HTTP/1.0\r\n\r\n");
    assert.equal(result.responses.length, 1);
    assert.match(result.responses[0].statusLine, /^HTTP\/1\.[01] 200 /);
    assert.equal(result.responses[0].text, "GET /old ");
    assert.ok(result.closed);
  });

  it("HTTP/1.0 with Connection: keep-alive stays open and says so", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      const [first] = await client.waitForResponses(1);
      assert.equal(first.text, "GET /one ");
      assert.equal(first.get("connection")?.toLowerCase(), "keep-alive");
      assert.equal(first.get("content-length"), "9");
      assert.ok(await client.stayedOpen());
      await client.write("GET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      const responses = await client.waitForResponses(2);
      assert.equal(responses[1].text, "GET /two ");
    } finally {
      client.destroy();
    }
  });

  it("responses carry an IMF-fixdate Date and a Content-Length for known bodies", async () => {
    const result = await exchange(server.port, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 1 });
    const [response] = result.responses;
    assert.match(response.get("date") ?? "", IMF_FIXDATE);
    const skew = Math.abs(Date.parse(response.get("date")!) - Date.now());
    assert.ok(skew < 60_000, `Date is off by ${skew} ms`);
    assert.equal(response.get("content-length"), String(Buffer.byteLength("GET /x ")));
    assert.equal(response.has("transfer-encoding"), false);
  });

  it("a streamed body is chunked on HTTP/1.1 and the connection goes on", async () => {
    const result = await exchange(server.port, "GET /stream HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 2 });
    const [streamed, after] = result.responses;
    assert.equal(streamed.chunked, true, describeBytes(result.text));
    assert.equal(streamed.has("content-length"), false);
    assert.equal(streamed.text, "alpha,beta,gamma");
    assert.equal(after.text, "GET /after ");
  });

  it("a streamed body on HTTP/1.0 is delimited by close, never chunked", async () => {
    const result = await exchange(server.port, "GET /stream HTTP/1.0\r\n\r\n");
    assert.equal(result.responses.length, 1, describeBytes(result.text));
    assert.equal(result.responses[0].chunked, false);
    assert.equal(result.responses[0].text, "alpha,beta,gamma");
    assert.ok(result.closed);
  });

  it("a streamed body on HTTP/1.0 keep-alive cannot be chunked, so the server closes", async () => {
    const result = await exchange(server.port, "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /after HTTP/1.0\r\n\r\n");
    assert.equal(result.responses.length, 1, describeBytes(result.text));
    assert.equal(result.responses[0].chunked, false);
    assert.notEqual(result.responses[0].get("connection")?.toLowerCase(), "keep-alive");
    assert.equal(result.responses[0].text, "alpha,beta,gamma");
    assert.ok(result.closed);
  });

  it("HEAD gets the headers of GET and no body", async () => {
    const result = await exchange(server.port, "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 2, methods: ["HEAD", "GET"] });
    const [head, next] = result.responses;
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.get("content-length"), String("HEAD /h ".length));
    assert.equal(next.text, "GET /next ", `HEAD must not send body bytes: ${describeBytes(result.text)}`);
  });

  it("HEAD keeps a Content-Length the handler set by hand", async () => {
    const result = await exchange(server.port, "HEAD /explicit-length HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 2, methods: ["HEAD", "GET"] });
    const [head, next] = result.responses;
    assert.equal(head.getAll("content-length").join(","), "42", describeBytes(result.text));
    assert.equal(next.text, "GET /next ", describeBytes(result.text));
  });

  it("HEAD of a streamed body sends no chunks", async () => {
    const result = await exchange(server.port, "HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 2, methods: ["HEAD", "GET"] });
    assert.equal(result.responses[1].text, "GET /next ", describeBytes(result.text));
  });

  it("204 has no body, no Content-Length and no Transfer-Encoding", async () => {
    const result = await exchange(server.port, "GET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 2 });
    const [noContent, next] = result.responses;
    assert.equal(noContent.status, 204);
    assert.equal(noContent.get("x-kind"), "no-content");
    assert.equal(noContent.has("content-length"), false, "RFC 9110 §8.6: MUST NOT send Content-Length in 204");
    assert.equal(noContent.has("transfer-encoding"), false, "RFC 9112 §6.1: MUST NOT send Transfer-Encoding in 204");
    assert.equal(next.text, "GET /next ", describeBytes(result.text));
  });

  it("304 has no body and no Transfer-Encoding", async () => {
    const result = await exchange(server.port, "GET /304 HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 2 });
    const [notModified, next] = result.responses;
    assert.equal(notModified.status, 304);
    assert.equal(notModified.get("etag"), '"v1"');
    assert.equal(notModified.has("transfer-encoding"), false);
    assert.equal(next.text, "GET /next ", describeBytes(result.text));
  });

  it("a body the handler ignores is skipped, not parsed as the next request", async () => {
    const ignored = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    seen.length = 0;
    const result = await exchange(
      server.port,
      `POST /ignore-body HTTP/1.1\r\nHost: a\r\nContent-Length: ${ignored.length}\r\n\r\n${ignored}` +
        `POST /ignore-body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${ignored.length.toString(16)}\r\n${ignored}\r\n0\r\n\r\n` +
        "GET /next HTTP/1.1\r\nHost: a\r\n\r\n",
      { responses: 3 },
    );
    assert.deepEqual(result.responses.map((r) => r.text), ["ignored", "ignored", "GET /next "], describeBytes(result.text));
    assert.deepEqual(seen, ["POST /ignore-body", "POST /ignore-body", "GET /next"]);
  });

  it("a client that half-closes after its request still gets the response", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("GET /half HTTP/1.1\r\nHost: a\r\n\r\n");
      client.socket.end();
      const [response] = await client.waitForResponses(1);
      assert.equal(response.text, "GET /half ");
    } finally {
      client.destroy();
    }
  });
});
