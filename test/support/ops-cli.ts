// Child processes for the operations tests: the built sockserve CLI (dist/cli/sockserve.js),
// HTTP or HTTPS, and the test's own server scripts, optionally under a raised `ulimit -n`. Each
// keeps its stdout and stderr, waits for lines, and is signalled and stopped by its PID only.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** REPO is the repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** CLI_DIST is the built CLI. */
export const CLI_DIST = path.join(REPO, "dist/cli/sockserve.js");
const TSX = import.meta.resolve("tsx");

/** SERVING matches the CLI's listening line, for http and https. */
export const SERVING = /^Serving (.+) at ((https?):\/\/(\S+):(\d+)\/)\s*$/m;

export interface SpawnOptions {
  /** file runs this program instead of node (the arguments are then its own). */
  file?: string;
  /** ulimit raises the soft open-files limit first: the child runs as `bash -c 'ulimit -n N; exec node ...'`. */
  ulimit?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** OpsProcess is a running child with everything it printed so far. */
export class OpsProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters = new Set<() => void>();

  /** args are node's arguments (flags, script, its arguments), or those of `options.file`. */
  constructor(args: string[], options: SpawnOptions = {}) {
    const program = options.file ?? process.execPath;
    const quoted = [program, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const [file, argv] =
      options.ulimit === undefined ? [program, args] : ["bash", ["-c", `ulimit -n ${options.ulimit} || { echo "cannot raise ulimit -n to ${options.ulimit} (hard limit $(ulimit -Hn))" >&2; exit 97; }; exec ${quoted}`]];
    this.child = spawn(file, argv, {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      this.#notify();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      this.#notify();
    });
    this.child.stdin!.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        this.#notify();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }

  until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve(predicate());
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** waitForLine waits for a stdout line matching `pattern` and returns its match. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const ok = await this.until(() => pattern.test(this.stdout) || !this.running, timeoutMs);
    const match = pattern.exec(this.stdout);
    if (!ok || match === null) throw new Error(`no line matching ${pattern} (exit ${this.exitCode} ${this.exitSignal})\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
    return match;
  }

  /** send writes one line to the child's stdin. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) process.kill(this.pid, signal);
  }

  /** stop sends SIGTERM, then SIGKILL after `graceMs`, and waits for the exit. */
  async stop(graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return { code: this.exitCode, signal: this.exitSignal };
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** kill sends SIGKILL to this child and to `others` (PIDs it started), and waits for the exit. */
  async kill(others: number[] = []): Promise<void> {
    for (const pid of others) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    this.signal("SIGKILL");
    await this.exited;
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** tsxArgs runs a TypeScript file of the repository through tsx. */
export function tsxArgs(file: string, ...args: string[]): string[] {
  return ["--import", TSX, path.join(REPO, file), ...args];
}

export interface OpsCli {
  cli: OpsProcess;
  url: string;
  port: number;
}

/** assertBuilt fails with a clear message when dist/ is missing (npm test builds it first). */
export function assertBuilt(): void {
  if (!existsSync(CLI_DIST)) throw new Error(`${CLI_DIST} is missing: run npm run build first`);
}

/** startOpsCli runs the built CLI with `args` and waits for its listening line. */
export async function startOpsCli(args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<OpsCli> {
  assertBuilt();
  const cli = new OpsProcess([CLI_DIST, ...args], options);
  try {
    const match = await cli.waitForLine(SERVING, options.timeoutMs ?? 30_000);
    return { cli, url: match[2], port: Number(match[5]) };
  } catch (err) {
    await cli.stop(1000);
    throw err;
  }
}

/** childPids lists the PIDs whose parent is `pid` (from /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  let text = "";
  try {
    text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
  } catch {
    return out;
  }
  for (const p of text.trim().split(/\s+/)) if (p !== "") out.push(Number(p));
  return out;
}

/** parentPid reads the parent PID of `pid` from /proc, or -1 when it is gone. */
export function parentPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

/** isAlive tells whether a process exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** freePort asks the kernel for a free port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** waitFor polls `predicate` every `everyMs` until it holds (true) or `timeoutMs` passes (false). */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
