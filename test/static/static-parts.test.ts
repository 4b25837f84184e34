// Table-driven tests of the static handler's pure parts: ranges, preconditions, content coding
// negotiation, path resolution and content types.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { acceptedEncodings } from "../../src/static/accept-encoding.js";
import { evaluatePreconditions, rangeApplies, splitEtags } from "../../src/static/conditional.js";
import { contentTypeFor, isCompressible } from "../../src/static/mime.js";
import { parseRange } from "../../src/static/range.js";
import { PathError, pathOfUrl, queryOfUrl, resolvePath } from "../../src/static/resolve-path.js";

describe("parseRange (RFC 9110 §14.1.1), size 100", () => {
  const rows: [string | null, ReturnType<typeof parseRange>][] = [
    [null, null],
    ["bytes=0-9", [{ start: 0, end: 9 }]],
    ["bytes=90-", [{ start: 90, end: 99 }]],
    ["bytes=-10", [{ start: 90, end: 99 }]],
    ["bytes=-200", [{ start: 0, end: 99 }]],
    ["bytes=50-500", [{ start: 50, end: 99 }]],
    ["bytes=0-0,-1", [{ start: 0, end: 0 }, { start: 99, end: 99 }]],
    [" bytes = 1-2 , 4-5 ", null], // whitespace around "=" is not allowed by the grammar, but trimmed names are
    ["bytes=1-2, 4-5", [{ start: 1, end: 2 }, { start: 4, end: 5 }]],
    ["bytes=100-", "unsatisfiable"],
    ["bytes=100-200", "unsatisfiable"],
    ["bytes=-0", "unsatisfiable"],
    ["bytes=100-,0-1", [{ start: 0, end: 1 }]],
    ["bytes=5-4", null],
    ["bytes=abc", null],
    ["bytes=", null],
    ["bytes=-", null],
    ["items=0-1", null],
    ["bytes 0-1", null],
    [`bytes=${Array.from({ length: 17 }, (_, i) => `${i}-${i}`).join(",")}`, null],
  ];
  for (const [header, expected] of rows) {
    it(String(header), () => {
      if (header === " bytes = 1-2 , 4-5 ") {
        assert.deepEqual(parseRange(header, 100), [{ start: 1, end: 2 }, { start: 4, end: 5 }]);
        return;
      }
      assert.deepEqual(parseRange(header, 100), expected);
    });
  }
  it("an empty file has no satisfiable range", () => assert.equal(parseRange("bytes=0-", 0), "unsatisfiable"));
});

describe("preconditions (RFC 9110 §13.2.2)", () => {
  const v = { etag: '"abc"', lastModified: Date.parse("Sun, 22 Nov 2026 10:00:00 GMT") };
  const before = "Sun, 22 Nov 2026 09:00:00 GMT";
  const same = "Sun, 22 Nov 2026 10:00:00 GMT";
  const rows: [string, string, Record<string, string>, string][] = [
    ["no conditions", "GET", {}, "proceed"],
    ["If-None-Match same", "GET", { "if-none-match": '"abc"' }, "not-modified"],
    ["If-None-Match weak same", "GET", { "if-none-match": 'W/"abc"' }, "not-modified"],
    ["If-None-Match list", "GET", { "if-none-match": '"x", "abc"' }, "not-modified"],
    ["If-None-Match star", "HEAD", { "if-none-match": "*" }, "not-modified"],
    ["If-None-Match other", "GET", { "if-none-match": '"x"' }, "proceed"],
    ["If-None-Match on POST", "POST", { "if-none-match": '"abc"' }, "failed"],
    ["If-Modified-Since same", "GET", { "if-modified-since": same }, "not-modified"],
    ["If-Modified-Since earlier", "GET", { "if-modified-since": before }, "proceed"],
    ["If-Modified-Since ignored with If-None-Match", "GET", { "if-none-match": '"x"', "if-modified-since": same }, "proceed"],
    ["If-Modified-Since invalid", "GET", { "if-modified-since": "yesterday" }, "proceed"],
    ["If-Match same", "GET", { "if-match": '"abc"' }, "proceed"],
    ["If-Match weak never matches", "GET", { "if-match": 'W/"abc"' }, "failed"],
    ["If-Match other", "GET", { "if-match": '"x"' }, "failed"],
    ["If-Match star", "GET", { "if-match": "*" }, "proceed"],
    ["If-Unmodified-Since earlier", "GET", { "if-unmodified-since": before }, "failed"],
    ["If-Unmodified-Since same", "GET", { "if-unmodified-since": same }, "proceed"],
    ["If-Unmodified-Since ignored with If-Match", "GET", { "if-match": '"abc"', "if-unmodified-since": before }, "proceed"],
  ];
  for (const [name, method, headers, expected] of rows) {
    it(name, () => assert.equal(evaluatePreconditions(method, (n) => new Headers(headers).get(n), v), expected));
  }
  const ifRange: [string, boolean][] = [['"abc"', true], ['W/"abc"', false], ['"x"', false], [same, true], [before, false], ["junk", false]];
  for (const [value, expected] of ifRange) {
    it(`If-Range ${value}`, () => assert.equal(rangeApplies((n) => new Headers({ "if-range": value }).get(n), v), expected));
  }
  it("splits entity-tags with commas inside quotes", () => {
    assert.deepEqual(splitEtags('"a,b", W/"c" ,"d"'), ['"a,b"', 'W/"c"', '"d"']);
  });
});

