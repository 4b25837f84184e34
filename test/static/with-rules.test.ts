// The rules engine of sockserve.json: glob and path-pattern tables, then withRules around
// serveStatic over TCP (redirects, cleanUrls, trailingSlash, rewrites, headers, hidden paths).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve, serveStatic, withRules, type Server, type StaticRules } from "../../src/index.js";
import { compileGlob, GlobError } from "../../src/static/glob.js";
import { fillDestination, PathPattern, PatternError } from "../../src/static/path-pattern.js";
import { makeTree, rawRequest, type TempTree } from "../support/static-fixture.js";

describe("compileGlob", () => {
  const table: [string, string, boolean][] = [
    ["*.html", "a.html", true],
    ["*.html", "dir/a.html", false],
    ["/*.html", "a.html", true],
    ["**/*.html", "a.html", true],
    ["**/*.html", "x/y/a.html", true],
    ["**/*.@(jpg|png)", "img/a.png", true],
    ["**/*.@(jpg|png)", "img/a.gif", false],
    ["**/*.{css,js}", "a/b.js", true],
    ["assets/**", "assets/x/y.js", true],
    ["assets/**", "other/x.js", false],
    ["**", "anything/at/all", true],
    ["?.txt", "a.txt", true],
    ["?.txt", "ab.txt", false],
    ["?.txt", "/.txt", false],
    ["[ab].txt", "b.txt", true],
    ["[!ab].txt", "b.txt", false],
    ["[!ab].txt", "c.txt", true],
    ["a\\*.txt", "a*.txt", true],
    ["a\\*.txt", "ab.txt", false],
    ["a.b", "aXb", false],
    ["(x)+.txt", "(x)+.txt", true],
    ["docs/{a,{b,c}}/*", "docs/c/x", true],
  ];
  for (const [pattern, path, expected] of table) {
    it(`${pattern} ${expected ? "matches" : "does not match"} ${path}`, () => assert.equal(compileGlob(pattern).test(path), expected));
  }
  for (const [pattern, message] of [["*.{a,b", /unclosed "\{"/], ["@(a|b", /unclosed "@\("/], ["[ab", /unclosed "\["/], ["x".repeat(1025), /longer than 1024/], ["{".repeat(9) + "}".repeat(9), /more than 8 deep/]] as const) {
    it(`refuses ${pattern.slice(0, 20)}`, () => assert.throws(() => compileGlob(pattern), (e: Error) => e instanceof GlobError && message.test(e.message)));
  }
});

describe("PathPattern and fillDestination", () => {
  const table: [string, string, Record<string, string> | null][] = [
    ["/about", "/about", {}],
    ["/about", "/about/", {}],
    ["/about", "/about/x", null],
    ["/blog/:slug", "/blog/hello", { slug: "hello" }],
    ["/blog/:slug", "/blog", null],
    ["/blog/:slug", "/blog/a/b", null],
    ["/u/:id/posts/:post", "/u/7/posts/9", { id: "7", post: "9" }],
    ["/app/*", "/app", { "*": "" }],
    ["/app/*", "/app/a/b c", { "*": "a/b c" }],
    ["**", "/x/y", { "*": "x/y" }],
    ["/", "/", {}],
    ["/", "/x", null],
  ];
  for (const [source, path, expected] of table) {
    it(`${source} on ${path}`, () => assert.deepEqual(new PathPattern(source).match(path), expected));
  }
  it("refuses * before the end, * inside a segment and bad parameter names", () => {
    for (const source of ["/a/*/b", "/a*", "/:", "/:9"]) assert.throws(() => new PathPattern(source), PatternError, source);
  });
  const fills: [string, Record<string, string>, string][] = [
    ["/new/:id", { id: "a b" }, "/new/a%20b"],
    ["/new/*", { "*": "x/y z" }, "/new/x/y%20z"],
    ["https://example.com/:id?from=:id", { id: "1/2" }, "https://example.com/1%2F2?from=1%2F2"],
    ["/a/:id/*", { id: ":id", "*": ":id" }, "/a/%3Aid/%3Aid"],
    ["/q?x=*", { "*": "r" }, "/q?x=*"],
  ];
  for (const [destination, captures, expected] of fills) {
    it(`fills ${destination}`, () => assert.equal(fillDestination(destination, captures), expected));
  }
});

