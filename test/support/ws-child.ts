// Starts test/support/ws-child-server.ts in a child process and talks to it: its port, its
// /stats, how it exited (a crash is reported, not hidden), and stopping it by PID.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildStats } from "./ws-child-server.js";

export type { ChildStats, Flood } from "./ws-child-server.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** ChildServer is a running ws-child-server. */
export interface ChildServer {
  child: ChildProcess;
  port: number;
  /** exited is set once the process ended: its exit code or the signal that killed it. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** stderr collects what the child printed there (a crash's stack). */
  stderr: string;
  stats(): Promise<ChildStats>;
  /** stop kills the child by its PID and waits for it to exit. */
  stop(): Promise<void>;
}

/** startChildServer runs the server with `options` (JSON-encoded into argv). */
export function startChildServer(options: Record<string, unknown>): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/ws-child-server.ts", JSON.stringify(options)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const server: ChildServer = {
      child,
      port: 0,
      exited: null,
      stderr: "",
      async stats() {
        if (server.exited) throw new Error(`the server process died (${describeExit(server)})`);
        const res = await fetch(`http://127.0.0.1:${server.port}/stats`);
        return (await res.json()) as ChildStats;
      },
      stop() {
        if (server.exited) return Promise.resolve();
        return new Promise((done) => {
          child.once("exit", () => done());
          process.kill(child.pid!, "SIGKILL");
        });
      },
    };
    const timer = setTimeout(() => {
      process.kill(child.pid!, "SIGKILL");
      reject(new Error(`ws-child-server did not start: ${out} ${server.stderr}`));
    }, 20_000);
    child.stderr.on("data", (chunk: Buffer) => (server.stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match && server.port === 0) {
        clearTimeout(timer);
        server.port = Number(match[1]);
        resolve(server);
      }
    });
    child.once("exit", (code, signal) => {
      server.exited = { code, signal };
      clearTimeout(timer);
      if (server.port === 0) reject(new Error(`ws-child-server exited with ${code ?? signal}: ${out} ${server.stderr}`));
    });
  });
}

/** describeExit says how the child ended, with the end of its stderr. */
export function describeExit(server: ChildServer): string {
  if (!server.exited) return "still running";
  const how = server.exited.signal ? `killed by ${server.exited.signal}` : `exit code ${server.exited.code}`;
  return `${how}; stderr: ${server.stderr.slice(-800)}`;
}