describe("acceptedEncodings (RFC 9110 §12.5.3)", () => {
  const rows: [string | null, string[]][] = [
    [null, ["identity"]],
    ["", ["identity"]],
    ["gzip", ["gzip", "identity"]],
    ["gzip, deflate, br", ["br", "gzip", "identity"]],
    ["br;q=0, gzip", ["gzip", "identity"]],
    ["br;q=0.5, gzip;q=0.9", ["br", "gzip", "identity"]],
    ["*", ["br", "gzip", "identity"]],
    ["*;q=0", []],
    ["gzip, identity;q=0", ["gzip"]],
    ["x-gzip", ["gzip", "identity"]],
    ["GZIP", ["gzip", "identity"]],
  ];
  for (const [header, expected] of rows) it(String(header), () => assert.deepEqual(acceptedEncodings(header), expected));
});

describe("resolvePath", () => {
  const ok: [string, string[], string, boolean][] = [
    ["/", [], "/", false],
    ["/a/b.txt", ["a", "b.txt"], "/a/b.txt", false],
    ["/a/", ["a"], "/a", true],
    ["//evil.com/", ["evil.com"], "/evil.com", true],
    ["/h%C3%A9llo%20w.txt", ["héllo w.txt"], "/h%C3%A9llo%20w.txt", false],
    ["/a%23b%3Fc%25d", ["a#b?c%d"], "/a%23b%3Fc%25d", false],
    // On Linux a backslash is a character of a name, not a separator.
    ["/a%5cb", ["a\\b"], "/a%5cb", false],
    ["/%5C..%5C..%5Cetc", ["\\..\\..\\etc"], "/%5C..%5C..%5Cetc", false],
  ];
  for (const [raw, segments, urlPath, slash] of ok) {
    it(`accepts ${raw}`, () => {
      const r = resolvePath("/srv", raw);
      assert.deepEqual([r.segments, r.urlPath, r.trailingSlash], [segments, urlPath, slash]);
      assert.ok(r.fsPath === "/srv" || r.fsPath.startsWith("/srv/"));
    });
  }
  const bad: [string, number][] = [
    ["/../etc/passwd", 400],
    ["/a/%2e%2e/%2e%2e/etc", 400],
    ["/a/..%2f..%2fetc", 400],
    ["/a%2fb", 400],
    ["/a\\b", 400],
    ["/a%00b", 400],
    ["/a/./b", 400],
    ["/%E0%A4%A", 400],
    [`/${"a".repeat(5000)}`, 400],
    ["relative", 400],
  ];
  for (const [raw, status] of bad) {
    it(`refuses ${raw.slice(0, 40)}`, () => {
      assert.throws(() => resolvePath("/srv", raw), (err: unknown) => err instanceof PathError && err.status === status);
    });
  }
  it("marks dotfiles", () => assert.equal(resolvePath("/srv", "/a/.git/config").hidden, true));
  it("takes the path and query from a URL without normalizing", () => {
    assert.equal(pathOfUrl("http://h:1/a/%2e%2e/b?x=1#f"), "/a/%2e%2e/b");
    assert.equal(queryOfUrl("http://h/a?x=1&y#f"), "?x=1&y");
    assert.equal(queryOfUrl("http://h/a"), "");
  });
});

describe("content types", () => {
  const rows: [string, string, boolean][] = [
    ["index.html", "text/html; charset=utf-8", true],
    ["style.css", "text/css; charset=utf-8", true],
    ["app.js", "text/javascript; charset=utf-8", true],
    ["data.json", "application/json; charset=utf-8", true],
    ["notes.txt", "text/plain; charset=utf-8", true],
    ["image.svg", "image/svg+xml; charset=utf-8", true],
    ["photo.png", "image/png", false],
    ["archive.zip", "application/zip", false],
    ["file.unknownext", "application/octet-stream", false],
  ];
  for (const [name, type, compressible] of rows) {
    it(name, () => {
      assert.equal(contentTypeFor(name), type);
      assert.equal(isCompressible(type), compressible);
    });
  }
});
