// `sockserve app.js` through the built bin: a Hono app and a plain { fetch, websocket, port }
// object served over TCP (fetch, curl, the ws client), routes, flags winning over the module's
// port, --health and --max-body-size applying, a module without a fetch export (exit 2), one
// that throws (exit 1), appOf as a table, and --watch restarting on an edit.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { AppModuleError, appOf, isAppPath } from "../../src/cli/app-module.js";
import { curl } from "../support/static-fixture.js";
import { assertBuilt, freePort, waitFor } from "../support/ops-cli.js";
import { nonEmptyLines, runCli, startCli, type RunningCli } from "../support/static-cli.js";

const HONO = import.meta.resolve("hono");

const APPS: Record<string, string> = {
  "hono-app.mjs": `import { Hono } from ${JSON.stringify(HONO)};
const app = new Hono();
app.get("/", (c) => c.text("hello from hono"));
app.get("/users/:id", (c) => c.json({ id: c.req.param("id") }));
app.post("/echo", async (c) => c.text(await c.req.text()));
export default app;
`,
  "plain.js": `export default {
  port: 1, // the CLI's --port wins
  fetch(request, server) {
    if (new URL(request.url).pathname === "/ws" && server.upgrade(request)) return;
    return new Response(\`plain \${request.method} \${new URL(request.url).pathname} from \${this.name}\`);
  },
  name: "the object",
  websocket: { message(ws, message) { ws.send("echo: " + message); } },
};
`,
  "routes.mjs": `export default { routes: { "/hi/:name": (req) => new Response("hi " + req.params.name) } };\n`,
  "no-export.mjs": `export const fetch = () => new Response("named, not default");\n`,
  "throws.mjs": `throw new Error("the app refused to start");\n`,
  "watched.mjs": `export default { fetch: () => new Response("version 1") };\n`,
};

