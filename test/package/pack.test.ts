// The npm package as a user gets it: `npm pack` ships the built dist/ (every module's .js and
// .d.ts), the READMEs, LICENSE, CHANGELOG and package.json, and nothing from src/, test/, apps/,
// bench/, examples/, scripts/ or fixtures. The tarball is then installed offline into an empty
// project (mime-types and mime-db come from npm's cache), where `npx sockserve --help` lists the
// README's flags, `npx sockserve DIR --port 0` serves a file byte for byte, and a TypeScript file
// importing serve, serveStatic and cgi from "sockserve" type-checks against the shipped types
// and runs; redis and pg (optional peers) are not installed, and the sockserve/pubsub/redis and
// sockserve/pubsub/postgres subpaths name the missing peer, then import once it is there.
// Needs a built dist/ (`npm test` runs `npm run build` first).
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const TYPE_ROOTS = path.join(ROOT, "node_modules/@types");

const REQUIRED_FILES = ["README.md", "README.zh-CN.md", "LICENSE", "CHANGELOG.md", "package.json", "schema/sockserve.schema.json"];
const FORBIDDEN = /^(src|test|apps|bench|examples|scripts|node_modules)\/|fixture/i;

/** npm's own variables from an enclosing `npm test` (lifecycle, package) would leak into the inner npm; config ones are kept. */
const ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(?!config_)/i.test(k)));

/** npx must run the installed bin: never fetch, never offer to install. */
const NPX_ENV: NodeJS.ProcessEnv = { ...ENV, npm_config_offline: "true", npm_config_yes: "false" };

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** run runs a command to completion, killing its process group after `timeoutMs`. */
function run(command: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = ENV): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** killGroup signals a detached child's whole process group (npx runs the CLI through a shell). */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function describeRun(r: Run): string {
  return `exit ${r.code ?? r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** srcModules lists src/**.ts relative to src/, without the extension. */
function srcModules(dir = path.join(ROOT, "src"), prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return srcModules(full, `${prefix}${name}/`);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [`${prefix}${name.slice(0, -3)}`] : [];
  });
}

/** readmeFlags lists the long flags in the first column of the flag table in README.md's `npx sockserve` section. */
function readmeFlags(): string[] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^(?=## )/m).find((part) => /^## .*npx sockserve/.test(part)) ?? "";
  const flags = new Set<string>();
  for (const line of section.split("\n")) {
    const first = /^\|\s*([^|]*?)\s*\|/.exec(line)?.[1] ?? "";
    for (const m of first.matchAll(/`(--[a-z][a-z-]*)/g)) flags.add(m[1]);
  }
  return [...flags];
}

