// The CGI meta-variables (RFC 3875 §4.1) as a table: each row is a request and the variables it
// must (and must not) produce. PATH_INFO decoding is checked through findScript, which computes it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import { buildCgiEnv, type CgiRequest, type CgiScript } from "../../src/cgi/cgi-env.js";
import { findScript } from "../../src/cgi/script-path.js";
import { makeCgiTree, type CgiTree } from "../support/cgi-fixture.js";

const SECRET = "hunter2-do-not-leak";

/** BASE_REQUEST is a plain GET from 127.0.0.1:50000 to 127.0.0.1:8080. */
const BASE_REQUEST: CgiRequest = {
  method: "GET",
  requestTarget: "/cgi-bin/env.sh",
  protocol: "HTTP/1.1",
  headers: ["Host", "example.org:8080"],
  remoteAddress: "127.0.0.1",
  remotePort: 50000,
  serverAddress: "127.0.0.1",
  serverPort: 8080,
  encrypted: false,
  contentLength: -1,
};

const BASE_SCRIPT: CgiScript = {
  scriptName: "/cgi-bin/env.sh",
  scriptFilename: "/srv/cgi-bin/env.sh",
  pathInfo: "",
  pathTranslated: "",
};

/** SERVER_ENV is a fake server environment: only PATH (and what an allow-list names) may pass. */
const SERVER_ENV: NodeJS.ProcessEnv = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/root",
  SOCKSERVE_SECRET: SECRET,
  AWS_SECRET_ACCESS_KEY: SECRET,
  LD_PRELOAD: "/tmp/evil.so",
  HTTP_PROXY: "http://proxy.internal:3128",
  TZ: "Europe/Paris",
  LANG: "C.UTF-8",
};

