// The layering rule of docs/architecture.md, enforced: each folder may import only the layers
// below it, no import cycle exists anywhere in src/ (type-only imports included), src/ has no
// top-level file but index.ts, and no source file passes 400 lines.
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
  http2: { layers: ["http"], packages: false },
  websocket: { layers: ["http"], packages: false },
  fetch: { layers: ["http"], packages: false },
  static: { layers: ["http", "fetch"], packages: true },
  cgi: { layers: ["http", "fetch", "static"], packages: true },
  compress: { layers: ["http", "fetch", "static"], packages: false },
  router: { layers: ["http", "fetch"], packages: true },
  server: { layers: ["http", "http2", "net", "fetch", "websocket", "router", "compress"], packages: false },
  pubsub: { layers: ["server"], packages: true },
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
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g)) specs.push(m[1]);
  for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]);
  return specs;
}

function layerOf(path: string): string {
  const rel = relative(src, path);
  return rel.includes("/") ? rel.split("/")[0] : ".";
}

describe("layering", () => {
  const all = files(src);
  it("finds the sources", () => assert.ok(all.length > 10, `only ${all.length} files under src/`));
  for (const file of all) {
    const layer = layerOf(file);
    const rule = allowed[layer];
    if (rule === undefined) continue; // index.ts re-exports every layer
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

/** resolveSpec maps a relative import to the source file it names (".js" in specs is ".ts" on disk). */
function resolveSpec(from: string, spec: string): string {
  return resolve(dirname(from), spec).replace(/\.js$/, ".ts");
}

/** findCycle returns one import cycle among the files as a list of paths, or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found !== null) return found;
      }
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    if (state.get(node) !== undefined) continue;
    const found = visit(node);
    if (found !== null) return found;
  }
  return null;
}

describe("shape of src/", () => {
  const all = files(src);
  it("has no import cycle (type-only imports included)", () => {
    const graph = new Map<string, string[]>();
    for (const file of all) graph.set(file, imports(file).filter((s) => s.startsWith(".")).map((s) => resolveSpec(file, s)));
    const cycle = findCycle(graph);
    assert.equal(cycle, null, `import cycle: ${(cycle ?? []).map((f) => relative(src, f)).join(" -> ")}`);
  });
  it("finds a cycle when there is one (the check itself works)", () => {
    const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
    assert.deepEqual(findCycle(graph), ["a", "b", "c", "a"]);
    assert.equal(findCycle(new Map([["a", ["b"]], ["b", []]])), null);
  });
  it("keeps only index.ts at the top of src/", () => {
    const top = readdirSync(src).filter((name) => !statSync(join(src, name)).isDirectory());
    assert.deepEqual(top, ["index.ts"]);
  });
  it("keeps the brokers out of the core: nothing outside src/pubsub/ imports it", () => {
    const reaching = all.filter((file) => layerOf(file) !== "pubsub" && imports(file).some((s) => s.startsWith(".") && layerOf(resolve(dirname(file), s)) === "pubsub"));
    assert.deepEqual(reaching.map((f) => relative(root, f)), []);
  });
  it("has no source file over 400 lines", () => {
    const long = all.filter((file) => readFileSync(file, "utf8").split("\n").length > 400).map((f) => relative(root, f));
    assert.deepEqual(long, []);
  });
});
