// A script's header block (RFC 3875 §6) as tables: where the block ends (CRLF or bare LF, replayed
// at every split point as output arrives in pieces), and what each block means: a document, a
// client redirect, a local redirect, or an error that becomes 502.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CgiOutputError, findHeaderEnd, parseCgiHead, type CgiResponseHead } from "../../src/cgi/cgi-output.js";

interface EndCase {
  name: string;
  output: string;
  /** end is [end of headers, start of body], or null when the block is incomplete. */
  end: [number, number] | null;
  /** block and body are what the split gives, when it is complete. */
  block?: string;
  body?: string;
}

const END_CASES: EndCase[] = [
  { name: "CRLF lines, CRLF blank line", output: "Content-Type: text/plain\r\n\r\nhello", end: [24, 28], block: "Content-Type: text/plain", body: "hello" },
  { name: "LF-only lines", output: "Content-Type: text/plain\n\nhello", end: [24, 26], block: "Content-Type: text/plain", body: "hello" },
  { name: "two CRLF fields", output: "Status: 201 Created\r\nContent-Type: a/b\r\n\r\n{}", end: [38, 42], block: "Status: 201 Created\r\nContent-Type: a/b", body: "{}" },
  { name: "two LF fields", output: "Status: 201 Created\nContent-Type: a/b\n\n{}", end: [37, 39], block: "Status: 201 Created\nContent-Type: a/b", body: "{}" },
  { name: "CRLF fields, LF blank line", output: "A: 1\r\nContent-Type: t\n\nbody", end: [21, 23], block: "A: 1\r\nContent-Type: t", body: "body" },
  { name: "empty body", output: "Content-Type: t\r\n\r\n", end: [15, 19], block: "Content-Type: t", body: "" },
  { name: "a CRLF block whose body holds a bare LF LF", output: "Content-Type: t\r\n\r\nx\n\ny", end: [15, 19], block: "Content-Type: t", body: "x\n\ny" },
  { name: "an LF block whose body holds CRLF CRLF", output: "Content-Type: t\n\nx\r\n\r\ny", end: [15, 17], block: "Content-Type: t", body: "x\r\n\r\ny" },
  { name: "nothing yet", output: "", end: null },
  { name: "one CRLF line, no blank line yet", output: "Content-Type: t\r\n", end: null },
  { name: "one LF line, no blank line yet", output: "Content-Type: t\n", end: null },
  { name: "a lone CR CR is not a blank line", output: "Content-Type: t\r\r", end: null },
  { name: "CRLF then CR: the blank line is incomplete", output: "Content-Type: t\r\n\r", end: null },
];

describe("findHeaderEnd", () => {
  for (const c of END_CASES) {
    it(c.name, () => {
      const buf = Buffer.from(c.output, "latin1");
      assert.deepEqual(findHeaderEnd(buf), c.end);
      if (c.end === null) return;
      assert.equal(buf.toString("latin1", 0, c.end[0]), c.block);
      assert.equal(buf.toString("latin1", c.end[1]), c.body);
    });
  }

  // The gateway re-runs findHeaderEnd on everything buffered so far; output may arrive cut anywhere.
  for (const c of END_CASES.filter((c) => c.end !== null)) {
    it(`${c.name}: every prefix is incomplete until the blank line arrives, then the split is stable`, () => {
      const buf = Buffer.from(c.output, "latin1");
      const [, bodyStart] = c.end!;
      for (let n = 0; n <= buf.length; n++) {
        const got = findHeaderEnd(buf.subarray(0, n));
        if (n < bodyStart) assert.equal(got, null, `prefix of ${n} bytes`);
        else assert.deepEqual(got, c.end, `prefix of ${n} bytes`);
      }
    });
  }

  it("a body byte by byte after the block never changes the split", () => {
    const head = "Content-Type: t\n\n";
    const body = "\r\n\r\n\n\n".repeat(10);
    const buf = Buffer.from(head + body, "latin1");
    for (let n = head.length; n <= buf.length; n++) assert.deepEqual(findHeaderEnd(buf.subarray(0, n)), [15, 17]);
  });
});

interface HeadCase {
  name: string;
  block: string;
  /** want is the parsed head (fields left out are not checked), or "error" for a CgiOutputError. */
  want: Partial<CgiResponseHead> | "error";
}

