// The package is ESM-only, as README.md's install section says: in a project whose
// node_modules/sockserve is this package, Node's `require("sockserve")` fails with exactly the
// line both READMEs show, and `await import("sockserve")` from CommonJS works.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PLACEHOLDER = "/path/to/project";

/** documentedError is the ERR_PACKAGE_PATH_NOT_EXPORTED line of a README's install section. */
function documentedError(readme: string): string {
  const line = readFileSync(path.join(ROOT, readme), "utf8").split("\n").find((l) => l.startsWith("Error [ERR_PACKAGE_PATH_NOT_EXPORTED]"));
  assert.ok(line !== undefined, `${readme} does not show the require() error`);
  return line;
}

function node(cwd: string, file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

describe("ESM only", () => {
  let project = "";
  before(async () => {
    assert.ok(existsSync(path.join(ROOT, "dist/index.js")), "dist/ is not built: run `npm run build` first");
    project = await realpath(await mkdtemp(path.join(tmpdir(), "sockserve-cjs-")));
    await mkdir(path.join(project, "node_modules"));
    await symlink(ROOT, path.join(project, "node_modules/sockserve"), "dir");
    await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "cjs-user", version: "1.0.0" }));
    await writeFile(path.join(project, "require.cjs"), `require("sockserve");\n`);
    await writeFile(path.join(project, "import.cjs"), `(async () => {\n  const { serve } = await import("sockserve");\n  console.log(typeof serve);\n})();\n`);
  });
  after(async () => {
    if (project !== "") await rm(project, { recursive: true, force: true });
  });

  for (const readme of ["README.md", "README.zh-CN.md"]) {
    it(`require("sockserve") fails with the line ${readme} shows`, async () => {
      const r = await node(project, "require.cjs");
      assert.notEqual(r.code, 0);
      const expected = documentedError(readme).replace(PLACEHOLDER, project);
      const printed = r.stderr.split("\n").find((l) => l.startsWith("Error ["));
      assert.equal(printed, expected, r.stderr);
    });
  }

  it('await import("sockserve") works from CommonJS', async () => {
    const r = await node(project, "import.cjs");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "function\n");
  });
});