interface EnvCase {
  name: string;
  req?: Partial<CgiRequest>;
  script?: Partial<CgiScript>;
  serverEnv?: NodeJS.ProcessEnv;
  allow?: string[];
  /** want maps variables to their exact value; undefined means the variable must be absent. */
  want: Record<string, string | undefined>;
  /** check runs further assertions on the whole environment. */
  check?: (env: Record<string, string>) => void;
}

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString("base64")}`;

const CASES: EnvCase[] = [
  {
    name: "the fixed variables of a plain GET",
    want: {
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_PROTOCOL: "HTTP/1.1",
      SERVER_PORT: "8080",
      SERVER_SOFTWARE: "sockserve",
      REQUEST_METHOD: "GET",
      REQUEST_URI: "/cgi-bin/env.sh",
      SCRIPT_NAME: "/cgi-bin/env.sh",
      SCRIPT_FILENAME: "/srv/cgi-bin/env.sh",
      REMOTE_ADDR: "127.0.0.1",
      REMOTE_PORT: "50000",
      QUERY_STRING: "",
      PATH_INFO: "",
      PATH_TRANSLATED: undefined,
      CONTENT_LENGTH: undefined,
      CONTENT_TYPE: undefined,
      HTTPS: undefined,
      AUTH_TYPE: undefined,
      REMOTE_USER: undefined,
    },
  },
  { name: "HTTP/1.0", req: { protocol: "HTTP/1.0" }, want: { SERVER_PROTOCOL: "HTTP/1.0" } },
  { name: "another method", req: { method: "DELETE" }, want: { REQUEST_METHOD: "DELETE" } },
  {
    name: "PATH_INFO and PATH_TRANSLATED from the script lookup",
    script: { pathInfo: "/a b/é", pathTranslated: "/srv/a b/é" },
    want: { PATH_INFO: "/a b/é", PATH_TRANSLATED: "/srv/a b/é" },
  },
  // QUERY_STRING is the raw query: not decoded, not re-encoded, split at the first "?" only (§4.1.7).
  { name: "QUERY_STRING with a second '?'", req: { requestTarget: "/cgi-bin/env.sh?a=b?c=d" }, want: { QUERY_STRING: "a=b?c=d", REQUEST_URI: "/cgi-bin/env.sh?a=b?c=d" } },
  { name: "QUERY_STRING keeps %20 and '+'", req: { requestTarget: "/cgi-bin/env.sh?x=%20y+z&%41=1" }, want: { QUERY_STRING: "x=%20y+z&%41=1" } },
  { name: "QUERY_STRING keeps %2F, %3F and %23", req: { requestTarget: "/cgi-bin/env.sh/p?u=%2F%3F%23" }, want: { QUERY_STRING: "u=%2F%3F%23" } },
  { name: "an empty query ('?' alone)", req: { requestTarget: "/cgi-bin/env.sh?" }, want: { QUERY_STRING: "" } },
  { name: "no query at all", req: { requestTarget: "/cgi-bin/env.sh" }, want: { QUERY_STRING: "" } },
  {
    name: "header names become HTTP_ with '-' as '_'",
    req: { headers: ["Host", "h", "X-Custom-Thing", "v1", "user-agent", "curl/8"] },
    want: { HTTP_X_CUSTOM_THING: "v1", HTTP_USER_AGENT: "curl/8", HTTP_HOST: "h" },
  },
  {
    name: "repeated fields are joined with ', ' in order (§4.1.18)",
    req: { headers: ["Host", "h", "Accept", "text/html", "X-Forwarded-For", "10.0.0.1", "accept", "application/json", "X-FORWARDED-FOR", "10.0.0.2"] },
    want: { HTTP_ACCEPT: "text/html, application/json", HTTP_X_FORWARDED_FOR: "10.0.0.1, 10.0.0.2" },
  },
  {
    name: "httpoxy: a Proxy field never becomes HTTP_PROXY",
    req: { headers: ["Host", "h", "Proxy", "http://evil.example:8888"] },
    want: { HTTP_PROXY: undefined },
    check: (env) => assert.ok(!Object.values(env).some((v) => v.includes("evil.example")), "the Proxy value leaked"),
  },
  {
    name: "httpoxy: any spelling of Proxy, even when the server itself has HTTP_PROXY",
    req: { headers: ["Host", "h", "PrOxY", "http://evil.example:8888"] },
    serverEnv: SERVER_ENV,
    want: { HTTP_PROXY: undefined },
  },
  {
    name: "Content-Length and Content-Type only as CONTENT_*",
    req: { method: "POST", headers: ["Host", "h", "Content-Type", "text/plain; charset=utf-8", "Content-Length", "5"], contentLength: 5 },
    want: { CONTENT_LENGTH: "5", CONTENT_TYPE: "text/plain; charset=utf-8", HTTP_CONTENT_LENGTH: undefined, HTTP_CONTENT_TYPE: undefined },
  },
  {
    name: "an empty body has CONTENT_LENGTH 0",
    req: { method: "POST", headers: ["Host", "h", "Content-Length", "0"], contentLength: 0 },
    want: { CONTENT_LENGTH: "0", HTTP_CONTENT_LENGTH: undefined },
  },
  {
    name: "a chunked body has no CONTENT_LENGTH and no HTTP_TRANSFER_ENCODING",
    req: { method: "POST", headers: ["Host", "h", "Transfer-Encoding", "chunked", "Content-Type", "application/octet-stream"], contentLength: -1 },
    want: { CONTENT_LENGTH: undefined, HTTP_TRANSFER_ENCODING: undefined, HTTP_CONTENT_LENGTH: undefined, CONTENT_TYPE: "application/octet-stream" },
  },
  {
    name: "Connection is hop-by-hop and not passed",
    req: { headers: ["Host", "h", "Connection", "keep-alive"] },
    want: { HTTP_CONNECTION: undefined },
  },
  {
    name: "Basic auth gives AUTH_TYPE and REMOTE_USER, never the password",
    req: { headers: ["Host", "h", "Authorization", basic("alice:s3cret:with:colons")] },
    want: { AUTH_TYPE: "Basic", REMOTE_USER: "alice", HTTP_AUTHORIZATION: undefined },
    check: (env) => assert.ok(!Object.values(env).some((v) => v.includes("s3cret")), "the password leaked into the environment"),
  },
  {
    name: "the Basic scheme is case-insensitive, a UTF-8 user survives",
    req: { headers: ["Host", "h", "authorization", `bAsIc ${Buffer.from("zoë:pw").toString("base64")}`] },
    want: { AUTH_TYPE: "Basic", REMOTE_USER: "zoë" },
  },
  {
    name: "Basic credentials without a colon are not a user",
    req: { headers: ["Host", "h", "Authorization", basic("nocolon")] },
    want: { AUTH_TYPE: undefined, REMOTE_USER: undefined, HTTP_AUTHORIZATION: undefined },
  },
  {
    name: "a Bearer token is not a user and is not passed",
    req: { headers: ["Host", "h", "Authorization", "Bearer abc.def.ghi"] },
    want: { AUTH_TYPE: undefined, REMOTE_USER: undefined, HTTP_AUTHORIZATION: undefined },
  },
  { name: "HTTPS=on when the connection is encrypted", req: { encrypted: true }, want: { HTTPS: "on" } },
  { name: "no HTTPS on plain TCP", req: { encrypted: false }, want: { HTTPS: undefined } },
  // SERVER_NAME is the Host without its port (§4.1.14: hostname | ipv4-address | "[" ipv6-address "]").
  { name: "SERVER_NAME from Host with a port", req: { headers: ["Host", "example.org:8080"] }, want: { SERVER_NAME: "example.org" } },
  { name: "SERVER_NAME from Host without a port", req: { headers: ["Host", "example.org"] }, want: { SERVER_NAME: "example.org" } },
  { name: "SERVER_NAME from an IPv4 Host", req: { headers: ["Host", "192.0.2.7:81"] }, want: { SERVER_NAME: "192.0.2.7" } },
  { name: "SERVER_NAME from an IPv6 Host with a port", req: { headers: ["Host", "[::1]:80"] }, want: { SERVER_NAME: "[::1]" } },
  { name: "SERVER_NAME from an IPv6 Host without a port", req: { headers: ["Host", "[2001:db8::7]"] }, want: { SERVER_NAME: "[2001:db8::7]" } },
  { name: "SERVER_NAME falls back to the local address without Host", req: { protocol: "HTTP/1.0", headers: [], serverAddress: "10.1.2.3" }, want: { SERVER_NAME: "10.1.2.3" } },
  {
    name: "only PATH comes from the server environment by default",
    serverEnv: SERVER_ENV,
    want: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: undefined, SOCKSERVE_SECRET: undefined, AWS_SECRET_ACCESS_KEY: undefined, LD_PRELOAD: undefined, HTTP_PROXY: undefined, TZ: undefined, LANG: undefined },
    check: (env) => assert.ok(!Object.values(env).includes(SECRET), "a secret of the server environment leaked"),
  },
  {
    name: "allow-listed server variables pass; unlisted and unset ones do not",
    serverEnv: SERVER_ENV,
    allow: ["TZ", "LANG", "NOT_SET_ANYWHERE"],
    want: { PATH: "/usr/local/bin:/usr/bin:/bin", TZ: "Europe/Paris", LANG: "C.UTF-8", NOT_SET_ANYWHERE: undefined, SOCKSERVE_SECRET: undefined },
  },
  { name: "no PATH when the server has none", serverEnv: { HOME: "/root" }, want: { PATH: undefined, HOME: undefined } },
];

// Every name a script may see: the RFC 3875 meta-variables, our extras, HTTP_* and PATH.
const KNOWN = new Set([
  "AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "GATEWAY_INTERFACE", "PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING",
  "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_IDENT", "REMOTE_USER", "REQUEST_METHOD", "SCRIPT_NAME", "SERVER_NAME",
  "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "REQUEST_URI", "SCRIPT_FILENAME", "REMOTE_PORT", "HTTPS", "PATH",
]);

describe("buildCgiEnv", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const req = { ...BASE_REQUEST, ...c.req };
      const script = { ...BASE_SCRIPT, ...c.script };
      const env = buildCgiEnv(req, script, c.serverEnv ?? { PATH: "/usr/bin:/bin" }, c.allow ?? []);
      for (const [name, value] of Object.entries(c.want)) {
        if (value === undefined) assert.ok(!(name in env), `${name} should be absent, is ${JSON.stringify(env[name])}`);
        else assert.equal(env[name], value, `${name}`);
      }
      const allowed = new Set(c.allow ?? []);
      for (const [name, value] of Object.entries(env)) {
        assert.ok(KNOWN.has(name) || name.startsWith("HTTP_") || allowed.has(name), `unexpected variable ${name}`);
        assert.equal(typeof value, "string", `${name} is not a string`);
      }
      c.check?.(env);
    });
  }

  it("does not modify the server environment it is given", () => {
    const serverEnv = { ...SERVER_ENV };
    buildCgiEnv({ ...BASE_REQUEST, headers: ["Host", "h", "Proxy", "x"] }, BASE_SCRIPT, serverEnv, ["TZ"]);
    assert.deepEqual(serverEnv, SERVER_ENV);
  });
});

describe("PATH_INFO through findScript (decoded, RFC 3875 §4.1.5)", () => {
  let tree: CgiTree;
  let realDir: string;
  before(async () => {
    tree = await makeCgiTree({ "cgi-bin/env.sh": "#!/bin/sh\n", "cgi-bin/sub/deep.sh": "#!/bin/sh\n" });
    realDir = realpathSync.native(tree.dir);
  });
  after(() => tree?.remove());

  const ROWS: Array<[rawPath: string, scriptName: string, pathInfo: string]> = [
    ["/cgi-bin/env.sh", "/cgi-bin/env.sh", ""],
    ["/cgi-bin/env.sh/", "/cgi-bin/env.sh", ""],
    ["/cgi-bin/env.sh/a/b", "/cgi-bin/env.sh", "/a/b"],
    ["/cgi-bin/env.sh/a/b/", "/cgi-bin/env.sh", "/a/b/"],
    ["/cgi-bin/env.sh/a%20b/%C3%A9t%C3%A9", "/cgi-bin/env.sh", "/a b/été"],
    ["/cgi-bin/env.sh/100%25/%3Fq%23f", "/cgi-bin/env.sh", "/100%/?q#f"],
    ["/cgi-bin/sub/deep.sh/x%2By", "/cgi-bin/sub/deep.sh", "/x+y"],
    ["/cgi-bin/%65nv.sh/p", "/cgi-bin/env.sh", "/p"],
  ];
  for (const [rawPath, scriptName, pathInfo] of ROWS) {
    it(`${rawPath} → SCRIPT_NAME ${scriptName}, PATH_INFO ${JSON.stringify(pathInfo)}`, () => {
      const found = findScript(tree.dir, realDir, "/cgi-bin", rawPath);
      assert.equal(found.kind, "script");
      if (found.kind !== "script") return;
      assert.equal(found.scriptName, scriptName);
      assert.equal(found.pathInfo, pathInfo);
      const env = buildCgiEnv({ ...BASE_REQUEST, requestTarget: rawPath }, {
        scriptName: found.scriptName,
        scriptFilename: found.file,
        pathInfo: found.pathInfo,
        pathTranslated: found.pathInfo === "" ? "" : `/srv${found.pathInfo}`,
      }, {}, []);
      assert.equal(env.PATH_INFO, pathInfo);
      assert.equal(env.SCRIPT_NAME, scriptName);
      assert.equal(env.REQUEST_URI, rawPath, "REQUEST_URI stays raw");
    });
  }

  const REFUSED: Array<[rawPath: string, kind: string]> = [
    ["/cgi-bin/env.sh/%2e%2e/x", "bad-request"],
    ["/cgi-bin/env.sh/a%2fb", "bad-request"],
    ["/cgi-bin/env.sh/%00", "bad-request"],
    ["/cgi-bin/env.sh/%E0%A4%A", "bad-request"],
    ["/cgi-bin/missing.sh/x", "not-found"],
    ["/cgi-bin/sub", "not-found"],
    ["/other/env.sh", "not-found"],
  ];
  for (const [rawPath, kind] of REFUSED) {
    it(`${rawPath} → ${kind}`, () => {
      assert.equal(findScript(tree.dir, realDir, "/cgi-bin", rawPath).kind, kind);
    });
  }
});
