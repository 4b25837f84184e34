// The public API is documented: every name src/index.ts exports (values from the module itself,
// types from the text of index.ts) appears as code in README.md's API sections, and carries a
// TSDoc comment at its declaration that starts with its name and has an @example whose
// TypeScript type-checks against the sources (with "sockserve" mapped to src/index.ts).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as api from "../../src/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SRC = path.join(ROOT, "src");
const INDEX = path.join(SRC, "index.ts");
const README = path.join(ROOT, "README.md");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");

/** README sections that are not about the library's API; every other `## ` section is. */
const NOT_API = /Todo app|npx sockserve|^Examples$|^Conformance$|^Benchmarks$|^Why not|^Not yet/;

interface Exported {
  /** name as exported from index.ts */
  name: string;
  /** name at the declaration (differs for `export { a as b }`) */
  local: string;
  kind: "value" | "type";
  /** the file holding the declaration */
  file: string;
}

/** parseIndex lists index.ts's exports from its text: `export { a, type B, c as d } from "./x.js"` and `export type { ... } from`. */
function parseIndex(): Exported[] {
  const text = readFileSync(INDEX, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "");
  assert.doesNotMatch(text, /export\s*\*/, "index.ts uses `export *`: list the names instead, so they can be checked");
  const out: Exported[] = [];
  for (const m of text.matchAll(/export\s+(type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
    const allTypes = m[1] !== undefined;
    const file = path.resolve(SRC, m[3].replace(/\.js$/, ".ts"));
    for (const raw of m[2].split(",")) {
      const spec = raw.trim();
      if (spec === "") continue;
      const typeOnly = allTypes || spec.startsWith("type ");
      const [local, name = local] = spec.replace(/^type\s+/, "").split(/\s+as\s+/).map((s) => s.trim()) as [string, string?];
      out.push({ name, local, kind: typeOnly ? "type" : "value", file });
    }
  }
  // Declarations written in index.ts itself.
  for (const m of text.matchAll(/export\s+(?:declare\s+)?(?:async\s+)?(function\*?|class|const|let|var|enum|interface|type)\s+([A-Za-z_$][\w$]*)/g)) {
    const kind = m[1] === "interface" || m[1] === "type" ? "type" : "value";
    out.push({ name: m[2], local: m[2], kind, file: INDEX });
  }
  return out;
}

/** apiSections returns the text of README.md's API sections (every `## ` section but NOT_API ones). */
function apiSections(readme: string): string {
  const parts = readme.split(/^(?=## )/m);
  return parts.filter((part) => {
    const heading = /^## (.*)$/m.exec(part);
    return heading !== null && !NOT_API.test(heading[1].replace(/`/g, "").trim());
  }).join("\n");
}

/** codeIdentifiers collects the identifiers written as code: inside fenced blocks and `inline code`. */
function codeIdentifiers(markdown: string): Set<string> {
  const code: string[] = [];
  for (const m of markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)) code.push(m[1]);
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "");
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) code.push(m[1]);
  return new Set(code.join("\n").match(/[A-Za-z_$][\w$]*/g) ?? []);
}

/** docAt returns the /** ... *\/ block right before `local`'s exported declaration in `file`, or null. */
function docAt(file: string, local: string): { found: boolean; doc: string | null } {
  const text = readFileSync(file, "utf8");
  const decl = new RegExp(`^export\\s+(?:declare\\s+)?(?:default\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function\\*?|class|const|let|var|enum|interface|type)\\s+${local.replace(/\$/g, "\\$")}\\b`, "m");
  const m = decl.exec(text);
  if (m === null) return { found: false, doc: null };
  const before = text.slice(0, m.index).trimEnd();
  if (!before.endsWith("*/")) return { found: true, doc: null };
  const start = before.lastIndexOf("/**");
  if (start < 0) return { found: true, doc: null };
  return { found: true, doc: before.slice(start) };
}

/** docText turns a /** block into its lines without the comment markers. */
function docText(doc: string): string {
  return doc.replace(/^\/\*\*/, "").replace(/\*\/$/, "").split("\n").map((line) => line.replace(/^\s*\* ?/, "")).join("\n").trim();
}

/** exampleCode returns the ```ts fence after @example, or null. */
function exampleCode(text: string): string | null {
  const at = text.indexOf("@example");
  if (at < 0) return null;
  const fence = /```(?:ts|typescript)\n([\s\S]*?)```/.exec(text.slice(at));
  return fence === null ? null : fence[1];
}

const exported = parseIndex();
const runtimeNames = Object.keys(api).sort();

describe("package exports", () => {
  it("index.ts's text lists exactly the module's runtime exports", () => {
    assert.ok(exported.length > 0, "found no exports in src/index.ts");
    const values = exported.filter((e) => e.kind === "value").map((e) => e.name).sort();
    assert.deepEqual(values, runtimeNames);
    for (const e of exported) assert.ok(existsSync(e.file), `${e.name}: ${path.relative(ROOT, e.file)} does not exist`);
  });

  it("every export appears as code in README.md's API sections", () => {
    const ids = codeIdentifiers(apiSections(readFileSync(README, "utf8")));
    const missing = exported.map((e) => e.name).filter((name) => !ids.has(name));
    assert.deepEqual(missing, [], `README.md's API sections do not mention (as code) these exports of src/index.ts: ${missing.join(", ")}`);
  });

  it("every export has a TSDoc comment starting with its name, with an @example", () => {
    const problems: string[] = [];
    for (const e of exported) {
      const where = `${e.name} (${path.relative(ROOT, e.file)})`;
      const { found, doc } = docAt(e.file, e.local);
      if (!found) problems.push(`${where}: no exported declaration of ${e.local}`);
      else if (doc === null) problems.push(`${where}: no /** */ comment right before the declaration`);
      else {
        const text = docText(doc);
        const first = /^[A-Za-z_$][\w$]*/.exec(text)?.[0];
        if (first !== e.local && first !== e.name) problems.push(`${where}: the comment starts with "${text.slice(0, 30)}", not the name`);
        if (exampleCode(text) === null) problems.push(`${where}: no @example with a \`\`\`ts block`);
      }
    }
    assert.deepEqual(problems, []);
  });

  describe("the @example blocks type-check", () => {
    let dir = "";
    after(async () => {
      if (dir !== "") await rm(dir, { recursive: true, force: true });
    });

    it("compiles every example with tsc against src/index.ts", { timeout: 120_000 }, async () => {
      dir = await mkdtemp(path.join(tmpdir(), "sockserve-examples-"));
      const files: string[] = [];
      for (const e of exported) {
        const { doc } = docAt(e.file, e.local);
        const code = doc === null ? null : exampleCode(docText(doc));
        if (code === null) continue; // reported by the test above
        const file = `${e.name}.ts`;
        // `export {}` keeps each example a module, so top-level await and names stay local.
        await writeFile(path.join(dir, file), `${code}\nexport {};\n`);
        files.push(file);
      }
      assert.ok(files.length > 0, "no examples found");
      await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
      await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: {
          target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true,
          skipLibCheck: true, lib: ["ES2023"], types: ["node"], typeRoots: [path.join(ROOT, "node_modules/@types")],
          paths: { sockserve: [INDEX], "sockserve/pubsub/redis": [path.join(SRC, "pubsub/redis-pubsub.ts")], "sockserve/pubsub/postgres": [path.join(SRC, "pubsub/postgres-pubsub.ts")] },
        },
        files,
      }));
      const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile(process.execPath, [TSC, "-p", dir], { timeout: 100_000 }, (err, stdout, stderr) => {
          resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, out: stdout + stderr });
        });
      });
      assert.equal(result.code, 0, `the @example code does not type-check:\n${result.out}`);
    });
  });
});
