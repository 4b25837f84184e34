// Expect: 100-continue over raw TCP (RFC 9110 §10.1.1, RFC 9112 §9.3):
// the interim 100 goes out only when the handler first reads the body.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RawClient, describeBytes } from "../support/raw.js";
import { deferred, startServer, type Deferred, type Server } from "../support/server.js";

const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";

describe("Expect: 100-continue", () => {
  let server: Server;
  let gate: Deferred<void> | undefined;
  const paths: string[] = [];
  before(async () => {
    server = await startServer({
      async fetch(request) {
        const url = new URL(request.url);
        paths.push(url.pathname);
        if (url.pathname === "/ignore") return new Response("nope", { status: 403 });
        if (gate) await gate.promise;
        const body = await request.text();
        return new Response(`got ${body.length}:${body}`);
      },
    });
  });
  after(async () => {
    await server.stop(true);
  });

  it("sends 100 Continue only once the handler reads the body", async () => {
    gate = deferred();
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n");
      // The handler is parked before reading: nothing may arrive yet.
      assert.equal(await client.until(() => client.data.length > 0, 200), false, `early bytes: ${describeBytes(client.text)}`);
      gate.resolve();
      assert.ok(await client.until(() => client.text.includes("\r\n\r\n")), "no interim response after the handler read the body");
      assert.ok(client.text.startsWith(CONTINUE), `want ${JSON.stringify(CONTINUE)}, got ${describeBytes(client.text)}`);
      await client.write("hello world");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.status, 200);
      assert.equal(response.text, "got 11:hello world");
      const interim = client.responses().filter((r) => r.interim);
      assert.equal(interim.length, 1, "exactly one 100");
      // The connection is still good for the next request.
      await client.write("GET /read HTTP/1.1\r\nHost: a\r\n\r\n");
      const responses = await client.waitForResponses(2);
      assert.equal(responses[1].text, "got 0:");
    } finally {
      gate = undefined;
      client.destroy();
    }
  });

  it("a handler that ignores the body answers without 100 and the connection stays coherent", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.status, 403);
      assert.equal(response.text, "nope");
      assert.equal(client.responses().filter((r) => r.interim).length, 0, "no 100 for a body nobody reads");
      if (response.get("connection")?.toLowerCase() === "close") {
        assert.ok(await client.waitForClose(), "Connection: close was announced, so the server must close");
        return;
      }
      // The server kept the connection: it must then read and discard the body we now send.
      paths.length = 0;
      await client.write("helloGET /read HTTP/1.1\r\nHost: a\r\n\r\n");
      const responses = await client.waitForResponses(2);
      assert.equal(responses[1].status, 200);
      assert.equal(responses[1].text, "got 0:");
      assert.deepEqual(paths, ["/read"]);
    } finally {
      client.destroy();
    }
  });

  it("the expectation token is case-insensitive", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-Continue\r\n\r\n");
      assert.ok(await client.until(() => client.text.includes("\r\n\r\n")), "no interim response");
      assert.ok(client.text.startsWith("HTTP/1.1 100 "), describeBytes(client.text));
      await client.write("ok");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.text, "got 2:ok");
    } finally {
      client.destroy();
    }
  });

  it("works with a chunked body", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST /read HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
      assert.ok(await client.until(() => client.text.includes("\r\n\r\n")), "no interim response");
      assert.ok(client.text.startsWith("HTTP/1.1 100 "), describeBytes(client.text));
      await client.write("3\r\nabc\r\n0\r\n\r\n");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.text, "got 3:abc");
    } finally {
      client.destroy();
    }
  });

  it("a client that sends the body without waiting still gets one final answer", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nxyzGET /read HTTP/1.1\r\nHost: a\r\n\r\n");
      const responses = await client.waitForResponses(2);
      assert.deepEqual(responses.map((r) => r.text), ["got 3:xyz", "got 0:"]);
      assert.ok(client.responses().filter((r) => r.interim).length <= 1);
    } finally {
      client.destroy();
    }
  });

  it("is ignored in an HTTP/1.0 request", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST /read HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.text, "got 3:abc");
      assert.equal(client.responses().filter((r) => r.interim).length, 0, `no 100 for HTTP/1.0: ${describeBytes(client.text)}`);
    } finally {
      client.destroy();
    }
  });

  it("an unknown expectation gets 417 and never reaches the handler", async () => {
    paths.length = 0;
    const client = await RawClient.connect(server.port);
    try {
      await client.write("POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 200-ok\r\n\r\n");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.status, 417);
      assert.deepEqual(paths, []);
    } finally {
      client.destroy();
    }
  });
});
