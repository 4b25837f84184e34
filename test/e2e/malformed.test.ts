// Black-box framing tests over raw TCP (RFC 9112 sections 2-7, RFC 9110 section 10.1.1):
// each row is sent in one write, then a smuggled request follows every
// rejected message; it must never be answered or reach the handler.
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RawClient, exchange, describeBytes } from "../support/raw.js";
import { echoHandler, startServer, type Server } from "../support/server.js";

const SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

interface Row {
  name: string;
  request: string;
  /** status the one answer must have (any of a list). */
  status: number | number[];
  /** body the echo handler must give (valid rows). */
  body?: string;
  /** closed: the server must close (true), keep the connection (false), or either (undefined). */
  closed?: boolean;
}

const get = (extra = "") => `GET / HTTP/1.1\r\nHost: a\r\n${extra}\r\n`;
const post = (headers: string, body: string) => `POST / HTTP/1.1\r\nHost: a\r\n${headers}\r\n${body}`;
const chunked = (body: string) => post("Transfer-Encoding: chunked\r\n", body);
const withLength = (value: string, body = "hello") => post(`Content-Length: ${value}\r\n`, body);

const valid: Row[] = [
  { name: "plain GET", request: get(), status: 200, body: "GET / 0:" },
  { name: "unknown method PROPFIND", request: "PROPFIND /dav HTTP/1.1\r\nHost: a\r\n\r\n", status: 200, body: "PROPFIND /dav 0:" },
  { name: "unknown method PURGE", request: "PURGE /cache HTTP/1.1\r\nHost: a\r\n\r\n", status: 200, body: "PURGE /cache 0:" },
  { name: "method with tchars M-SEARCH", request: "M-SEARCH / HTTP/1.1\r\nHost: a\r\n\r\n", status: 200, body: "M-SEARCH / 0:" },
  { name: "query kept verbatim", request: "GET /p?b=1&c=%20x HTTP/1.1\r\nHost: a\r\n\r\n", status: 200, body: "GET /p?b=1&c=%20x 0:" },
  { name: "HTTP/1.0 without Host", request: "GET /old HTTP/1.0\r\n\r\n", status: 200, body: "GET /old 0:", closed: true },
  { name: "lower-case host field name", request: "GET / HTTP/1.1\r\nhost: a\r\n\r\n", status: 200, body: "GET / 0:" },
  { name: "every tchar in a field name", request: get("X-!#$%&'*+.^_`|~09az: v\r\n"), status: 200 },
  { name: "tab and obs-text in a field value", request: get("X-A: a\tb \xe9\r\n"), status: 200 },
  { name: "empty field value", request: get("X-Empty:\r\n"), status: 200 },
  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
  { name: "one empty line before the request-line", request: `\r\n${get()}`, status: 200, body: "GET / 0:" },
  { name: "Content-Length body", request: withLength("5"), status: 200, body: "POST / 5:hello" },
  { name: "Content-Length with leading zeros is 1*DIGIT", request: withLength("005"), status: 200, body: "POST / 5:hello" },
  { name: "Content-Length: 0", request: withLength("0", ""), status: 200, body: "POST / 0:" },
  { name: "chunked body", request: chunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), status: 200, body: "POST / 11:hello world" },
  { name: "chunked with extensions", request: chunked("5;name=value;x\r\nhello\r\n0;last\r\n\r\n"), status: 200, body: "POST / 5:hello" },
  { name: "chunked with a quoted extension", request: chunked('5;a="b; c"\r\nhello\r\n0\r\n\r\n'), status: 200, body: "POST / 5:hello" },
  { name: "chunked with trailers", request: chunked("5\r\nhello\r\n0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n"), status: 200, body: "POST / 5:hello" },
  { name: "upper-case hex chunk size", request: chunked("A\r\n0123456789\r\n0\r\n\r\n"), status: 200, body: "POST / 10:0123456789" },
  { name: "chunk size with leading zeros", request: chunked("0005\r\nhello\r\n000\r\n\r\n"), status: 200, body: "POST / 5:hello" },
  { name: "transfer-coding names are case-insensitive", request: post("Transfer-Encoding: Chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), status: 200, body: "POST / 5:hello" },
];

const rejected: Row[] = [
  // request-line (RFC 9112 §3)
  { name: "two spaces after the method", request: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "leading space", request: " GET / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "method not a token", request: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "space inside the target", request: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "NUL inside the target", request: "GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "relative target", request: "GET foo HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "authority-form without CONNECT", request: "GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "HTTP/0.9 simple request", request: "GET /\r\n\r\n", status: [400, 505], closed: true },
  { name: "lower-case http version", request: "GET / http/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "version without minor", request: "GET / HTTP/1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  // HTTP-version is "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3): anything else is malformed, not unsupported.
  { name: "two-digit minor version", request: "GET / HTTP/1.10\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "leading zero in the major version", request: "GET / HTTP/01.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "version without a dot", request: "GET / HTTP/11\r\nHost: a\r\n\r\n", status: 400, closed: true },
  // RFC 9112 §3: a method longer than any implemented SHOULD get 501 (414 is about the target).
  { name: "method longer than the request-line limit", request: `${"M".repeat(9000)} / HTTP/1.1\r\nHost: a\r\n\r\n`, status: 501, closed: true },
  { name: "not HTTP at all", request: "GET / HTTPS/1.1\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "bare CR ends the request-line", request: "GET / HTTP/1.1\rHost: a\r\n\r\n", status: 400, closed: true },
  { name: "HTTP/2.0", request: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505, closed: true },
  { name: "HTTP/1.2", request: "GET / HTTP/1.2\r\nHost: a\r\n\r\n", status: 505, closed: true },
  { name: "HTTP/3.0", request: "GET / HTTP/3.0\r\nHost: a\r\n\r\n", status: 505, closed: true },
  { name: "HTTP/0.9 with a version", request: "GET / HTTP/0.9\r\nHost: a\r\n\r\n", status: 505, closed: true },
  // field lines (RFC 9112 §5)
  { name: "space before the colon", request: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: 400, closed: true },
  { name: "tab before the colon", request: get("X-A\t: b\r\n"), status: 400, closed: true },
  { name: "space inside a field name", request: get("X Y: z\r\n"), status: 400, closed: true },
  { name: "delimiter inside a field name", request: get("X(A): b\r\n"), status: 400, closed: true },
  { name: "empty field name", request: get(": b\r\n"), status: 400, closed: true },
  { name: "field line without a colon", request: get("NoColon\r\n"), status: 400, closed: true },
  { name: "obs-fold", request: get("X-A: b\r\n c\r\n"), status: 400, closed: true },
  { name: "whitespace-led first field line", request: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", status: 400, closed: true },
  { name: "NUL in a field value", request: get("X-A: b\x00c\r\n"), status: 400, closed: true },
  { name: "CR in a field value", request: get("X-A: b\rc\r\n"), status: 400, closed: true },
  { name: "LF in a field value", request: get("X-A: b\nc\r\n"), status: 400, closed: true },
  // Host (RFC 9112 §3.2)
  { name: "HTTP/1.1 without Host", request: "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", status: 400, closed: true },
  { name: "two Host fields", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400, closed: true },
  { name: "two identical Host fields", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", status: 400, closed: true },
  { name: "Host with a space", request: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400, closed: true },
  // Content-Length (RFC 9110 §8.6, RFC 9112 §6.3)
  { name: "differing Content-Length fields", request: post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"), status: 400, closed: true },
  { name: "differing Content-Length list", request: withLength("5, 6", "hello!"), status: 400, closed: true },
  { name: "Content-Length with plus sign", request: withLength("+5"), status: 400, closed: true },
  { name: "negative Content-Length", request: withLength("-5"), status: 400, closed: true },
  { name: "Content-Length with junk", request: withLength("5a"), status: 400, closed: true },
  { name: "hex Content-Length", request: withLength("0x5"), status: 400, closed: true },
  { name: "decimal point Content-Length", request: withLength("5.0"), status: 400, closed: true },
  { name: "Content-Length with inner space", request: withLength("5 5"), status: 400, closed: true },
  { name: "empty Content-Length", request: withLength(""), status: 400, closed: true },
  { name: "Content-Length beyond 2^64", request: withLength("99999999999999999999999999"), status: [400, 413], closed: true },
  // Transfer-Encoding (RFC 9112 §6.1, §6.3, §7)
  { name: "Transfer-Encoding with Content-Length", request: post("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), status: 400, closed: true },
  { name: "Content-Length after Transfer-Encoding", request: post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"), status: 400, closed: true },
  { name: "unknown coding before chunked", request: post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), status: 501, closed: true },
  { name: "unknown coding alone", request: post("Transfer-Encoding: gzip\r\n", "0\r\n\r\n"), status: 501, closed: true },
  // RFC 9112 §6.3: chunked present but not final: the server MUST respond 400 and close.
  { name: "chunked not final", request: post("Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n"), status: 400, closed: true },
  { name: "chunked twice", request: post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), status: [400, 501], closed: true },
  { name: "chunked in two fields", request: post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), status: [400, 501], closed: true },
  { name: "identity coding", request: post("Transfer-Encoding: identity\r\n", "0\r\n\r\n"), status: [400, 501], closed: true },
  { name: "xchunked", request: post("Transfer-Encoding: xchunked\r\n", "0\r\n\r\n"), status: [400, 501], closed: true },
  { name: "vertical tab before chunked", request: post("Transfer-Encoding: \x0bchunked\r\n", "0\r\n\r\n"), status: [400, 501], closed: true },
  { name: "space before the colon of Transfer-Encoding", request: post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n"), status: 400, closed: true },
  // chunk sizes (RFC 9112 §7.1)
  { name: "0x chunk size", request: chunked("0x5\r\nhello\r\n0\r\n\r\n"), status: 400, closed: true },
  { name: "negative chunk size", request: chunked("-5\r\nhello\r\n0\r\n\r\n"), status: 400, closed: true },
  { name: "space before the chunk size", request: chunked(" 5\r\nhello\r\n0\r\n\r\n"), status: 400, closed: true },
  { name: "non-hex chunk size", request: chunked("g\r\nhello\r\n0\r\n\r\n"), status: 400, closed: true },
  { name: "empty chunk size", request: chunked("\r\nhello\r\n0\r\n\r\n"), status: 400, closed: true },
  { name: "chunk size overflow", request: chunked("ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"), status: [400, 413], closed: true },
  { name: "chunk size overflowing 2^53", request: chunked("20000000000001\r\nhello\r\n0\r\n\r\n"), status: [400, 413], closed: true },
  { name: "chunk data longer than its size", request: chunked("5\r\nhelloXX\r\n0\r\n\r\n"), status: 400, closed: true },
  { name: "chunk data without CRLF", request: chunked("5\r\nhello0\r\n\r\n"), status: 400, closed: true },
  // Expect (RFC 9110 §10.1.1)
  { name: "unknown expectation", request: get("Expect: the-unexpected\r\n"), status: 417 },
];

describe("malformed and valid requests over raw TCP", () => {
  let server: Server;
  const seen: string[] = [];
  before(async () => {
    // Body framing errors reach the echo handler's request.text() as rejections: keep the log quiet.
    server = await startServer({ fetch: echoHandler(seen), logger: () => {} });
  });
  after(async () => {
    await server.stop(true);
  });
  beforeEach(() => {
    seen.length = 0;
  });

  for (const fragment of [false, true]) {
    const how = fragment ? " (one byte per write)" : "";

    for (const row of valid) {
      it(`accepts: ${row.name}${how}`, async () => {
        const result = await exchange(server.port, row.request, { responses: 1, fragment });
        assert.equal(result.responses.length, 1, `one response expected, got ${describeBytes(result.text)}`);
        const [response] = result.responses;
        assert.equal(response.status, row.status, describeBytes(result.text));
        if (row.body !== undefined) assert.equal(response.text, row.body);
        if (row.closed !== undefined) assert.equal(result.closed, row.closed, "connection closed?");
      });
    }

    for (const row of rejected) {
      it(`rejects: ${row.name}${how}`, async () => {
        const request = row.closed ? row.request + SMUGGLED : row.request;
        const result = await exchange(server.port, request, row.closed ? { fragment } : { responses: 1, fragment });
        const statuses = Array.isArray(row.status) ? row.status : [row.status];
        assert.equal(result.responses.length, 1, `exactly one response expected, got ${describeBytes(result.text)}`);
        const [response] = result.responses;
        assert.ok(statuses.includes(response.status), `status ${response.status}, want ${statuses.join("|")}: ${describeBytes(result.text)}`);
        if (row.closed !== undefined) assert.equal(result.closed, row.closed, "connection closed?");
        if (row.closed) {
          assert.equal(response.get("connection")?.toLowerCase(), "close", "a closing error response says Connection: close");
          assert.ok(!seen.includes("GET /smuggled"), `smuggled request reached the handler: ${seen.join(", ")}`);
        }
        assert.ok(!result.text.includes("smuggled"), "the error response must not echo request bytes");
      });
    }
  }
});

describe("request-target forms (RFC 9112 §3.2)", () => {
  let server: Server;
  const seen: Array<{ method: string; url: string; host: string | null }> = [];
  before(async () => {
    server = await startServer({
      fetch(request) {
        seen.push({ method: request.method, url: request.url, host: request.headers.get("host") });
        return new Response(request.method === "CONNECT" ? "no tunnels here" : "ok", { status: request.method === "CONNECT" ? 405 : 200 });
      },
    });
  });
  after(async () => {
    await server.stop(true);
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it("origin-form: the URL is built from Host", async () => {
    const result = await exchange(server.port, "GET /a/b?c=d HTTP/1.1\r\nHost: example.test:8080\r\n\r\n", { responses: 1 });
    assert.equal(result.responses[0]?.status, 200);
    const url = new URL(seen[0].url);
    assert.equal(url.host, "example.test:8080");
    assert.equal(url.pathname, "/a/b");
    assert.equal(url.search, "?c=d");
  });

  it("absolute-form: the target's authority wins over Host", async () => {
    const result = await exchange(server.port, "GET http://example.com/x?y=1 HTTP/1.1\r\nHost: other.test\r\n\r\n", { responses: 1 });
    assert.equal(result.responses[0]?.status, 200);
    assert.equal(seen[0]?.url, "http://example.com/x?y=1");
  });

  it("authority-form: CONNECT reaches the handler", async () => {
    const result = await exchange(server.port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", { responses: 1 });
    assert.equal(result.responses[0]?.status, 405, describeBytes(result.text));
    assert.equal(result.responses[0]?.text, "no tunnels here");
    assert.equal(seen[0]?.method, "CONNECT");
    assert.ok(seen[0]?.url.includes("example.com:443"), `url ${seen[0]?.url}`);
  });

  it("asterisk-form: OPTIONS * reaches the handler", async () => {
    const result = await exchange(server.port, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", { responses: 1 });
    assert.equal(result.responses[0]?.status, 200, describeBytes(result.text));
    assert.equal(seen[0]?.method, "OPTIONS");
  });
});

describe("framing across messages on one connection", () => {
  let server: Server;
  const seen: string[] = [];
  before(async () => {
    server = await startServer({ fetch: echoHandler(seen), logger: () => {} });
  });
  after(async () => {
    await server.stop(true);
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it("a GET without Content-Length has no body: the bytes after it are the next request", async () => {
    const result = await exchange(server.port, `${get()}hello\r\n\r\n${SMUGGLED}`);
    assert.deepEqual(result.responses.map((r) => r.status), [200, 400], describeBytes(result.text));
    assert.equal(result.responses[0].text, "GET / 0:");
    assert.ok(result.closed);
    assert.deepEqual(seen, ["GET /"]);
  });

  it("bytes beyond Content-Length are the next request", async () => {
    const result = await exchange(server.port, `${withLength("5", "helloGET /second HTTP/1.1\r\nHost: a\r\n\r\n")}`, { responses: 2 });
    assert.deepEqual(result.responses.map((r) => r.text), ["POST / 5:hello", "GET /second 0:"]);
    assert.equal(result.closed, false);
  });

  it("bytes after the last chunk are the next request", async () => {
    const result = await exchange(server.port, chunked(`5\r\nhello\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n`), { responses: 2 });
    assert.deepEqual(result.responses.map((r) => r.text), ["POST / 5:hello", "GET /second 0:"]);
  });

  it("a valid request, then a rejected one: the first is answered, nothing after the second", async () => {
    const bad = post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n");
    const result = await exchange(server.port, `${get()}${bad}${SMUGGLED}`);
    assert.deepEqual(result.responses.map((r) => r.status), [200, 400], describeBytes(result.text));
    assert.ok(result.closed);
    assert.deepEqual(seen, ["GET /"]);
  });

  it("a chunk-size error mid-body is not followed by an answer to the smuggled request", async () => {
    const result = await exchange(server.port, chunked(`5\r\nhello\r\nzz\r\n${SMUGGLED}`));
    assert.equal(result.responses.length, 1, describeBytes(result.text));
    assert.equal(result.responses[0].status, 400);
    assert.ok(result.closed);
    assert.ok(!seen.includes("GET /smuggled"));
  });

  it("an HTTP/1.0 message with Transfer-Encoding is answered at most once, then closed (RFC 9112 §6.1)", async () => {
    const result = await exchange(
      server.port,
      `POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /smuggled HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`,
    );
    assert.equal(result.responses.length, 1, describeBytes(result.text));
    assert.ok([200, 400].includes(result.responses[0].status), describeBytes(result.text));
    assert.ok(result.closed, "faulty framing: the connection must close after the response");
    assert.ok(!seen.includes("GET /smuggled"));
  });

  it("a request split at every byte is still one request", async () => {
    const client = await RawClient.connect(server.port);
    try {
      await client.writeSlowly(chunked("5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"), 1, 0);
      const [response] = await client.waitForResponses(1);
      assert.equal(response.text, "POST / 5:hello");
    } finally {
      client.destroy();
    }
  });
});

describe("what the handler sees of the request", () => {
  let server: Server;
  before(async () => {
    server = await startServer({
      async fetch(request) {
        return Response.json({
          method: request.method,
          xa: request.headers.get("x-a"),
          xb: request.headers.get("x-b"),
          host: request.headers.get("host"),
          length: request.headers.get("content-length"),
          bodyIsNull: request.body === null,
          body: request.body === null ? null : await request.text(),
        });
      },
    });
  });
  after(async () => {
    await server.stop(true);
  });

  it("repeated fields are combined, values trimmed, Host kept", async () => {
    const result = await exchange(server.port, "GET / HTTP/1.1\r\nHost: example.test\r\nX-A: 1\r\nx-a: 2\r\nX-B: \t padded value \t\r\n\r\n", { responses: 1 });
    assert.deepEqual(JSON.parse(result.responses[0].text), { method: "GET", xa: "1, 2", xb: "padded value", host: "example.test", length: null, bodyIsNull: true, body: null });
  });

  it("a POST body and its Content-Length are visible", async () => {
    const result = await exchange(server.port, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", { responses: 1 });
    const seen = JSON.parse(result.responses[0].text) as { length: string; body: string };
    assert.equal(seen.length, "3");
    assert.equal(seen.body, "abc");
  });
});