const HEAD_CASES: HeadCase[] = [
  // Documents (§6.2.1)
  { name: "Content-Type alone is a 200 document", block: "Content-Type: text/html", want: { kind: "document", status: 200, statusText: "", headers: ["Content-Type", "text/html"], location: null } },
  { name: "no space after the colon", block: "Content-Type:text/plain", want: { kind: "document", headers: ["Content-Type", "text/plain"] } },
  { name: "field names are case-insensitive", block: "content-TYPE: text/plain", want: { kind: "document", status: 200, headers: ["content-TYPE", "text/plain"] } },
  { name: "surrounding whitespace of a value is dropped", block: "Content-Type: \t text/plain \t", want: { headers: ["Content-Type", "text/plain"] } },
  { name: "other fields pass through in order, repeats kept", block: "X-A: 1\nSet-Cookie: a=1\nContent-Type: t\nSet-Cookie: b=2", want: { headers: ["X-A", "1", "Set-Cookie", "a=1", "Content-Type", "t", "Set-Cookie", "b=2"] } },
  { name: "CRLF and LF lines mixed", block: "X-A: 1\r\nContent-Type: t\nX-B: 2", want: { headers: ["X-A", "1", "Content-Type", "t", "X-B", "2"] } },
  // Status (§6.3.3)
  { name: "Status with a reason", block: "Status: 404 Not Found\nContent-Type: text/plain", want: { kind: "document", status: 404, statusText: "Not Found", headers: ["Content-Type", "text/plain"] } },
  { name: "Status with a reason holding spaces and a quote", block: "Status: 418 I'm a teapot\r\nContent-Type: text/plain", want: { status: 418, statusText: "I'm a teapot" } },
  { name: "Status without a reason", block: "Status: 500\nContent-Type: t", want: { status: 500, statusText: "" } },
  { name: "Status after Content-Type", block: "Content-Type: t\nStatus: 201 Created", want: { status: 201, statusText: "Created", headers: ["Content-Type", "t"] } },
  { name: "status in lower case, extra spaces", block: "status:   503   Try Later  \nContent-Type: t", want: { status: 503, statusText: "Try Later" } },
  { name: "Status is never sent on as a field", block: "Status: 200 OK\nContent-Type: t", want: { headers: ["Content-Type", "t"] } },
  { name: "Status not a number", block: "Status: OK\nContent-Type: t", want: "error" },
  { name: "Status of two digits", block: "Status: 20 OK\nContent-Type: t", want: "error" },
  { name: "Status of four digits", block: "Status: 2000 OK\nContent-Type: t", want: "error" },
  { name: "Status below 100", block: "Status: 099 Low\nContent-Type: t", want: "error" },
  { name: "Status empty", block: "Status:\nContent-Type: t", want: "error" },
  { name: "Status glued to its reason", block: "Status: 200OK\nContent-Type: t", want: "error" },
  // A document needs Content-Type (§6.3.1)
  { name: "no Content-Type", block: "X-Foo: bar", want: "error" },
  // A Status alone is valid if no body follows (§6.3.1: Content-Type "if an entity body is returned")
  { name: "Status but no Content-Type is status-only", block: "Status: 200 OK", want: { kind: "status-only", status: 200, statusText: "OK", headers: [] } },
  { name: "git http-backend's 404", block: "Status: 404 Not Found\r\nExpires: Fri, 01 Jan 1980 00:00:00 GMT\r\nPragma: no-cache\r\nCache-Control: no-cache, max-age=0, must-revalidate", want: { kind: "status-only", status: 404, statusText: "Not Found", headers: ["Expires", "Fri, 01 Jan 1980 00:00:00 GMT", "Pragma", "no-cache", "Cache-Control", "no-cache, max-age=0, must-revalidate"] } },
  { name: "Status after other fields, no Content-Type", block: "Pragma: no-cache\nStatus: 403 Forbidden", want: { kind: "status-only", status: 403, headers: ["Pragma", "no-cache"] } },
  { name: "a malformed Status without Content-Type is still an error", block: "Status: 40x\nPragma: no-cache", want: "error" },
  { name: "an empty header block", block: "", want: "error" },
  // Malformed lines
  { name: "a line without a colon", block: "Content-Type text/html", want: "error" },
  { name: "a line with an empty name", block: ": value\nContent-Type: t", want: "error" },
  { name: "a space inside the name", block: "Bad Name: x\nContent-Type: t", want: "error" },
  { name: "whitespace before the colon", block: "Content-Type : text/html", want: "error" },
  { name: "an obs-fold continuation line", block: "Content-Type: t\n X-Folded: y", want: "error" },
  { name: "a non-token byte in the name", block: "X-Ä: 1\nContent-Type: t", want: "error" },
  { name: "a lone CR inside a value (header splitting)", block: "Content-Type: t\rSet-Cookie: evil=1", want: "error" },
  { name: "a NUL inside a value", block: "Content-Type: t\nX-A: a\0b", want: "error" },
  { name: "a script that printed its body first", block: "<html><body>oops</body></html>", want: "error" },
  // Client redirects (§6.2.4): an absolute URI
  { name: "absolute Location is a 302", block: "Location: http://example.com/", want: { kind: "client-redirect", status: 302, location: "http://example.com/", headers: ["Location", "http://example.com/"] } },
  { name: "absolute Location with a Status", block: "Status: 301 Moved Permanently\nLocation: https://example.com/new?q=1", want: { kind: "client-redirect", status: 301, statusText: "Moved Permanently", location: "https://example.com/new?q=1" } },
  { name: "absolute Location with a document (§6.2.4)", block: "Status: 303 See Other\nLocation: http://example.com/x\nContent-Type: text/html", want: { kind: "client-redirect", status: 303, headers: ["Location", "http://example.com/x", "Content-Type", "text/html"] } },
  { name: "absolute Location of another scheme", block: "Location: ftp://files.example/a", want: { kind: "client-redirect", status: 302 } },
  // Local redirects (§6.2.2): a path the server serves instead
  { name: "a local Location path", block: "Location: /cgi-bin/other", want: { kind: "local-redirect", location: "/cgi-bin/other", headers: [] } },
  { name: "a local Location with Status 303 goes to the client", block: "Status: 303 See Other\nLocation: /guestbook", want: { kind: "client-redirect", status: 303, location: "/guestbook", headers: ["Location", "/guestbook"] } },
  { name: "a local Location with a query", block: "Location: /cgi-bin/other?x=1&y=%20", want: { kind: "local-redirect", location: "/cgi-bin/other?x=1&y=%20" } },
  { name: "a local Location drops the script's other fields", block: "Location: /index.html\nContent-Type: text/plain\nX-Dropped: 1", want: { kind: "local-redirect", location: "/index.html", headers: [] } },
  { name: "a protocol-relative Location is not local", block: "Location: //evil.example/", want: "error" },
  { name: "a relative Location is neither", block: "Location: other.cgi", want: "error" },
];

