// Runs the built Todo app (build/todo/main.js, as `npm start` does) in a child process: waits for
// its "listening" line, and stops it by PID, gracefully (SIGTERM) or not (SIGKILL).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** REPO is the repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** TODO_MAIN is the compiled app's entry point (npm run build && npm run build:app). */
export const TODO_MAIN = path.join(REPO, "build/todo/main.js");
/** LISTENING matches the line main.js prints once it listens. */
export const LISTENING = /^Todo app listening on (https?:\/\/127\.0\.0\.1:(\d+)\/)$/m;

/** Exit is how a child ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** TodoChild is a running build/todo/main.js. */
export interface TodoChild {
  child: ChildProcess;
  pid: number;
  /** base is the URL it printed, e.g. http://127.0.0.1:41234/ */
  base: string;
  port: number;
  /** output is everything it printed so far (stdout and stderr). */
  output(): string;
  /** exit settles when the process has exited. */
  exit: Promise<Exit>;
  exited: Exit | null;
  /** stop sends `signal` to the PID and waits (bounded) for the exit; SIGKILL follows a timeout. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

/** startTodo runs main.js with PORT=0, `env` (TODO_DB or DATABASE_URL) and `args`, and waits until it listens. */
export function startTodo(env: Record<string, string>, timeoutMs = 20_000, args: string[] = []): Promise<TodoChild> {
  if (!existsSync(TODO_MAIN)) throw new Error(`${TODO_MAIN} is missing: run npm run build && npm run build:app`);
  // DATABASE_URL and HOST are dropped unless given, so stray ones in the environment cannot redirect
  // a SQLite test to PostgreSQL or bind beyond 127.0.0.1.
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: "0" };
  delete childEnv.DATABASE_URL;
  delete childEnv.HOST;
  const child = spawn(process.execPath, [TODO_MAIN, ...args], { cwd: REPO, env: { ...childEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (out += s));
  const exit = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const todo: TodoChild = {
    child,
    pid: child.pid!,
    base: "",
    port: 0,
    output: () => out,
    exit,
    exited: null,
    async stop(signal = "SIGTERM", ms = 10_000) {
      if (todo.exited) return todo.exited;
      process.kill(todo.pid, signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
      const first = await Promise.race([exit, late]);
      clearTimeout(timer);
      if (first !== "late") return first;
      process.kill(todo.pid, "SIGKILL");
      await exit;
      throw new Error(`the todo app (pid ${todo.pid}) did not exit within ${ms} ms of ${signal}; killed it. Output:\n${out}`);
    },
  };
  void exit.then((e) => (todo.exited = e));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(todo.pid, "SIGKILL");
      reject(new Error(`the todo app did not print its URL within ${timeoutMs} ms. Output:\n${out}`));
    }, timeoutMs);
    const check = (): void => {
      const m = LISTENING.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout.off("data", check);
      todo.base = m[1]!;
      todo.port = Number(m[2]);
      resolve(todo);
    };
    child.stdout.on("data", check);
    void exit.then((e) => {
      clearTimeout(timer);
      reject(new Error(`the todo app exited before listening (code ${e.code}, signal ${e.signal}). Output:\n${out}`));
    });
  });
}

/** TempDir is a scratch directory removed by `remove`. */
export interface TempDir {
  dir: string;
  remove(): Promise<void>;
}

export async function tempDir(prefix = "sockserve-todo-"): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** api sends a JSON request (or none) and returns status, headers and the parsed body. */
export async function api(
  base: string,
  method: string,
  target: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(new URL(target, base), {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  // A non-JSON answer (a 500's plain text) is returned as the string, so assertions can show it.
  const isJson = /^application\/json/.test(res.headers.get("content-type") ?? "");
  return { status: res.status, headers: res.headers, body: text === "" ? null : isJson ? JSON.parse(text) : text };
}
