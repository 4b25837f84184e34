// Shared pieces of the CGI tests: a temp directory of scripts written by the test (chmod 755 unless
// told otherwise), a cgi() server on 127.0.0.1 port 0 that records the gateway's log lines, and
// process checks (is a PID still running?) for the kill tests.
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cgi, serve, type CgiOptions, type Server } from "../../src/index.js";

/** ScriptEntry is one file of a CGI tree: text (mode 755), text with a mode, a symlink, or a directory. */
export type ScriptEntry = string | { text: string | Buffer; mode: number } | { symlink: string } | { dir: true };

/** CgiTree is a temp directory: `dir` is the CGI directory (base/cgi-bin), anything else sits beside it. */
export interface CgiTree {
  base: string;
  dir: string;
  /** file gives the absolute path of `rel` under base. */
  file(rel: string): string;
  remove(): Promise<void>;
}

/**
 * makeCgiTree writes `files` (paths relative to base, "/"-separated; "cgi-bin/..." is the CGI
 * directory). `files` may be a function of the tree's `file` mapper, for scripts that name absolute paths.
 */
export async function makeCgiTree(files: Record<string, ScriptEntry> | ((file: (rel: string) => string) => Record<string, ScriptEntry>)): Promise<CgiTree> {
  const base = await mkdtemp(path.join(tmpdir(), "sockserve-cgi-"));
  const dir = path.join(base, "cgi-bin");
  await mkdir(dir, { recursive: true });
  const file = (rel: string) => path.join(base, ...rel.split("/"));
  const entries = typeof files === "function" ? files(file) : files;
  for (const [rel, entry] of Object.entries(entries)) {
    const full = file(rel);
    await mkdir(path.dirname(full), { recursive: true });
    if (typeof entry === "string") {
      await writeFile(full, entry);
      await chmod(full, 0o755);
    } else if ("symlink" in entry) {
      await symlink(entry.symlink, full);
    } else if ("dir" in entry) {
      await mkdir(full, { recursive: true });
    } else {
      await writeFile(full, entry.text);
      await chmod(full, entry.mode);
    }
  }
  return { base, dir, file, remove: () => rm(base, { recursive: true, force: true }) };
}

/** CgiServer is a running serve() whose handler is cgi(options), with the gateway's log lines. */
export interface CgiServer {
  server: Server;
  port: number;
  /** origin is "http://127.0.0.1:PORT". */
  origin: string;
  /** logs are the lines the cgi() logger received (stderr lines, kills, failures). */
  logs: string[];
  /** faults are what the server's own logger received (handler errors): none are expected. */
  faults: unknown[];
  stop(): Promise<void>;
}

/** startCgi serves cgi(options) on 127.0.0.1, port 0; the logger option is replaced by a recorder. */
export async function startCgi(options: CgiOptions): Promise<CgiServer> {
  const logs: string[] = [];
  const faults: unknown[] = [];
  const handler = cgi({ ...options, logger: (line) => logs.push(line) });
  const server = await serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req, srv) => handler(req, srv),
    logger: (err) => faults.push(err),
  });
  return { server, port: server.port, origin: `http://127.0.0.1:${server.port}`, logs, faults, stop: () => server.stop(true) };
}

/**
 * pidAlive tells whether `pid` is a live process. A zombie counts as gone: a killed grandchild is
 * reparented to PID 1, which need not reap it, and kill(pid, 0) still succeeds on a zombie.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The state field follows the ")" that closes the command name.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** waitUntil polls `predicate` every 25 ms and resolves whether it held within `timeoutMs`. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
}

/** readPid waits for `file` to hold a PID (a line of digits) and returns it. */
export async function readPid(file: string, timeoutMs = 5000): Promise<number> {
  let pid = 0;
  const ok = await waitUntil(async () => {
    const text = await readFile(file, "utf8").catch(() => "");
    const m = /^(\d+)\s*$/m.exec(text);
    if (m !== null) pid = Number(m[1]);
    return m !== null;
  }, timeoutMs);
  if (!ok) throw new Error(`no PID appeared in ${file} within ${timeoutMs} ms`);
  return pid;
}

/** killIfAlive cleans up after a failed kill test, so no stray process outlives the test. */
export function killIfAlive(pid: number | undefined): void {
  if (pid === undefined || !pidAlive(pid)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** parseEnvDump reads `env` output (NAME=value lines) into a map; values holding newlines are not expected. */
export function parseEnvDump(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return env;
}
