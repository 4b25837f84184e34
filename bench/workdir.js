// workdir.js: the run's temp dir. It holds the static files the static cases serve (files/)
// and one scratch dir per server start (a generated nginx.conf, pid and logs, a server's stderr).
// Everything is removed when the run ends, also on Ctrl-C.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

let root = null;
let starts = 0;

/** workDir returns the run's temp dir, creating it on first use. */
export function workDir() {
  root ??= mkdtempSync(path.join(os.tmpdir(), "sockserve-bench-"));
  return root;
}

/**
 * staticFiles writes files/<name> for each { name: size } (random bytes, the given size) once
 * per run and returns { dir, bytes: { name: Buffer } }. Later calls add only the missing files.
 */
const written = new Map();
export function staticFiles(sizes) {
  const dir = path.join(workDir(), "files");
  mkdirSync(dir, { recursive: true });
  for (const [name, size] of Object.entries(sizes)) {
    if (written.has(name)) continue;
    const bytes = randomBytes(size);
    writeFileSync(path.join(dir, name), bytes);
    written.set(name, bytes);
  }
  return { dir, bytes: Object.fromEntries(written) };
}

/** scratchDir creates an empty dir for one server start, named after the peer. */
export function scratchDir(name) {
  const dir = path.join(workDir(), "starts", `${++starts}-${name.replace(/[^\w.-]+/g, "_")}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** removeScratch removes one start's scratch dir. */
export function removeScratch(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** removeWorkDir removes the whole temp dir (static files included). */
export function removeWorkDir() {
  if (root) rmSync(root, { recursive: true, force: true });
  root = null;
  written.clear();
}
