// A file or directory the server may not read gets 403 and one log line naming the path and
// EACCES, never a 500 or a stack. Tests run as root, which reads everything, so the sockserve
// CLI runs here as the user nobody (setpriv), over a tree of files it may and may not read.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chmod, chown } from "node:fs/promises";
import path from "node:path";
import { CLI_SOURCE } from "../support/static-cli.js";
import { OpsProcess, SERVING } from "../support/ops-cli.js";
import { curl, makeTree, type TempTree } from "../support/static-fixture.js";

const TSX = import.meta.resolve("tsx");
const NOBODY = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
const NOGROUP = Number(execFileSync("id", ["-g", "nobody"], { encoding: "utf8" }).trim());
const BIG = "x".repeat(2 * 1024 * 1024); // streamed, not read into memory

/** nobodyReaches tells whether the user nobody can read the checkout (a clone under a 0700 directory, as `mktemp -d` makes, cannot be). */
function nobodyReaches(files: string[]): boolean {
  const probe = spawnSync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, "-e", `for (const f of ${JSON.stringify(files)}) require("fs").accessSync(f)`]);
  return probe.status === 0;
}

const SKIP = process.getuid?.() !== 0
  ? "needs root to run the server as nobody"
  : !nobodyReaches([fileURLToPath(TSX), CLI_SOURCE])
    ? "the user nobody cannot reach this checkout (a parent directory is not world-searchable)"
    : false;

describe("serveStatic refuses what it may not read", { skip: SKIP }, () => {
  let tree: TempTree;
  let cli: OpsProcess;
  let base: string;

  before(async () => {
    tree = await makeTree({
      "site/ok.txt": "readable",
      "site/mode000.txt": "never",
      "site/big000.bin": BIG,
      "site/root-only.txt": "root's",
      "site/locked/inner.txt": "never",
      "site/root-dir/f.txt": "never",
      "site/no-list/ok.txt": "inside an unlistable directory",
      "site/index000/index.html": "never",
    });
    const own = async (rel: string, mode: number, owner = NOBODY): Promise<void> => {
      await chown(path.join(tree.base, rel), owner, owner === 0 ? 0 : NOGROUP);
      await chmod(path.join(tree.base, rel), mode);
    };
    await chmod(tree.base, 0o755);
    for (const rel of ["site", "site/ok.txt", "site/no-list/ok.txt"]) await own(rel, rel.endsWith(".txt") ? 0o644 : 0o755);
    await own("site/mode000.txt", 0o000);
    await own("site/big000.bin", 0o000);
    await own("site/root-only.txt", 0o600, 0); // another user's private file
    await own("site/locked", 0o000);
    await own("site/root-dir", 0o700, 0);
    await own("site/no-list", 0o311, 0); // may enter, may not list
    await own("site/index000/index.html", 0o000);
    cli = new OpsProcess(
      ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, "--import", TSX, CLI_SOURCE, tree.root, "--port", "0", "--quiet"],
      { file: "setpriv" },
    );
    const match = await cli.waitForLine(SERVING, 30_000);
    base = match[2].replace(/\/$/, "");
  });
  after(async () => {
    await cli?.stop();
    await tree?.remove();
  });

  /** get fetches `target` and waits for the log lines it caused (the server logs before it answers). */
  const get = async (target: string, accept = "*/*") => {
    const before = cli.stderr.length;
    const res = await fetch(`${base}${target}`, { headers: { accept } });
    const body = await res.text();
    return { status: res.status, type: res.headers.get("content-type") ?? "", body, log: cli.stderr.slice(before) };
  };

  it("serves what nobody may read, and logs nothing for it", async () => {
    for (const [target, text] of [["/ok.txt", "readable"], ["/no-list/ok.txt", "inside an unlistable directory"]]) {
      const r = await get(target);
      assert.equal(r.status, 200, target);
      assert.equal(r.body, text);
      assert.equal(r.log, "", target);
    }
  });

  const refused: [string, string][] = [
    ["/mode000.txt", "site/mode000.txt"],
    ["/big000.bin", "site/big000.bin"],
    ["/root-only.txt", "site/root-only.txt"],
    ["/locked/", "site/locked"],
    ["/locked/inner.txt", "site/locked/inner.txt"],
    ["/root-dir/", "site/root-dir"],
    ["/root-dir/f.txt", "site/root-dir/f.txt"],
    ["/no-list/", "site/no-list"],
    ["/index000/", "site/index000/index.html"],
  ];
  for (const [target, file] of refused) {
    it(`${target}: 403 and one log line naming the path and EACCES, no stack`, async () => {
      const r = await get(target);
      assert.equal(r.status, 403, `${target}: ${r.body}`);
      assert.match(r.type, /^text\/plain/);
      assert.equal(r.body, "403 Forbidden\n");
      const lines = r.log.split("\n").filter((l) => l !== "");
      assert.equal(lines.length, 1, `log for ${target}: ${JSON.stringify(r.log)}`);
      assert.ok(lines[0].includes(path.join(tree.base, file)), `the line names the path: ${lines[0]}`);
      assert.match(lines[0], /\bEACCES\b/);
      assert.doesNotMatch(r.log, /^\s+at /m, "a stack trace was logged");
    });
  }

  it("a browser gets the 403 as a small HTML page; curl sees the same status", async () => {
    const r = await get("/mode000.txt", "text/html,application/xhtml+xml,*/*;q=0.8");
    assert.equal(r.status, 403);
    assert.match(r.type, /^text\/html/);
    assert.match(r.body, /<h1>403 Forbidden<\/h1>/);
    const c = await curl(["-o", "/dev/null", "-w", "%{http_code}", `${base}/root-only.txt`]);
    assert.equal(c.stdout.toString(), "403");
  });

  it("after every refusal the server still serves, and never logged a stack", async () => {
    assert.equal((await get("/ok.txt")).status, 200);
    assert.ok(cli.running);
    assert.doesNotMatch(cli.stderr, /^\s+at |handler error|Error:/m, cli.stderr);
  });
});
