// serveStatic below a mount point: the README's own `routes` example (read from README.md at
// test time and run as a program) serves /assets/app.css from ./public/app.css, and the
// `prefix` option does the same for a handler mounted by hand.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { serve, serveStatic, type Server } from "../../src/index.js";
import { OpsProcess } from "../support/ops-cli.js";
import { REPO } from "../support/static-cli.js";
import { makeTree, rawRequest, type TempTree } from "../support/static-fixture.js";

const TSX = import.meta.resolve("tsx");
const CSS = "body { color: rebeccapurple }\n";

/** routesExample is the first ```ts block under README.md's "## `routes`" heading. */
async function routesExample(): Promise<string> {
  const readme = await readFile(path.join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## `routes`"));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, "README.md has no ts example under ## `routes`");
  return block[1];
}

describe("the README's routes example mounts serveStatic under /assets/*", () => {
  let tree: TempTree;
  let child: OpsProcess;
  let base: string;

  before(async () => {
    tree = await makeTree({ "site/public/app.css": CSS, "site/public/img/logo.svg": "<svg/>", "site/cgi-bin/.keep": "" });
    const example = await routesExample();
    assert.match(example, /"\/assets\/\*": serveStatic\(\{ root: "\.\/public" \}\)/, "the example no longer mounts ./public at /assets/*");
    // The example as printed, with three things a reader fills in: the package's path, the two
    // handlers it leaves to the reader, and a free port instead of the default.
    const program = [
      "const listTodos = () => Response.json([]);",
      "const createTodo = listTodos;",
      example
        .replace(`from "sockserve"`, `from ${JSON.stringify(pathToFileURL(path.join(REPO, "src/index.ts")).href)}`)
        .replace("await serve({", 'const server = await serve({ port: 0, hostname: "127.0.0.1",'),
      "console.log(`listening ${server.port}`);",
    ].join("\n");
    await writeFile(path.join(tree.root, "example.mts"), program);
    child = new OpsProcess(["--import", TSX, "example.mts"], { cwd: tree.root });
    const match = await child.waitForLine(/^listening (\d+)$/m, 30_000);
    base = `http://127.0.0.1:${match[1]}`;
  });
  after(async () => {
    await child?.stop();
    await tree?.remove();
  });

  it("GET /assets/app.css serves ./public/app.css", async () => {
    const res = await fetch(`${base}/assets/app.css`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/css/);
    assert.equal(await res.text(), CSS);
    assert.equal(await (await fetch(`${base}/assets/img/logo.svg`)).text(), "<svg/>");
  });

  it("/assets redirects to /assets/, whose listing links work; /assets/img to /assets/img/", async () => {
    for (const [from, to] of [["/assets", "/assets/"], ["/assets/img", "/assets/img/"], ["/assets/img?x=1", "/assets/img/?x=1"]] as const) {
      const { response } = await rawRequest(Number(new URL(base).port), from);
      assert.equal(response.status, 301, from);
      assert.equal(response.get("location"), to, from);
    }
    const html = await (await fetch(`${base}/assets/`, { headers: { accept: "text/html" } })).text();
    assert.match(html, /<h1>Index of \/assets\/<\/h1>/);
    assert.match(html, /href="app.css"/);
    assert.doesNotMatch(html, /href="\.\.\/"/, "the mount's top links above the mount");
  });

  it("the prefix is not looked up under the root, and the rest of the routes still answer", async () => {
    assert.equal((await fetch(`${base}/assets/public/app.css`)).status, 404);
    assert.equal(await (await fetch(`${base}/`)).text(), "home");
    assert.equal((await fetch(`${base}/nothing-here`)).status, 404);
  });
});

describe("serveStatic's prefix option", () => {
  let tree: TempTree;
  let server: Server;
  let base: string;

  before(async () => {
    tree = await makeTree({ "site/app.css": CSS, "site/sub/a.txt": "a" });
    const files = serveStatic({ root: tree.root, prefix: "/static/" });
    server = await serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => files(req), logger: () => {} });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server?.stop(true);
    await tree?.remove();
  });

  it("strips the prefix, redirects under it, and answers 404 outside it", async () => {
    assert.equal(await (await fetch(`${base}/static/app.css`)).text(), CSS);
    assert.equal(await (await fetch(`${base}/static/sub/a.txt`)).text(), "a");
    const redirect = await fetch(`${base}/static/sub`, { redirect: "manual" });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/static/sub/");
    for (const target of ["/app.css", "/staticapp.css", "/static-x/app.css"]) assert.equal((await fetch(`${base}${target}`)).status, 404, target);
  });
});
