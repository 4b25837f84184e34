// --open through the built bin with SOCKSERVE_BROWSER pointing at a stub program (no real
// browser): the stub gets the served URL (localhost for a wildcard bind); with CI set nothing is
// run and one line says what would have been opened. openInBrowser itself with injected openers.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { browsableUrl, openInBrowser } from "../../src/cli/open-browser.js";
import { assertBuilt, waitFor } from "../support/ops-cli.js";
import { startCli, type RunningCli } from "../support/static-cli.js";

describe("sockserve --open", () => {
  let dir: string;
  let stub: string;
  let opened: string;
  const running: RunningCli[] = [];
  before(async () => {
    assertBuilt();
    dir = await mkdtemp(path.join(tmpdir(), "sockserve-open-"));
    opened = path.join(dir, "opened.txt");
    stub = path.join(dir, "browser.sh");
    await writeFile(stub, `#!/bin/sh\nprintf '%s\\n' "$@" >> '${opened}'\n`);
    await chmod(stub, 0o755);
  });
  after(async () => {
    for (const { cli } of running) await cli.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const start = async (args: string[], env: NodeJS.ProcessEnv): Promise<RunningCli> => {
    const cli = await startCli([dir, "-p", "0", "--quiet", "--open", ...args], { dist: true, env: { SOCKSERVE_BROWSER: stub, ...env } });
    running.push(cli);
    return cli;
  };

  it("runs the browser with the served URL", async () => {
    await rm(opened, { force: true });
    const { url } = await start([], { CI: "" });
    assert.ok(await waitFor(() => existsSync(opened) && readFileSync(opened, "utf8").endsWith("\n"), 5000), "the stub browser never ran");
    assert.equal(readFileSync(opened, "utf8"), `${url}\n`);
  });

  it("a wildcard bind opens localhost", async () => {
    await rm(opened, { force: true });
    const { port } = await start(["-H", "0.0.0.0"], { CI: "false" });
    assert.ok(await waitFor(() => existsSync(opened) && readFileSync(opened, "utf8").endsWith("\n"), 5000), "the stub browser never ran");
    assert.equal(readFileSync(opened, "utf8"), `http://localhost:${port}/\n`);
  });

  it("with CI set, opens nothing and says what it would have opened", async () => {
    await rm(opened, { force: true });
    const { cli, url } = await start([], { CI: "true" });
    const line = `sockserve: not opening a browser in CI (CI is set); would have opened ${url}`;
    assert.ok(await cli.until(() => cli.stderr.includes("\n"), 5000), "no line on stderr");
    assert.equal(cli.stderr, `${line}\n`);
    assert.equal(existsSync(opened), false, "the browser ran in CI");
  });
});

describe("openInBrowser", () => {
  const run = async (env: NodeJS.ProcessEnv, opener: (url: string) => Promise<unknown>): Promise<string[]> => {
    const said: string[] = [];
    await openInBrowser("http://127.0.0.1:1/", env, (l) => said.push(l), opener);
    return said;
  };
  for (const ci of ["1", "true", "yes"]) {
    it(`CI=${ci}: the opener is not called`, async () => {
      let called = false;
      const said = await run({ CI: ci }, async () => (called = true));
      assert.equal(called, false);
      assert.deepEqual(said, ["not opening a browser in CI (CI is set); would have opened http://127.0.0.1:1/"]);
    });
  }
  for (const ci of [undefined, "", "0", "false"]) {
    it(`CI=${String(ci)}: the opener gets the URL`, async () => {
      const urls: string[] = [];
      const said = await run(ci === undefined ? {} : { CI: ci }, async (url) => urls.push(url));
      assert.deepEqual([urls, said], [["http://127.0.0.1:1/"], []]);
    });
  }
  it("a failing opener is one line, not a crash", async () => {
    const said = await run({}, () => Promise.reject(new Error("no display")));
    assert.deepEqual(said, ["could not open a browser for http://127.0.0.1:1/: no display"]);
  });
  it("browsableUrl", () => {
    assert.equal(browsableUrl(new URL("http://0.0.0.0:8000/")), "http://localhost:8000/");
    assert.equal(browsableUrl(new URL("https://[::]:8443/")), "https://localhost:8443/");
    assert.equal(browsableUrl(new URL("http://127.0.0.1:9/")), "http://127.0.0.1:9/");
    assert.equal(browsableUrl(new URL("http://[::1]:9/")), "http://[::1]:9/");
    assert.equal(browsableUrl(new URL("http://0.0.0.0:80/")), "http://localhost/");
  });
});
