// README.zh-CN.md keeps up with README.md: both have the same commands in ```sh blocks, the same
// CLI flags, the same code tokens in the first column of every table, and the same number of
// sections; the Chinese one starts with a link back to the English one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const en = readFileSync(path.join(ROOT, "README.md"), "utf8");
const zh = readFileSync(path.join(ROOT, "README.zh-CN.md"), "utf8");

const FENCE = /^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;

/** shCommands lists the command lines of ```sh blocks, without trailing # comments (those may be translated). */
function shCommands(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(FENCE)) {
    if (!/^(sh|bash|shell|console)\b/.test(m[1].trim())) continue;
    for (const line of m[2].split("\n")) {
      const command = line.replace(/(^|\s)#.*$/, "").trim();
      if (command !== "") out.add(command);
    }
  }
  return out;
}

/** flags lists every long CLI flag written anywhere in the file. */
function flags(markdown: string): Set<string> {
  return new Set(markdown.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? []);
}

/** firstColumnCode lists the `code` tokens in the first cell of every table row (headers included). */
function firstColumnCode(markdown: string): Set<string> {
  const out = new Set<string>();
  const prose = markdown.replace(FENCE, "");
  for (const raw of prose.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("|") || /^\|[\s|:-]+\|?$/.test(line)) continue; // not a row, or the --- separator
    const first = line.slice(1).split(/(?<!\\)\|/)[0];
    for (const m of first.matchAll(/`([^`]+)`/g)) out.add(m[1]);
  }
  return out;
}

function headings(markdown: string): string[] {
  return markdown.replace(FENCE, "").split("\n").filter((line) => /^#{1,6} /.test(line));
}

function assertSameSet(name: string, a: Set<string>, b: Set<string>): void {
  assert.ok(a.size > 0, `found no ${name} in README.md`);
  const onlyEn = [...a].filter((x) => !b.has(x)).sort();
  const onlyZh = [...b].filter((x) => !a.has(x)).sort();
  assert.deepEqual({ onlyInReadme: onlyEn, onlyInZhCN: onlyZh }, { onlyInReadme: [], onlyInZhCN: [] }, `${name} differ between README.md and README.zh-CN.md`);
}

describe("README.zh-CN.md matches README.md", () => {
  it("starts with a link to the English README", () => {
    assert.match(zh.split("\n")[0], /\[English\]\(README\.md\)/);
  });

  it("has the same commands in ```sh blocks", () => assertSameSet("sh commands", shCommands(en), shCommands(zh)));

  it("mentions the same CLI flags", () => assertSameSet("--flags", flags(en), flags(zh)));

  it("has the same code tokens in the first column of its tables", () => assertSameSet("first-column code tokens", firstColumnCode(en), firstColumnCode(zh)));

  it("has as many sections", () => {
    assert.deepEqual(headings(zh).map((h) => h.split(" ")[0]), headings(en).map((h) => h.split(" ")[0]));
  });
});
