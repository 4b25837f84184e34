// The CLI's messages for a bad command line, as tables (parseArgs errors rewritten, the
// "did you mean" suggestion, --max-body-size sizes) and through the built bin: each message is
// one line on stderr with exit code 2; --version and -v print package.json's version.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import path from "node:path";
import { parseByteSize } from "../../src/cli/byte-size.js";
import { describeParseError, editDistance, nearestFlag, type FlagSpec } from "../../src/cli/parse-error.js";
import { assertBuilt, REPO } from "../support/ops-cli.js";
import { nonEmptyLines, runCli } from "../support/static-cli.js";

const FLAGS: Record<string, FlagSpec> = { port: { type: "string", short: "p" }, host: { type: "string" }, spa: { type: "boolean" }, "no-listing": { type: "boolean" } };

function messageFor(args: string[]): string {
  try {
    parseArgs({ args, options: FLAGS, strict: true, allowPositionals: false });
  } catch (err) {
    return describeParseError(err, FLAGS);
  }
  throw new Error(`parseArgs accepted ${args.join(" ")}`);
}

describe("describeParseError", () => {
  const rows: [string[], string][] = [
    [["--prot", "1"], "unknown option --prot (did you mean --port?)"],
    [["--hots"], "unknown option --hots (did you mean --host?)"],
    [["--no-list"], "unknown option --no-list (did you mean --no-listing?)"],
    [["--zzzzzz"], "unknown option --zzzzzz"],
    [["-x"], "unknown option -x"],
    [["--port"], "--port needs a value"],
    [["-p"], "--port needs a value"],
    [["--port", "--spa"], '--port needs a value; for one that starts with "-", write --port=VALUE'],
    [["--spa=yes"], "--spa takes no value"],
    [["stray"], "unexpected argument stray"],
  ];
  for (const [args, expected] of rows) it(args.join(" "), () => assert.equal(messageFor(args), expected));
});

describe("nearestFlag and editDistance", () => {
  const names = Object.keys(FLAGS);
  const rows: [string, string | null][] = [["--prot", "--port"], ["--potr", "--port"], ["--sap", "--spa"], ["--ho", "--host"], ["--x", null], ["--banana", null], ["--prot=3", "--port"]];
  for (const [given, expected] of rows) it(`${given} → ${expected}`, () => assert.equal(nearestFlag(given, names), expected));
  it("counts a swap of neighbours as one edit", () => {
    assert.equal(editDistance("prot", "port"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("", "abc"), 3);
  });
});

describe("parseByteSize", () => {
  const rows: [string, number | null][] = [
    ["0", Infinity], ["1", 1], ["1024", 1024], ["64k", 65536], ["64K", 65536], ["16m", 16 * 1024 ** 2],
    ["1g", 1024 ** 3], ["1G", 1024 ** 3], ["", null], ["1.5m", null], ["-1", null], ["1t", null], ["m", null], ["1 m", null], ["99999999999g", null],
  ];
  for (const [text, bytes] of rows) it(JSON.stringify(text), () => assert.equal(parseByteSize(text), bytes));
});

describe("the bin's messages", () => {
  const version = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version;
  for (const flag of ["--version", "-v"]) {
    it(`${flag} prints ${version} and exits 0`, async () => {
      assertBuilt();
      const r = await runCli([flag], { dist: true });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
    });
  }
  const rows: [string[], string][] = [
    [["--prot", "8080"], "sockserve: unknown option --prot (did you mean --port?); see sockserve --help"],
    [["--port"], "sockserve: --port needs a value; see sockserve --help"],
    [["--spa=1"], "sockserve: --spa takes no value; see sockserve --help"],
    [["a", "b"], "sockserve: expected one directory or app, got 2: a b; see sockserve --help"],
    [["--max-body-size", "12q"], 'sockserve: --max-body-size must be bytes, or a number with k, m or g (such as 64m), or 0 for no limit; not "12q"; see sockserve --help'],
    [["README.md"], "sockserve: README.md is a file, not a directory (to run an app, give a .js or .mjs file)"],
    [["no-such-app.mjs"], "sockserve: no-such-app.mjs: no such file"],
    [[".", "--watch"], "sockserve: --watch restarts an app; give a .js or .mjs file (a directory is read afresh on every request)"],
  ];
  for (const [args, line] of rows) {
    it(`${args.join(" ")} → ${line}`, async () => {
      assertBuilt();
      const r = await runCli(["-p", "0", ...args], { dist: true, cwd: REPO });
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(nonEmptyLines(r.stderr), [line]);
      assert.equal(r.stdout, "");
    });
  }
});
