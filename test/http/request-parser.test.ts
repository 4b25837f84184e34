// Table-driven tests of the request parser (RFC 9112). Every row is fed whole, split in two at
// every byte, and one byte at a time; all runs must agree with the row.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Limits } from "../../src/http/limits.js";
import { parseChunks, splits, type ParseOutcome } from "./parse-driver.js";

interface Row {
  name: string;
  raw: string;
  /** each complete message as "METHOD target 1.x body" */
  messages?: string[];
  /** "status CODE" of the expected ProtocolError */
  error?: string;
  headers?: string[];
  trailers?: string[];
  keepAlive?: boolean;
  limits?: Partial<Limits>;
}

const H = "Host: a\r\n";

const rows: Row[] = [
  // request-line
  { name: "simple GET", raw: `GET / HTTP/1.1\r\n${H}\r\n`, messages: ["GET / 1.1 "], headers: ["Host", "a"] },
  { name: "HTTP/1.0 without Host", raw: "GET /x HTTP/1.0\r\n\r\n", messages: ["GET /x 1.0 "], keepAlive: false },
  { name: "HTTP/1.0 keep-alive", raw: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", messages: ["GET / 1.0 "], keepAlive: true },
  { name: "unknown method reaches handler", raw: `PROPFIND /d HTTP/1.1\r\n${H}\r\n`, messages: ["PROPFIND /d 1.1 "] },
  { name: "PURGE", raw: `PURGE /d HTTP/1.1\r\n${H}\r\n`, messages: ["PURGE /d 1.1 "] },
  { name: "methods are case-sensitive tokens", raw: `get / HTTP/1.1\r\n${H}\r\n`, messages: ["get / 1.1 "] },
  { name: "absolute-form", raw: `GET http://a/b?c HTTP/1.1\r\n${H}\r\n`, messages: ["GET http://a/b?c 1.1 "] },
  { name: "authority-form CONNECT", raw: `CONNECT a:443 HTTP/1.1\r\n${H}\r\n`, messages: ["CONNECT a:443 1.1 "] },
  { name: "asterisk-form OPTIONS", raw: `OPTIONS * HTTP/1.1\r\n${H}\r\n`, messages: ["OPTIONS * 1.1 "] },
  { name: "asterisk-form only for OPTIONS", raw: `GET * HTTP/1.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_TARGET" },
  { name: "authority-form only for CONNECT", raw: `GET a:443 HTTP/1.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_TARGET" },
  { name: "CONNECT needs authority-form", raw: `CONNECT /x HTTP/1.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_TARGET" },
  { name: "HTTP/2.0 is 505", raw: `GET / HTTP/2.0\r\n${H}\r\n`, error: "505 HTTP_VERSION_NOT_SUPPORTED" },
  { name: "HTTP/1.2 is 505", raw: `GET / HTTP/1.2\r\n${H}\r\n`, error: "505 HTTP_VERSION_NOT_SUPPORTED" },
  { name: "HTTP/3.0 is 505", raw: `GET / HTTP/3.0\r\n${H}\r\n`, error: "505 HTTP_VERSION_NOT_SUPPORTED" },
  { name: "HTTP/0.9 version is 505", raw: "GET / HTTP/0.9\r\n\r\n", error: "505 HTTP_VERSION_NOT_SUPPORTED" },
  { name: "leading zero in major is 400", raw: `GET / HTTP/01.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_REQUEST_LINE" },
  { name: "extra minor digit is 400", raw: `GET / HTTP/1.10\r\n${H}\r\n`, error: "400 HTTP_INVALID_REQUEST_LINE" },
  { name: "no dot is 400", raw: `GET / HTTP/11\r\n${H}\r\n`, error: "400 HTTP_INVALID_REQUEST_LINE" },
  { name: "a well-formed unsupported version decides at its eighth byte", raw: `GET / HTTP/2.00\r\n${H}\r\n`, error: "505 HTTP_VERSION_NOT_SUPPORTED" },
  { name: "unsupported version without a line end is 505 at once", raw: "GET / HTTP/5.6", error: "505 HTTP_VERSION_NOT_SUPPORTED" },
  { name: "two-digit major is 400", raw: `GET / HTTP/20.0\r\n${H}\r\n`, error: "400 HTTP_INVALID_REQUEST_LINE" },
  { name: "HTTP/0.9 line is 400", raw: "GET /\r\n\r\n", error: "400 HTTP_INVALID_TARGET" },
  { name: "lowercase version", raw: `GET / http/1.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_REQUEST_LINE" },
  { name: "RTSP is not HTTP", raw: "OPTIONS / RTSP/1.0\r\n\r\n", error: "400 HTTP_INVALID_REQUEST_LINE" },
  { name: "two spaces after method", raw: `GET  / HTTP/1.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_TARGET" },
  { name: "space after version", raw: `GET / HTTP/1.1 \r\n${H}\r\n`, error: "400 HTTP_INVALID_REQUEST_LINE" },
  { name: "empty method", raw: ` / HTTP/1.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_METHOD" },
  { name: "method with separator", raw: `GE(T / HTTP/1.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_METHOD" },
  { name: "UTF-8 in target", raw: `GET /\xce\xb4 HTTP/1.1\r\n${H}\r\n`, error: "400 HTTP_INVALID_TARGET" },
  { name: "leading empty lines are skipped", raw: `\r\n\r\nGET / HTTP/1.1\r\n${H}\r\n`, messages: ["GET / 1.1 "] },
  { name: "bare LF line end", raw: `GET / HTTP/1.1\n${H}\r\n`, error: "400 HTTP_BARE_LF" },
  { name: "bare CR", raw: `GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n`, error: "400 HTTP_BARE_CR" },
  { name: "CR then body bytes instead of CRLF", raw: "PUT /u HTTP/1.1\r\nContent-Length: 3\r\n\rabc", error: "400 HTTP_BARE_CR" },
  // header fields
  { name: "OWS trimmed", raw: `GET / HTTP/1.1\r\nHost: a\r\nX:  \t v w \t\r\n\r\n`, messages: ["GET / 1.1 "], headers: ["Host", "a", "X", "v w"] },
  { name: "empty value", raw: `GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n`, messages: ["GET / 1.1 "], headers: ["Host", "a", "X", ""] },
  { name: "obs-text in value", raw: `GET / HTTP/1.1\r\nHost: a\r\nX: D\xfcsseldorf\r\n\r\n`, messages: ["GET / 1.1 "], headers: ["Host", "a", "X", "D\xfcsseldorf"] },
  { name: "space before colon", raw: `GET / HTTP/1.1\r\nHost : a\r\n\r\n`, error: "400 HTTP_INVALID_HEADER" },
  { name: "empty name", raw: `GET / HTTP/1.1\r\n${H}: v\r\n\r\n`, error: "400 HTTP_INVALID_HEADER" },
  { name: "no colon", raw: `GET / HTTP/1.1\r\n${H}Junk\r\n\r\n`, error: "400 HTTP_INVALID_HEADER" },
  { name: "obs-fold", raw: `GET / HTTP/1.1\r\n${H}X: a\r\n b\r\n\r\n`, error: "400 HTTP_OBS_FOLD" },
  { name: "NUL in value", raw: `GET / HTTP/1.1\r\n${H}X: a\x00b\r\n\r\n`, error: "400 HTTP_INVALID_HEADER" },
  { name: "DEL in value", raw: `GET / HTTP/1.1\r\n${H}X: a\x7fb\r\n\r\n`, error: "400 HTTP_INVALID_HEADER" },
  { name: "missing Host in 1.1", raw: "GET / HTTP/1.1\r\n\r\n", error: "400 HTTP_MISSING_HOST" },
  { name: "two Hosts", raw: `GET / HTTP/1.1\r\n${H}${H}\r\n`, error: "400 HTTP_MISSING_HOST" },
  { name: "invalid Host", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", error: "400 HTTP_INVALID_HOST" },
  { name: "Host with port and IPv6", raw: "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", messages: ["GET / 1.1 "] },
  { name: "Connection: close", raw: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, messages: ["GET / 1.1 "], keepAlive: false },
  { name: "Connection list with close", raw: `GET / HTTP/1.1\r\n${H}Connection: foo, CLOSE\r\n\r\n`, messages: ["GET / 1.1 "], keepAlive: false },
  { name: "Expect other than 100-continue", raw: `GET / HTTP/1.1\r\n${H}Expect: teapot\r\n\r\n`, error: "417 HTTP_EXPECTATION_FAILED" },
  // Content-Length
  { name: "Content-Length body", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`, messages: ["POST / 1.1 hello"] },
  { name: "Content-Length zeros", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 003\r\n\r\nabc`, messages: ["POST / 1.1 abc"] },
  { name: "same Content-Length repeated", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 2\r\nContent-Length: 2\r\n\r\nab`, messages: ["POST / 1.1 ab"] },
  { name: "differing Content-Length", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc`, error: "400 HTTP_INVALID_CONTENT_LENGTH" },
  { name: "differing Content-Length list", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 2, 3\r\n\r\nabc`, error: "400 HTTP_INVALID_CONTENT_LENGTH" },
  { name: "signed Content-Length", raw: `POST / HTTP/1.1\r\n${H}Content-Length: +2\r\n\r\nab`, error: "400 HTTP_INVALID_CONTENT_LENGTH" },
  { name: "negative Content-Length", raw: `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, error: "400 HTTP_INVALID_CONTENT_LENGTH" },
  { name: "Content-Length junk", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 4 2\r\n\r\n`, error: "400 HTTP_INVALID_CONTENT_LENGTH" },
  { name: "empty Content-Length", raw: `POST / HTTP/1.1\r\n${H}Content-Length:\r\n\r\n`, error: "400 HTTP_INVALID_CONTENT_LENGTH" },
  { name: "hex Content-Length", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 0x10\r\n\r\n`, error: "400 HTTP_INVALID_CONTENT_LENGTH" },
  { name: "Content-Length overflow", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 18446744073709551616\r\n\r\n`, error: "400 HTTP_INVALID_CONTENT_LENGTH" },
  { name: "Content-Length above maxBodySize", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\n`, error: "413 HTTP_BODY_TOO_LARGE", limits: { maxBodySize: 10 } },
  // Transfer-Encoding
  { name: "chunked body", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`, messages: ["POST / 1.1 hello world"] },
  { name: "chunked case-insensitive, hex upper and lower", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\na\r\n0123456789\r\n000\r\n\r\n`, messages: ["POST / 1.1 01234567890123456789"] },
  { name: "chunk extensions", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1;a=b;c="d;e\\"f" ;g\r\nx\r\n0;z\r\n\r\n`, messages: ["POST / 1.1 x"] },
  { name: "trailers", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: 1\r\nU: two\r\n\r\n`, messages: ["POST / 1.1 x"], trailers: ["T", "1", "U", "two"] },
  { name: "TE with CL", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`, error: "400 HTTP_CONTENT_LENGTH_WITH_TRANSFER_ENCODING" },
  { name: "CL with TE (order swapped)", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, error: "400 HTTP_CONTENT_LENGTH_WITH_TRANSFER_ENCODING" },
  { name: "unknown coding is 501", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: pigeons\r\n\r\n`, error: "501 HTTP_UNSUPPORTED_TRANSFER_ENCODING" },
  { name: "gzip, chunked is 501", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n`, error: "501 HTTP_UNSUPPORTED_TRANSFER_ENCODING" },
  { name: "chunked not final is 400", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n`, error: "400 HTTP_INVALID_TRANSFER_ENCODING" },
  { name: "chunked not final across fields is 400", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n`, error: "400 HTTP_INVALID_TRANSFER_ENCODING" },
  { name: "gzip alone is 501", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n`, error: "501 HTTP_UNSUPPORTED_TRANSFER_ENCODING" },
  { name: "chunked twice", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n`, error: "400 HTTP_INVALID_TRANSFER_ENCODING" },
  { name: "chunkedchunked", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunkedchunked\r\n\r\n`, error: "501 HTTP_UNSUPPORTED_TRANSFER_ENCODING" },
  { name: "empty Transfer-Encoding", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\r\n\r\n`, error: "400 HTTP_INVALID_TRANSFER_ENCODING" },
  { name: "TE in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", error: "400 HTTP_INVALID_TRANSFER_ENCODING" },
  { name: "chunk size with junk", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2 erf\r\naa\r\n0\r\n\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "space after chunk size", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\na \r\n0123456789\r\n0\r\n\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "semicolon without extension", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1;\r\nx\r\n0\r\n\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "unbalanced quote in extension", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1;a="b\r\nx\r\n0\r\n\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "negative chunk size", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n-1\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "chunk size overflow", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n10000000000000\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "chunk data without CRLF", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "chunk size line with bare LF", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "trailer with bare LF", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nT: 1\n\r\n`, error: "400 HTTP_INVALID_CHUNK" },
  { name: "chunked body above maxBodySize", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`, error: "413 HTTP_BODY_TOO_LARGE", limits: { maxBodySize: 10 } },
  { name: "chunk extension above limit", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1;${"a".repeat(40)}\r\nx\r\n0\r\n\r\n`, error: "400 HTTP_CHUNK_EXTENSION_TOO_LARGE", limits: { maxChunkExtensionSize: 32 } },
  { name: "trailers above limit", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nT: ${"a".repeat(40)}\r\n\r\n`, error: "431 HTTP_TRAILERS_TOO_LARGE", limits: { maxTrailerSize: 32 } },
  // pipelining and smuggling
  { name: "pipelined requests", raw: `GET /1 HTTP/1.1\r\n${H}\r\nPOST /2 HTTP/1.1\r\n${H}Content-Length: 1\r\n\r\nxGET /3 HTTP/1.1\r\n${H}\r\n`, messages: ["GET /1 1.1 ", "POST /2 1.1 x", "GET /3 1.1 "] },
  { name: "GET body bytes are the next request", raw: `GET / HTTP/1.1\r\n${H}\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n`, messages: ["GET / 1.1 ", "GET /smuggled 1.1 "] },
  { name: "CRLF between requests is skipped", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 1\r\n\r\nx\r\nGET /2 HTTP/1.1\r\n${H}\r\n`, messages: ["POST / 1.1 x", "GET /2 1.1 "] },
  { name: "bytes after a rejected message are never parsed", raw: `POST / HTTP/1.1\r\n${H}Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n`, error: "400 HTTP_CONTENT_LENGTH_WITH_TRANSFER_ENCODING" },
  { name: "chunked body hides no request", raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n21\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n0\r\n\r\n`, messages: ["POST / 1.1 GET /smuggled HTTP/1.1\r\nHost: a\r\n"] },
  // limits
  { name: "request-line at limit", raw: `GET /${"a".repeat(16)} HTTP/1.1\r\n${H}\r\n`, messages: [`GET /${"a".repeat(16)} 1.1 `], limits: { maxRequestLineSize: 30 } },
  { name: "request-line over limit", raw: `GET /${"a".repeat(17)} HTTP/1.1\r\n${H}\r\n`, error: "414 HTTP_REQUEST_LINE_TOO_LONG", limits: { maxRequestLineSize: 30 } },
  { name: "method over the request-line limit is 501", raw: `${"M".repeat(31)} / HTTP/1.1\r\n${H}\r\n`, error: "501 HTTP_METHOD_TOO_LONG", limits: { maxRequestLineSize: 30 } },
  { name: "method filling the request-line limit is 501", raw: `${"M".repeat(30)} / HTTP/1.1\r\n${H}\r\n`, error: "501 HTTP_METHOD_TOO_LONG", limits: { maxRequestLineSize: 30 } },
  { name: "method that never ends is 501", raw: "M".repeat(64), error: "501 HTTP_METHOD_TOO_LONG", limits: { maxRequestLineSize: 30 } },
  { name: "long method, line over limit by its target is 414", raw: `${"M".repeat(29)} /a HTTP/1.1\r\n${H}\r\n`, error: "414 HTTP_REQUEST_LINE_TOO_LONG", limits: { maxRequestLineSize: 30 } },
  { name: "header section over limit", raw: `GET / HTTP/1.1\r\n${H}X: ${"a".repeat(64)}\r\n\r\n`, error: "431 HTTP_HEADERS_TOO_LARGE", limits: { maxHeaderSize: 64 } },
  { name: "header count at limit", raw: `GET / HTTP/1.1\r\n${H}A: 1\r\nB: 2\r\n\r\n`, messages: ["GET / 1.1 "], limits: { maxHeaderCount: 3 } },
  { name: "header count over limit", raw: `GET / HTTP/1.1\r\n${H}A: 1\r\nB: 2\r\nC: 3\r\n\r\n`, error: "431 HTTP_TOO_MANY_HEADERS", limits: { maxHeaderCount: 3 } },
];

function summary(outcome: ParseOutcome): string[] {
  return outcome.messages.filter((m) => m.complete).map((m) => `${m.method} ${m.target} ${m.version} ${m.body}`);
}

describe("RequestParser table", () => {
  for (const row of rows) {
    it(row.name, () => {
      const input = Buffer.from(row.raw, "latin1");
      let whole: ParseOutcome | null = null;
      for (const [label, chunks] of splits(input)) {
        const outcome = parseChunks(chunks, row.limits);
        whole ??= outcome;
        if (row.error !== undefined) {
          assert.equal(outcome.error, row.error, `${label}: error`);
        } else {
          assert.equal(outcome.error, null, `${label}: unexpected error`);
          assert.deepEqual(summary(outcome), row.messages, `${label}: messages`);
        }
        if (row.headers !== undefined) assert.deepEqual(outcome.messages[0]?.headers, row.headers, `${label}: headers`);
        if (row.trailers !== undefined) assert.deepEqual(outcome.messages[0]?.trailers, row.trailers, `${label}: trailers`);
        if (row.keepAlive !== undefined) assert.equal(outcome.messages[0]?.keepAlive, row.keepAlive, `${label}: keepAlive`);
        assert.deepEqual(summary(outcome), summary(whole), `${label}: same as whole`);
      }
    });
  }
});

describe("RequestParser incomplete input", () => {
  it("holds a partial head without reporting it", () => {
    const outcome = parseChunks([Buffer.from(`GET / HTTP/1.1\r\n${H}`)]);
    assert.deepEqual(outcome, { messages: [], error: null });
  });
  it("reports a head before its body has arrived", () => {
    const outcome = parseChunks([Buffer.from(`POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`)]);
    assert.equal(outcome.messages.length, 1);
    assert.equal(outcome.messages[0].complete, false);
    assert.equal(outcome.messages[0].body, "abc");
  });
  it("stops after CONNECT: the bytes after it are not HTTP", () => {
    const outcome = parseChunks([Buffer.from(`CONNECT a:1 HTTP/1.1\r\n${H}\r\n\x16\x03\x01garbage`)]);
    assert.equal(outcome.error, null);
    assert.equal(outcome.messages.length, 1);
  });
});
