// sockserve.json through the built bin over TCP: headers, redirects, rewrites, cleanUrls and
// trailingSlash from DIR/sockserve.json or --config FILE, the file itself never served, flags
// winning over the file, and a bad file refused at start with one line naming the key (exit 2).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { curl, makeTree, parseCurlHeaders, type TempTree } from "../support/static-fixture.js";
import { nonEmptyLines, runCli, startCli, type RunningCli } from "../support/static-cli.js";

const CONFIG = {
  $schema: "../node_modules/sockserve/schema/sockserve.schema.json",
  headers: [{ source: "**/*.css", headers: [{ key: "Cache-Control", value: "max-age=600" }, { key: "X-From", value: "config" }] }],
  redirects: [{ source: "/old/:slug", destination: "/blog/:slug", status: 308 }, { source: "/gone", destination: "https://example.com/" }],
  rewrites: [{ source: "/app/*", destination: "/app/index.html" }],
  cleanUrls: true,
  trailingSlash: false,
};

const FILES = {
  "site/sockserve.json": JSON.stringify(CONFIG),
  "site/about.html": "about page",
  "site/blog/hello.html": "hello post",
  "site/style.css": "body{}",
  "site/app/index.html": "spa shell",
  "site/docs/index.html": "docs",
  "other/extra.json": JSON.stringify({ redirects: [{ source: "/x", destination: "/about", status: 302 }], cache: 60, listing: false }),
  "bad/sockserve.json": JSON.stringify({ redirects: [{ source: "/a", destination: "/b" }, { source: "/c", destination: "/d" }, { source: "/e", destination: "/f", status: 200 }] }),
  "broken/sockserve.json": '{\n  "cleanUrls": true,\n  "redirects": [\n}\n',
  "comma/sockserve.json": '{\n  "cleanUrls": true,\n}\n',
  "huge/sockserve.json": `{"cleanUrls": true${" ".repeat(1024 * 1024)}}`,
  "flags/sockserve.json": JSON.stringify({ cache: 60, listing: false, cors: false }),
  "flags/dir/x.txt": "x",
};

async function headersOf(url: string, extra: string[] = []): Promise<{ status: number; headers: Map<string, string[]>; body: string }> {
  const out = await curl(["-D", "-", ...extra, url]);
  assert.equal(out.code, 0, out.stderr);
  const text = out.stdout.toString("utf8");
  const split = text.indexOf("\r\n\r\n");
  return { ...parseCurlHeaders(text.slice(0, split + 4)), body: text.slice(split + 4) };
}