describe("sockserve app.js", () => {
  let dir: string;
  const running: RunningCli[] = [];
  const start = async (args: string[]): Promise<RunningCli> => {
    const cli = await startCli(args, { dist: true, cwd: dir });
    running.push(cli);
    return cli;
  };

  before(async () => {
    assertBuilt();
    dir = await mkdtemp(path.join(tmpdir(), "sockserve-app-"));
    for (const [name, text] of Object.entries(APPS)) await writeFile(path.join(dir, name), text);
  });
  after(async () => {
    for (const { cli } of running) await cli.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves a Hono app's default export: routes, params, a POST body (fetch and curl)", async () => {
    const { url, cli, dir: shown } = await start(["hono-app.mjs", "-p", "0", "--quiet"]);
    assert.equal(shown, path.join(dir, "hono-app.mjs"));
    const root = await fetch(url);
    assert.equal(await root.text(), "hello from hono");
    assert.deepEqual(await (await fetch(new URL("users/42", url))).json(), { id: "42" });
    const posted = await curl(["-s", "--data-binary", "a body", new URL("echo", url).href]);
    assert.equal(posted.stdout.toString(), "a body");
    assert.equal((await fetch(new URL("missing", url))).status, 404);
    assert.equal(cli.stderr, "");
  });

  it("serves a plain { fetch, websocket } object, with `this` bound to it and --port winning over its port", async () => {
    const port = await freePort();
    const { url } = await start(["plain.js", "--port", String(port), "--quiet"]);
    assert.equal(new URL(url).port, String(port));
    assert.equal(await (await fetch(new URL("x?y", url))).text(), "plain GET /x from the object");
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("ping"));
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
    });
    ws.close();
    assert.equal(reply, "echo: ping");
  });

  it("takes the module's port when --port is absent", async () => {
    const port = await freePort();
    const file = path.join(dir, "with-port.mjs");
    await writeFile(file, `export default { port: ${port}, fetch: () => new Response("on my port") };\n`);
    const { port: bound } = await start([file, "--quiet"]);
    assert.equal(bound, port);
  });

  it("serves routes, with --health and --max-body-size applying to the app", async () => {
    const { url } = await start(["routes.mjs", "-p", "0", "--quiet", "--health", "--max-body-size", "1k"]);
    assert.equal(await (await fetch(new URL("hi/ada", url))).text(), "hi ada");
    assert.equal((await fetch(new URL(".well-known/sockserve/health", url))).status, 200);
    const big = await fetch(new URL("hi/ada", url), { method: "POST", body: "x".repeat(2048) });
    assert.equal(big.status, 413);
  });

  it("--workers 2: the workers import the app and answer, the primary does not", async () => {
    const { url, cli } = await start(["plain.js", "-p", "0", "--quiet", "--workers", "2"]);
    const answers = await Promise.all(Array.from({ length: 4 }, async () => (await fetch(new URL("w", url))).text()));
    for (const answer of answers) assert.equal(answer, "plain GET /w from the object");
    assert.ok(cli.running, cli.stderr);
  });

  it("logs the app's requests like the directory server's", async () => {
    const { url, cli } = await start(["plain.js", "-p", "0", "--log", "common"]);
    await (await fetch(new URL("logged", url))).text();
    assert.ok(await cli.until(() => /"GET \/logged HTTP\/1\.1" 200 /.test(cli.stdout), 3000), cli.stdout);
  });

  const refused: [string, number, RegExp][] = [
    ["no-export.mjs", 2, /^sockserve: no-export\.mjs has no default export with a fetch\(request, server\) method/],
    ["throws.mjs", 1, /^sockserve: cannot load throws\.mjs: Error: the app refused to start$/],
  ];
  for (const [file, code, line] of refused) {
    it(`${file} → one line, exit ${code}`, async () => {
      const r = await runCli([file, "-p", "0"], { dist: true, cwd: dir });
      assert.equal(r.code, code, r.stderr);
      const lines = nonEmptyLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], line);
      assert.equal(r.stdout, "");
    });
  }

  it("--watch restarts the app when its file changes", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const { cli } = await start(["watched.mjs", "--port", String(port), "--quiet", "--watch"]);
    const text = async (): Promise<string> => {
      try {
        return await (await fetch(`http://127.0.0.1:${port}/`)).text();
      } catch {
        return ""; // restarting
      }
    };
    assert.equal(await text(), "version 1");
    await writeFile(path.join(dir, "watched.mjs"), `export default { fetch: () => new Response("version 2") };\n`);
    assert.ok(await waitFor(async () => (await text()) === "version 2", 20_000, 100), `no restart:\n${cli.stdout}\n${cli.stderr}`);
    const { code, signal } = await cli.stop();
    assert.ok(code !== null || signal !== null);
    assert.ok(!(await waitFor(async () => (await text()) !== "", 2000, 100)), "the watched server outlived the CLI");
  });
});

describe("appOf", () => {
  const fetch = (): Response => new Response("x");
  it("accepts { fetch }, { routes }, a class instance with fetch; binds fetch to the export", () => {
    assert.equal(typeof appOf({ fetch }, "a.js").fetch, "function");
    assert.deepEqual(Object.keys(appOf({ routes: { "/": fetch } }, "a.js")), ["routes"]);
    class App {
      greeting = "bound";
      fetch(): Response {
        return new Response(this.greeting);
      }
    }
    const app = appOf(new App(), "a.js");
    return (app.fetch!(new Request("http://x/"), undefined as never) as Response).text().then((t) => assert.equal(t, "bound"));
  });
  it("leaves out a routes array (Hono's own) and a non-object websocket", () => {
    assert.deepEqual(Object.keys(appOf({ fetch, routes: [{ path: "/" }], websocket: 1 }, "a.js")), ["fetch"]);
  });
  const bad: [unknown, RegExp][] = [
    [undefined, /has no default export/],
    [42, /has no default export/],
    [{ fetch: "no" }, /has no default export/],
    [{ fetch, port: "80" }, /port must be a whole number/],
    [{ fetch, port: 70_000 }, /port must be a whole number/],
  ];
  for (const [value, message] of bad) {
    it(`refuses ${JSON.stringify(value) ?? "undefined"}`, () => {
      assert.throws(() => appOf(value, "a.js"), (err: unknown) => err instanceof AppModuleError && err.exitCode === 2 && message.test(err.message));
    });
  }
  it("isAppPath: .js and .mjs files", () => {
    for (const p of ["app.js", "x/app.mjs", "APP.JS"]) assert.ok(isAppPath(p), p);
    for (const p of [".", "site", "app.ts", "app.json", "app.cjs"]) assert.ok(!isAppPath(p), p);
  });
});