describe("parseCgiHead", () => {
  for (const c of HEAD_CASES) {
    it(c.name, () => {
      if (c.want === "error") {
        assert.throws(() => parseCgiHead(c.block), CgiOutputError);
        return;
      }
      const head = parseCgiHead(c.block);
      for (const [key, value] of Object.entries(c.want)) assert.deepEqual(head[key as keyof CgiResponseHead], value, key);
    });
  }

  it("parses the same block whether its lines end in CRLF or LF", () => {
    for (const c of HEAD_CASES) {
      if (c.want === "error" || !c.block.includes("\n")) continue;
      const lf = parseCgiHead(c.block.replace(/\r\n/g, "\n"));
      const crlf = parseCgiHead(c.block.replace(/\r?\n/g, "\r\n"));
      assert.deepEqual(crlf, lf, c.name);
    }
  });

  it("splits and parses whole outputs, CRLF and LF", () => {
    for (const output of ["Status: 202 Accepted\r\nContent-Type: text/plain\r\nX-A: 1\r\n\r\nbody\n", "Status: 202 Accepted\nContent-Type: text/plain\nX-A: 1\n\nbody\n"]) {
      const buf = Buffer.from(output, "latin1");
      const split = findHeaderEnd(buf);
      assert.ok(split !== null);
      const head = parseCgiHead(buf.toString("latin1", 0, split[0]));
      assert.equal(head.status, 202);
      assert.equal(head.statusText, "Accepted");
      assert.deepEqual(head.headers, ["Content-Type", "text/plain", "X-A", "1"]);
      assert.equal(buf.toString("latin1", split[1]), "body\n");
    }
  });
});