describe("withRules around serveStatic", () => {
  let tree: TempTree;
  const servers: Server[] = [];
  const files = {
    "site/index.html": "home",
    "site/about.html": "about page",
    "site/docs/index.html": "docs index",
    "site/docs/intro.html": "intro",
    "site/plain/x.txt": "x",
    "site/style.css": "body{}",
    "site/app/index.html": "spa shell",
    "site/sockserve.json": "{}",
    "site/LICENSE": "license text",
  };
  before(async () => {
    tree = await makeTree(files);
  });
  after(async () => {
    for (const s of servers) await s.stop(true);
    await tree.remove();
  });
  const start = async (rules: StaticRules): Promise<string> => {
    const server = await serve({ port: 0, hostname: "127.0.0.1", fetch: withRules(rules, serveStatic({ root: tree.root }), { hide: ["/sockserve.json"] }), logger: () => {} });
    servers.push(server);
    return `http://127.0.0.1:${server.port}`;
  };
  const get = async (base: string, path: string, init: RequestInit = {}): Promise<{ status: number; location: string | null; body: string; res: Response }> => {
    const res = await fetch(base + path, { redirect: "manual", ...init });
    return { status: res.status, location: res.headers.get("location"), body: await res.text(), res };
  };

  it("redirects: first match, captures, default 301, the status given, the query kept", async () => {
    const base = await start({
      redirects: [
        { source: "/old/:id", destination: "/new/:id" },
        { source: "/old/:id", destination: "/never" },
        { source: "/go/*", destination: "https://example.com/*", status: 302 },
        { source: "/tmp", destination: "/about?via=tmp", status: 307 },
      ],
    });
    assert.deepEqual(await get(base, "/old/a%20b?x=1").then((r) => [r.status, r.location]), [301, "/new/a%20b?x=1"]);
    assert.deepEqual(await get(base, "/go/a/b").then((r) => [r.status, r.location]), [302, "https://example.com/a/b"]);
    assert.deepEqual(await get(base, "/tmp?y=2").then((r) => [r.status, r.location]), [307, "/about?via=tmp"]);
    const post = await get(base, "/old/1", { method: "POST" });
    assert.deepEqual([post.status, post.location], [301, "/new/1"], "redirects apply to every method");
  });

  it("cleanUrls: /about serves about.html, /about.html and /docs/index.html redirect", async () => {
    const base = await start({ cleanUrls: true });
    assert.deepEqual(await get(base, "/about").then((r) => [r.status, r.body]), [200, "about page"]);
    assert.deepEqual(await get(base, "/docs/intro").then((r) => [r.status, r.body]), [200, "intro"]);
    assert.deepEqual(await get(base, "/about.html?q=1").then((r) => [r.status, r.location]), [301, "/about?q=1"]);
    assert.deepEqual(await get(base, "/index.html").then((r) => [r.status, r.location]), [301, "/"]);
    assert.deepEqual(await get(base, "/docs/index.html").then((r) => [r.status, r.location]), [301, "/docs/"]);
    assert.deepEqual(await get(base, "/docs/").then((r) => [r.status, r.body]), [200, "docs index"]);
    assert.deepEqual(await get(base, "/style.css").then((r) => [r.status, r.body]), [200, "body{}"]);
    assert.equal((await get(base, "/nope")).status, 404);
    const head = await fetch(`${base}/about`, { method: "HEAD" });
    assert.equal(head.status, 200);
  });

  it("cleanUrls never redirects to another host (//host collapses to one slash)", async () => {
    const base = await start({ cleanUrls: true, trailingSlash: false });
    const port = Number(new URL(base).port);
    for (const target of ["//evil.example/x.html", "//evil.example/"]) {
      const { response } = await rawRequest(port, target);
      assert.equal(response.status, 301, target);
      const location = response.headers.find(([k]) => k.toLowerCase() === "location")?.[1] ?? "";
      assert.match(location, /^\/[^/]/, `${target} → ${location}`);
    }
  });

  it("trailingSlash true adds the slash to extension-less paths only", async () => {
    const base = await start({ trailingSlash: true });
    assert.deepEqual(await get(base, "/docs?x=1").then((r) => [r.status, r.location]), [301, "/docs/?x=1"]);
    assert.deepEqual(await get(base, "/style.css").then((r) => [r.status, r.body]), [200, "body{}"]);
    assert.deepEqual(await get(base, "/docs/").then((r) => [r.status, r.body]), [200, "docs index"]);
  });

  it("trailingSlash false removes it, and a directory is served without a redirect loop", async () => {
    const base = await start({ trailingSlash: false });
    assert.deepEqual(await get(base, "/docs/").then((r) => [r.status, r.location]), [301, "/docs"]);
    assert.deepEqual(await get(base, "/docs").then((r) => [r.status, r.body]), [200, "docs index"]);
    const listing = await get(base, "/plain", { headers: { Accept: "application/json" } });
    assert.equal(listing.status, 200, "a directory without an index is listed, not bounced back");
    assert.match(listing.body, /x\.txt/);
    assert.deepEqual(await get(base, "/").then((r) => [r.status, r.body]), [200, "home"]);
  });

  it("cleanUrls with trailingSlash: /about/ serves about.html; with false /docs serves docs/index.html", async () => {
    const withSlash = await start({ cleanUrls: true, trailingSlash: true });
    assert.deepEqual(await get(withSlash, "/about").then((r) => [r.status, r.location]), [301, "/about/"]);
    assert.deepEqual(await get(withSlash, "/about/").then((r) => [r.status, r.body]), [200, "about page"]);
    const without = await start({ cleanUrls: true, trailingSlash: false });
    assert.deepEqual(await get(without, "/docs").then((r) => [r.status, r.body]), [200, "docs index"]);
    assert.deepEqual(await get(without, "/docs/index.html").then((r) => [r.status, r.location]), [301, "/docs"]);
  });

  it("rewrites: only paths no file answers, with captures, GET and HEAD only", async () => {
    const base = await start({ rewrites: [{ source: "/app/*", destination: "/app/index.html" }, { source: "/p/:name", destination: "/:name.html" }] });
    assert.deepEqual(await get(base, "/app/settings/profile").then((r) => [r.status, r.body]), [200, "spa shell"]);
    assert.deepEqual(await get(base, "/p/about").then((r) => [r.status, r.body]), [200, "about page"]);
    assert.deepEqual(await get(base, "/style.css").then((r) => [r.status, r.body]), [200, "body{}"]);
    assert.equal((await get(base, "/app/x", { method: "DELETE" })).status, 405, "other methods reach the handler unrewritten");
    assert.equal((await get(base, "/p/none")).status, 404, "a rewrite to a missing file is a 404");
  });

  it("an SPA catch-all (source **) serves the shell for every unknown path and real files as they are", async () => {
    const base = await start({ rewrites: [{ source: "**", destination: "/app/index.html" }] });
    assert.deepEqual(await get(base, "/some/deep/route").then((r) => [r.status, r.body]), [200, "spa shell"]);
    assert.deepEqual(await get(base, "/about.html").then((r) => [r.status, r.body]), [200, "about page"]);
  });

  it("headers: by glob on the request path, on every matching response, later rules adding to earlier ones", async () => {
    const base = await start({
      headers: [
        { source: "**/*.css", headers: [{ key: "Cache-Control", value: "max-age=31536000, immutable" }] },
        { source: "**", headers: [{ key: "X-Frame-Options", value: "DENY" }] },
      ],
      rewrites: [{ source: "/app/*", destination: "/app/index.html" }],
    });
    const css = (await get(base, "/style.css")).res;
    assert.equal(css.headers.get("cache-control"), "max-age=31536000, immutable");
    assert.equal(css.headers.get("x-frame-options"), "DENY");
    const html = (await get(base, "/app/route")).res;
    assert.equal(html.headers.get("x-frame-options"), "DENY");
    assert.equal(html.headers.get("cache-control"), "no-cache", "serveStatic's own Cache-Control stays where no rule sets one");
    assert.equal((await get(base, "/missing")).res.headers.get("x-frame-options"), "DENY", "404s too");
  });

  it("hide: the config file's path is a 404 however it is spelled, and no rewrite reaches it", async () => {
    const base = await start({ rewrites: [{ source: "/cfg/*", destination: "/*" }] });
    assert.equal((await get(base, "/cfg/sockserve.json")).status, 404);
    assert.deepEqual(await get(base, "/cfg/about.html").then((r) => [r.status, r.body]), [200, "about page"]);
    for (const path of ["/sockserve.json", "//sockserve.json", "/sockserve%2Ejson", "/sockserve.json/"]) {
      const r = await get(base, path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /\{\}/);
    }
    assert.deepEqual(await get(base, "/LICENSE").then((r) => [r.status, r.body]), [200, "license text"]);
  });
});
