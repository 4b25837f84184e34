// The command line and the access log line formats, as tables.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatAccessLog, type AccessLogEntry } from "../../src/server/access-log.js";
import { HELP, parseCli, UsageError } from "../../src/cli/args.js";

describe("parseCli", () => {
  it("has the documented defaults", () => {
    assert.deepEqual(parseCli([]), {
      dir: ".", port: undefined, host: "127.0.0.1", log: "combined", listing: true, cache: undefined,
      compress: true, spa: false, cors: false, dotfiles: false, followSymlinks: false, cgiDirs: [],
      workers: 1, drainTimeout: 10, shutdownDelay: 0, health: false, tls: undefined, config: undefined, http2: undefined,
      maxBodySize: undefined, auth: undefined, authFile: undefined, authInsecure: false, open: false, watch: false, help: false, version: false,
    });
  });
  const rows: [string[], Partial<ReturnType<typeof parseCli>>][] = [
    [["site"], { dir: "site" }],
    [["-p", "0"], { port: 0 }],
    [["--port=9000"], { port: 9000 }],
    [["-H", "::"], { host: "::" }],
    [["--log", "json"], { log: "json" }],
    [["--quiet"], { log: "off" }],
    [["--log", "common", "--quiet"], { log: "off" }],
    [["--no-listing", "--no-compress"], { listing: false, compress: false }],
    [["--cache", "3600"], { cache: 3600 }],
    [["--spa", "--cors", "--dotfiles", "--follow-symlinks"], { spa: true, cors: true, dotfiles: true, followSymlinks: true }],
    [["-h"], { help: true }],
    [["-v"], { version: true }],
    [["--max-body-size", "1g"], { maxBodySize: 1024 ** 3 }],
    [["--max-body-size", "0"], { maxBodySize: Infinity }],
    [["--auth", "u:p", "--auth-insecure", "--open", "--watch"], { auth: "u:p", authInsecure: true, open: true, watch: true }],
    [["--auth-file", "users.htpasswd"], { authFile: "users.htpasswd" }],
    [["--cgi"], { cgiDirs: ["/cgi-bin"] }],
    [["--workers", "auto", "--drain-timeout", "3", "--health"], { workers: "auto", drainTimeout: 3, health: true }],
    [["--shutdown-delay", "5"], { shutdownDelay: 5 }],
    [["--workers", "4", "--tls-cert", "c.pem", "--tls-key", "k.pem"], { workers: 4, tls: { cert: { certFile: "c.pem", keyFile: "k.pem" }, selfSigned: false } }],
    [["--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-dir", "certs"], { tls: { cert: { certFile: "c.pem", keyFile: "k.pem" }, dir: "certs", selfSigned: false } }],
    [["--tls-dir", "certs"], { tls: { dir: "certs", selfSigned: false } }],
    [["--tls-self-signed"], { tls: { selfSigned: true } }],
    [["--cgi", "--cgi-dir", "htbin/", "--cgi-dir", "/cgi-bin"], { cgiDirs: ["/cgi-bin", "/htbin"] }],
    [["--http2"], { http2: true }],
    [["--no-http2"], { http2: false }],
  ];
  for (const [argv, expected] of rows) {
    it(argv.join(" "), () => {
      const parsed = parseCli(argv);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(parsed[key as keyof typeof parsed], value, key);
    });
  }
  const bad: [string[], RegExp][] = [
    [["--bogus"], /unknown option --bogus/],
    [["--port", "x"], /--port must be a whole number/],
    [["--port", "70000"], /--port must be a whole number/],
    [["--port"], /argument missing|--port/],
    [["--log", "xml"], /--log must be/],
    [["--cache", "-1"], /--cache/],
    [["a", "b"], /expected one directory/],
    [["--cgi-dir", "../up"], /--cgi-dir must be a path under DIR/],
    [["--cgi-dir", "/"], /--cgi-dir must be a path under DIR/],
    [["--workers", "0"], /--workers must be/],
    [["--shutdown-delay", "-1"], /--shutdown-delay/],
    [["--tls-cert", "c.pem"], /go together/],
    [["--tls-self-signed", "--tls-dir", "d"], /--tls-self-signed makes its own certificate/],
    [["--max-body-size", "1.5g"], /--max-body-size must be bytes/],
    [["--auth", "u:p", "--auth-file", "f"], /cannot be used together/],
    [["--http2", "--no-http2"], /contradict/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(" ")}`, () => {
      assert.throws(() => parseCli(argv), (err: unknown) => err instanceof UsageError && message.test(err.message) && !err.message.includes("\n"));
    });
  }
  it("documents every flag with its default", () => {
    for (const flag of ["--port", "--host", "--log", "--quiet", "--no-listing", "--cache", "--no-compress", "--spa", "--cors", "--dotfiles", "--follow-symlinks", "--cgi", "--cgi-dir", "--workers", "--drain-timeout", "--shutdown-delay", "--health", "--tls-cert", "--tls-key", "--tls-dir", "--tls-self-signed", "--config", "--max-body-size", "--auth", "--auth-file", "--auth-insecure", "--open", "--watch", "--version", "--http2", "--no-http2", "--help"]) {
      assert.ok(HELP.includes(flag), flag);
    }
    assert.equal((HELP.match(/\(default: /g) ?? []).length, 20); // DIR and the flags that have a default
  });
});

describe("formatAccessLog", () => {
  const entry: AccessLogEntry = {
    time: new Date(Date.UTC(2026, 10, 22, 9, 5, 7)),
    remoteAddress: "127.0.0.1",
    method: "GET",
    target: "/a?b=1",
    protocol: "HTTP/1.1",
    status: 200,
    bodyBytes: 1234,
    durationMs: 2.5,
    referer: "http://r/",
    userAgent: 'ua "quoted"\n',
    requestId: "",
    completed: true,
  };
  it("common", () => {
    assert.equal(formatAccessLog("common", entry), '127.0.0.1 - - [22/Nov/2026:09:05:07 +0000] "GET /a?b=1 HTTP/1.1" 200 1234 0.003');
  });
  it("combined escapes quotes and control bytes", () => {
    assert.equal(
      formatAccessLog("combined", entry),
      '127.0.0.1 - - [22/Nov/2026:09:05:07 +0000] "GET /a?b=1 HTTP/1.1" 200 1234 "http://r/" "ua \\x22quoted\\x22\\x0a" 0.003',
    );
  });
  it("json", () => {
    const parsed = JSON.parse(formatAccessLog("json", entry)) as Record<string, unknown>;
    assert.deepEqual(parsed, {
      time: "2026-11-22T09:05:07.000Z", remote: "127.0.0.1", method: "GET", target: "/a?b=1", protocol: "HTTP/1.1",
      status: 200, bytes: 1234, duration_ms: 2.5, referer: "http://r/", user_agent: 'ua "quoted"\n', completed: true,
    });
  });
  it("the Basic user goes in the %u field, escaped so it cannot split the line; json has user", () => {
    assert.match(formatAccessLog("common", { ...entry, user: "ada" }), /^127\.0\.0\.1 - ada \[/);
    assert.match(formatAccessLog("common", { ...entry, user: 'a b"\n' }), /^127\.0\.0\.1 - a\\x20b\\x22\\x0a \[/);
    assert.equal((JSON.parse(formatAccessLog("json", { ...entry, user: "ada" })) as { user: string }).user, "ada");
  });
  it("a client that left before any response logs status -", () => {
    assert.match(formatAccessLog("common", { ...entry, status: 0, bodyBytes: 0 }), /" - 0 /);
  });
});
