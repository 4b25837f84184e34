// Error answers as users meet them: a browser (Accept: text/html) gets a small HTML page in the
// listing's look, curl and API clients plain text; a symlink leaving the root is refused with
// one log line that points at --follow-symlinks (the CLI's stderr) or the logger option; and
// ENOTDIR, ENAMETOOLONG, ELOOP and ENOENT are 404s that neither fault nor log.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve, serveStatic, type Server } from "../../src/index.js";
import { startCli, type RunningCli } from "../support/static-cli.js";
import { curl, makeTree, parseCurlHeaders, startStatic, type StaticServer, type TempTree } from "../support/static-fixture.js";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

describe("404 pages and the symlink hint", () => {
  let tree: TempTree;
  let site: StaticServer;
  const logged: string[] = [];

  before(async () => {
    tree = await makeTree({
      "outside.txt": "outside",
      "site/here.txt": "here",
      "site/out.txt": { symlink: "../outside.txt" },
      "site/with-page/x.txt": "x",
    });
    site = await startStatic({ root: tree.root, logger: (line) => logged.push(line) });
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  it("a browser's 404 is an HTML page in the listing's look", async () => {
    const res = await fetch(`${site.base}/missing.txt`, { headers: { accept: BROWSER_ACCEPT } });
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html; charset=utf-8$/);
    assert.match(res.headers.get("vary") ?? "", /Accept/);
    const html = await res.text();
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<title>404 Not Found<\/title>/);
    const listing = await (await fetch(`${site.base}/`, { headers: { accept: BROWSER_ACCEPT } })).text();
    const style = (page: string) => /<style>[\s\S]*?<\/style>/.exec(page)?.[0];
    assert.equal(style(html), style(listing), "the 404 page does not share the listing's style");
  });

  it("curl and API clients keep plain text", async () => {
    const c = await curl(["-D", "-", "-o", "/dev/null", `${site.base}/missing.txt`]);
    const head = parseCurlHeaders(c.stdout.toString());
    assert.equal(head.status, 404);
    assert.match(head.headers.get("content-type")?.[0] ?? "", /^text\/plain/);
    for (const accept of ["application/json", "*/*"]) {
      const res = await fetch(`${site.base}/missing.txt`, { headers: { accept } });
      assert.equal(await res.text(), "404 Not Found\n", accept);
    }
  });

  it("a symlink out of the root: 404 and one line naming it and followSymlinks", async () => {
    logged.length = 0;
    assert.equal((await fetch(`${site.base}/out.txt`)).status, 404);
    assert.equal(logged.length, 1, logged.join("\n"));
    assert.ok(logged[0].includes(`${tree.root}/out.txt`), logged[0]);
    assert.match(logged[0], /--follow-symlinks/);
    assert.match(logged[0], /followSymlinks: true/);
    logged.length = 0;
    assert.equal((await fetch(`${site.base}/missing.txt`)).status, 404);
    assert.equal(await (await fetch(`${site.base}/here.txt`)).text(), "here");
    assert.deepEqual(logged, [], "a plain 404 or a served file logged something");
  });
});

describe("sockserve DIR: the symlink hint on stderr", () => {
  let tree: TempTree;
  let run: RunningCli;

  before(async () => {
    tree = await makeTree({ "outside.txt": "outside", "site/out.txt": { symlink: "../outside.txt" } });
    run = await startCli([tree.root, "--port", "0", "--quiet"]);
  });
  after(async () => {
    await run?.cli.stop();
    await tree?.remove();
  });

  it("prints one line that suggests --follow-symlinks, and no stack", async () => {
    const res = await fetch(`${run.url}out.txt`);
    assert.equal(res.status, 404);
    assert.ok(await run.cli.until(() => run.cli.stderr.includes("\n"), 10_000), "nothing on stderr");
    const lines = run.cli.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, run.cli.stderr);
    assert.match(lines[0], /^sockserve: .*out\.txt.*--follow-symlinks/);
  });
});

describe("expected file system errors never become a 500", () => {
  let tree: TempTree;
  let server: Server;
  let base: string;
  const faults: unknown[] = [];
  const logged: string[] = [];

  before(async () => {
    tree = await makeTree({
      "site/file.txt": "f",
      [`site/${"s".repeat(255)}`]: "longest name",
      "site/loop-a": { symlink: "loop-b" },
      "site/loop-b": { symlink: "loop-a" },
      "site/dir/loop": { symlink: "loop" },
    });
    const files = serveStatic({ root: tree.root, logger: (line) => logged.push(line) });
    server = await serve({ port: 0, hostname: "127.0.0.1", fetch: files, logger: (err) => faults.push(err) });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server?.stop(true);
    await tree?.remove();
  });

  const rows: [string, string][] = [
    ["ENOTDIR", "/file.txt/below"],
    ["ENOTDIR", "/file.txt/below/"],
    ["ENAMETOOLONG", `/${"n".repeat(300)}`],
    ["ENAMETOOLONG", `/${"n".repeat(256)}/`],
    ["ELOOP", "/loop-a"],
    ["ELOOP", "/dir/loop/"],
    ["ENOENT", "/nothing/here.txt"],
  ];
  it("a 255-byte name is served: its .br and .gz siblings (ENAMETOOLONG) are simply absent", async () => {
    const res = await fetch(`${base}/${"s".repeat(255)}`, { headers: { "accept-encoding": "br, gzip" } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "longest name");
    assert.deepEqual(faults, []);
  });

  for (const [code, target] of rows) {
    it(`${code}: ${target.slice(0, 40)} gets 404, with no fault and no log line`, async () => {
      for (const accept of ["*/*", "text/html"]) {
        const res = await fetch(`${base}${target}`, { headers: { accept } });
        assert.equal(res.status, 404, `${target} (${accept})`);
        await res.arrayBuffer();
      }
      assert.deepEqual(faults, []);
      assert.deepEqual(logged, []);
    });
  }
});