describe("sockserve.json (through dist/cli/sockserve.js)", () => {
  let tree: TempTree;
  const running: RunningCli[] = [];
  const start = async (args: string[], cwd?: string): Promise<RunningCli> => {
    const cli = await startCli([...args, "-p", "0", "--quiet"], { dist: true, ...(cwd !== undefined ? { cwd } : {}) });
    running.push(cli);
    return cli;
  };
  before(async () => {
    tree = await makeTree(FILES);
  });
  after(async () => {
    for (const { cli } of running) await cli.stop();
    await tree.remove();
  });

  describe("DIR/sockserve.json", () => {
    let url: string;
    before(async () => {
      ({ url } = await start([tree.root]));
    });

    it("cleanUrls: /about serves about.html; /about.html redirects to /about (curl)", async () => {
      const page = await headersOf(`${url}about`);
      assert.equal(page.status, 200);
      assert.equal(page.body, "about page");
      const old = await headersOf(`${url}about.html`);
      assert.equal(old.status, 301);
      assert.deepEqual(old.headers.get("location"), ["/about"]);
    });

    it("trailingSlash false: /docs/ redirects to /docs, which serves the index", async () => {
      const slash = await headersOf(`${url}docs/`);
      assert.equal(slash.status, 301);
      assert.deepEqual(slash.headers.get("location"), ["/docs"]);
      const res = await fetch(`${url}docs`);
      assert.equal(await res.text(), "docs");
    });

    it("redirects with a capture and a status; curl -L follows to the page", async () => {
      const first = await headersOf(`${url}old/hello`);
      assert.equal(first.status, 308);
      assert.deepEqual(first.headers.get("location"), ["/blog/hello"]);
      const followed = await curl(["-L", `${url}old/hello`]);
      assert.equal(followed.stdout.toString(), "hello post", "308 → /blog/hello → cleanUrls → blog/hello.html");
      const away = await fetch(`${url}gone`, { redirect: "manual" });
      assert.equal(away.status, 301, "301 is the default status");
      assert.equal(away.headers.get("location"), "https://example.com/");
    });

    it("rewrites: an SPA route is served the shell, real files are not", async () => {
      const route = await fetch(`${url}app/settings/profile`);
      assert.equal(route.status, 200);
      assert.equal(await route.text(), "spa shell");
      const css = await headersOf(`${url}style.css`);
      assert.equal(css.body, "body{}");
    });

    it("headers: the glob's fields on matching responses only", async () => {
      const css = await headersOf(`${url}style.css`);
      assert.deepEqual(css.headers.get("cache-control"), ["max-age=600"]);
      assert.deepEqual(css.headers.get("x-from"), ["config"]);
      const html = await headersOf(`${url}about`);
      assert.equal(html.headers.get("x-from"), undefined);
    });

    it("the config file itself is a 404, like a dotfile", async () => {
      for (const p of ["sockserve.json", "sockserve%2ejson", "./sockserve.json"]) {
        const res = await fetch(url + p);
        assert.equal(res.status, 404, p);
        assert.doesNotMatch(await res.text(), /cleanUrls/);
      }
    });
  });

  it("--config FILE outside DIR is read (and DIR/sockserve.json is then ignored)", async () => {
    const { url } = await start([tree.root, "--config", path.join(tree.base, "other/extra.json")]);
    const res = await fetch(`${url}x`, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/about");
    assert.equal((await fetch(`${url}about`)).status, 404, "cleanUrls of DIR/sockserve.json is not applied");
    assert.equal((await fetch(`${url}about.html`)).headers.get("cache-control"), "max-age=60", "cache from the file");
    const config = await fetch(`${url}sockserve.json`);
    assert.equal(config.status, 200, "DIR/sockserve.json is just a file when --config points elsewhere");
  });

  it("--config naming a file inside DIR hides that file", async () => {
    await writeFile(path.join(tree.root, "conf.json"), JSON.stringify({ cleanUrls: true }));
    const { url } = await start([tree.root, "--config", path.join(tree.root, "conf.json")]);
    assert.equal((await fetch(`${url}conf.json`)).status, 404);
    assert.equal(await (await fetch(`${url}about`)).text(), "about page");
  });

  it("flags win over the file: --cache and --cors over cache and cors; listing false from the file", async () => {
    const dir = path.join(tree.base, "flags");
    const fileOnly = await start([dir]);
    const a = await fetch(`${fileOnly.url}dir/x.txt`);
    assert.equal(a.headers.get("cache-control"), "max-age=60");
    assert.equal(a.headers.get("access-control-allow-origin"), null);
    assert.equal((await fetch(`${fileOnly.url}dir/`)).status, 404, "listing: false");
    const flags = await start([dir, "--cache", "5", "--cors"]);
    const b = await fetch(`${flags.url}dir/x.txt`);
    assert.equal(b.headers.get("cache-control"), "max-age=5");
    assert.equal(b.headers.get("access-control-allow-origin"), "*");
  });

  describe("a bad config stops the start with one line and exit 2", () => {
    const cases: [string, string[], string | undefined, RegExp][] = [
      ["a bad status", [], "bad", /^sockserve: sockserve\.json: redirects\[2\]\.status must be 301, 302, 303, 307 or 308$/],
      ["broken JSON", [], "broken", /^sockserve: sockserve\.json: not valid JSON: Unexpected token '\}'$/],
      ["JSON with a trailing comma", [], "comma", /^sockserve: sockserve\.json: not valid JSON: Expected double-quoted property name \(line 3\)$/],
      ["a file over MAX_CONFIG_BYTES (1 MiB)", [], "huge", /^sockserve: sockserve\.json: larger than 1048576 bytes$/],
      ["a missing --config", ["--config", "/nonexistent/sockserve.json"], undefined, /^sockserve: \/nonexistent\/sockserve\.json: no such file$/],
      ["a directory as --config", ["--config", "/tmp"], undefined, /^sockserve: \/tmp: not a file$/],
    ];
    for (const [name, args, cwdDir, message] of cases) {
      it(name, async () => {
        const cwd = cwdDir === undefined ? tree.root : path.join(tree.base, cwdDir);
        const { code, stdout, stderr } = await runCli([...args, "-p", "0"], { dist: true, cwd });
        assert.equal(code, 2, stderr);
        const lines = nonEmptyLines(stderr);
        assert.equal(lines.length, 1, stderr);
        assert.match(lines[0], message);
        assert.doesNotMatch(stdout, /Serving/);
      });
    }
    it("names the file as given when DIR is not the working directory", async () => {
      const { code, stderr } = await runCli([path.join(tree.base, "bad"), "-p", "0"], { dist: true });
      assert.equal(code, 2);
      assert.match(stderr, /bad\/sockserve\.json: redirects\[2\]\.status/);
    });
  });

  it("--help lists --config", async () => {
    const { code, stdout } = await runCli(["--help"], { dist: true });
    assert.equal(code, 0);
    assert.match(stdout, /--config FILE/);
  });
});
