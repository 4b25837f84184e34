// The layering rule of docs/architecture.md, enforced: each folder may import only the layers
// below it. A file that reaches up fails this test with the offending import named.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";
import { describe, it } from "node:test";

const root = resolve(import.meta.dirname, "../..");
const src = join(root, "src");

/** Each layer lists the src folders it may import besides itself. "node" means node:* built-ins. */
const allowed: Record<string, { layers: string[]; packages: boolean }> = {
  net: { layers: [], packages: false },
  http: { layers: [], packages: false },
  http2: { layers: [], packages: false },
  websocket: { layers: ["http"], packages: false },
  fetch: { layers: ["http"], packages: false },
  static: { layers: ["http", "fetch"], packages: true },
  cgi: { layers: ["http", "fetch", "static"], packages: true },
  router: { layers: ["http", "fetch"], packages: true },
  cli: { layers: ["."], packages: true },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]!);
  return specs;
}

function layerOf(path: string): string {
  const rel = relative(src, path);
  return rel.includes("/") ? rel.split("/")[0]! : ".";
}

describe("layering", () => {
  const all = files(src);
  it("finds the sources", () => assert.ok(all.length > 10, `only ${all.length} files under src/`));
  for (const file of all) {
    const layer = layerOf(file);
    const rule = allowed[layer];
    if (rule === undefined) continue; // top-level files (server.ts, index.ts) compose every layer
    it(`${relative(root, file)} imports only what ${layer}/ may`, () => {
      for (const spec of imports(file)) {
        if (spec.startsWith("node:")) continue;
        if (!spec.startsWith(".")) {
          assert.ok(rule.packages, `${layer}/ must not import the package "${spec}"`);
          continue;
        }
        const target = layerOf(resolve(dirname(file), spec));
        assert.ok(target === layer || rule.layers.includes(target), `${layer}/ must not import ${spec} (layer ${target})`);
      }
    });
  }
});