describe("npm package", { timeout: 300_000 }, () => {
  let tmp = "";
  let tarball = "";
  let packed: string[] = [];
  let project = "";
  let installed = false;

  before(async () => {
    assert.ok(existsSync(path.join(ROOT, "dist/index.js")), "dist/ is not built: run `npm run build` first (npm test does)");
    tmp = await mkdtemp(path.join(tmpdir(), "sockserve-pack-"));
  });

  after(async () => {
    if (tmp !== "") await rm(tmp, { recursive: true, force: true });
  });

  it("npm pack ships dist (.js and .d.ts), the READMEs, LICENSE, CHANGELOG, package.json and the config JSON Schema, and no sources", async (t: TestContext) => {
    const outDir = path.join(tmp, "pack");
    await mkdir(outDir);
    const r = await run("npm", ["pack", "--json", "--pack-destination", outDir], ROOT, 60_000);
    assert.equal(r.code, 0, `npm pack failed: ${describeRun(r)}`);
    const [info] = JSON.parse(r.stdout) as [{ filename: string; files: { path: string }[] }];
    tarball = path.join(outDir, info.filename);
    assert.ok(existsSync(tarball), `no tarball at ${tarball}`);
    packed = info.files.map((f) => f.path).sort();
    t.diagnostic(`${info.filename}: ${packed.length} files`);

    for (const file of REQUIRED_FILES) assert.ok(packed.includes(file), `the tarball lacks ${file}`);
    const missing = srcModules().flatMap((m) => [`dist/${m}.js`, `dist/${m}.d.ts`]).filter((f) => !packed.includes(f));
    assert.deepEqual(missing, [], "every src module must ship as dist .js and .d.ts");
    assert.ok(packed.includes("dist/cli/sockserve.js"), "the tarball lacks the CLI");
    const forbidden = packed.filter((f) => FORBIDDEN.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")));
    assert.deepEqual(forbidden, [], "sources, tests, apps, benchmarks, examples, scripts or fixtures in the tarball");
    const stray = packed.filter((f) => !f.startsWith("dist/") && !REQUIRED_FILES.includes(f));
    assert.deepEqual(stray, [], "files besides dist/ and the listed top-level files");

    const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string>; exports: Record<string, string | Record<string, string>> };
    assert.deepEqual(Object.keys(manifest.exports), [".", "./schema/sockserve.schema.json", "./pubsub/redis", "./pubsub/postgres"]);
    for (const target of [...Object.values(manifest.bin), ...Object.values(manifest.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e)))]) {
      assert.ok(packed.includes(path.posix.normalize(target)), `package.json points at ${target}, which is not in the tarball`);
    }
  });

  it("installs offline into an empty project", async (t: TestContext) => {
    assert.ok(tarball !== "", "no tarball (npm pack failed above)");
    project = path.join(tmp, "project");
    await mkdir(project);
    const init = await run("npm", ["init", "-y"], project, 30_000);
    assert.equal(init.code, 0, `npm init failed: ${describeRun(init)}`);
    const flags = ["--no-audit", "--no-fund", "--no-update-notifier"];
    let r = await run("npm", ["install", "--offline", ...flags, tarball], project, 120_000);
    if (r.code !== 0) {
      t.diagnostic(`NOTE: npm install --offline failed (npm's cache lacks a dependency?); retrying with --prefer-offline, which may use the network.\n${describeRun(r)}`);
      r = await run("npm", ["install", "--prefer-offline", ...flags, tarball], project, 120_000);
      assert.equal(r.code, 0, `npm install --prefer-offline failed too: ${describeRun(r)}`);
      t.diagnostic("installed with --prefer-offline");
    } else {
      t.diagnostic("installed with --offline");
    }
    for (const dep of ["sockserve", "mime-types", "mime-db"]) {
      assert.ok(existsSync(path.join(project, "node_modules", dep, "package.json")), `node_modules/${dep} is missing`);
    }
    assert.ok(existsSync(path.join(project, "node_modules/.bin/sockserve")), "no node_modules/.bin/sockserve");
    installed = true;
  });

  it("keeps redis and pg out (optional peers); the pubsub subpaths name the missing one, and import once it is there", async () => {
    assert.ok(installed, "not installed (see above)");
    for (const peer of ["redis", "pg"]) assert.ok(!existsSync(path.join(project, "node_modules", peer)), `npm installed the optional peer ${peer}`);
    const probe = (code: string): Promise<Run> => run(process.execPath, ["--input-type=module", "-e", code], project, 30_000);
    const core = await probe(`const m = await import("sockserve"); console.log(typeof m.serve);`);
    assert.equal(core.stdout.trim(), "function", describeRun(core));
    for (const [subpath, peer] of [["redis", "redis"], ["postgres", "pg"]]) {
      const missing = await probe(`await import("sockserve/pubsub/${subpath}");`);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, new RegExp(`Cannot find package '${peer}'`), describeRun(missing));
      // The app installs the peer next to sockserve: a link to this repository's copy stands in for it.
      await symlink(path.join(ROOT, "node_modules", peer), path.join(project, "node_modules", peer), "dir");
    }
    const both = await probe(`
      const { redisPubSub } = await import("sockserve/pubsub/redis");
      const { postgresPubSub } = await import("sockserve/pubsub/postgres");
      const r = redisPubSub({ url: "redis://127.0.0.1:1" });
      const p = postgresPubSub({ connectionString: "postgres://127.0.0.1:1/x" });
      console.log(r.status, p.status, typeof p.listeningChannels);`);
    assert.equal(both.stdout.trim(), "closed closed function", describeRun(both));
    for (const file of ["dist/pubsub/redis-pubsub.d.ts", "dist/pubsub/postgres-pubsub.d.ts"]) assert.ok(existsSync(path.join(project, "node_modules/sockserve", file)), `${file} is not installed`);
  });

  it("npx sockserve --help exits 0 and lists the flags", async () => {
    assert.ok(installed, "not installed (see above)");
    const r = await run("npx", ["sockserve", "--help"], project, 30_000, NPX_ENV);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /^Usage: sockserve/m);
    const flags = readmeFlags();
    assert.ok(flags.length >= 10, `found only ${flags.length} flags in README.md's table`);
    const unlisted = flags.filter((flag) => !r.stdout.includes(flag));
    assert.deepEqual(unlisted, [], "flags in README.md's table that --help does not list");
  });

  it("npx sockserve DIR --port 0 serves a file byte for byte", async () => {
    assert.ok(installed, "not installed (see above)");
    const site = path.join(tmp, "site");
    await mkdir(site);
    const payload = randomBytes(200 * 1024);
    await writeFile(path.join(site, "data.bin"), payload);
    const child = spawn("npx", ["sockserve", site, "--port", "0"], {
      cwd: project,
      env: NPX_ENV,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "Serving ... at URL" line within 30 s\n--- stdout\n${stdout}\n--- stderr\n${stderr}`)), 30_000);
        const check = (): void => {
          const m = /^Serving (.+) at (http:\/\/\S+\/)\s*$/m.exec(stdout);
          if (m === null) return;
          clearTimeout(timer);
          resolve(m[2]);
        };
        child.stdout.on("data", check);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`sockserve exited (${code}) before listening\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        });
      });
      assert.doesNotMatch(url, /:0\/$/, "the printed URL has port 0, not the real one");
      const res = await fetch(new URL("data.bin", url), { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(payload), "the served bytes differ from the file");
    } finally {
      killGroup(child.pid, "SIGTERM");
      const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  });

  it("a TypeScript app importing serve, serveStatic and cgi type-checks against the shipped types and runs", async () => {
    assert.ok(installed, "not installed (see above)");
    await mkdir(path.join(project, "public"));
    await writeFile(path.join(project, "public/hello.txt"), "hello from serveStatic\n");
    await mkdir(path.join(project, "cgi-bin"));
    await writeFile(path.join(project, "cgi-bin/hi"), "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nhello from cgi\\n'\n");
    await chmod(path.join(project, "cgi-bin/hi"), 0o755);
    await writeFile(path.join(project, "app.mts"), APP);
    await writeFile(path.join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true,
        lib: ["ES2023"], types: ["node"], typeRoots: [TYPE_ROOTS], outDir: "out",
      },
      files: ["app.mts"],
    }, null, 2));

    const tsc = await run(process.execPath, [TSC, "-p", "."], project, 120_000);
    assert.equal(tsc.code, 0, `tsc failed against the shipped types: ${describeRun(tsc)}`);
    const resolved = await readFile(path.join(project, "node_modules/sockserve/dist/index.d.ts"), "utf8");
    assert.match(resolved, /serveStatic/, "the shipped index.d.ts does not declare serveStatic");

    const app = await run(process.execPath, ["out/app.mjs"], project, 30_000);
    assert.equal(app.code, 0, describeRun(app));
    assert.equal(app.stdout.trim(), "OK", describeRun(app));
  });
});

/** APP uses the package as an app would: strict types, a server on port 0, three handlers, fetched and stopped. */
const APP = `import { cgi, serve, serveStatic, type Server } from "sockserve";

const files = serveStatic({ root: "./public" });
const scripts = cgi({ dir: "./cgi-bin", mount: "/cgi-bin" });

const server: Server = await serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request, server) {
    const { pathname } = new URL(request.url);
    if (pathname === "/hello") return new Response("hello from serve");
    if (pathname.startsWith("/cgi-bin/")) return scripts(request, server);
    return files(request);
  },
});

try {
  const expect = async (path: string, body: string): Promise<void> => {
    const res = await fetch(new URL(path, server.url));
    const text = await res.text();
    if (res.status !== 200 || text !== body) throw new Error(\`\${path}: \${res.status} \${JSON.stringify(text)}\`);
  };
  await expect("/hello", "hello from serve");
  await expect("/hello.txt", "hello from serveStatic\\n");
  await expect("/cgi-bin/hi", "hello from cgi\\n");
  console.log("OK");
} finally {
  await server.stop(true);
}
`;
