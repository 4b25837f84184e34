// --watch: run the same command line again under Node's own watch mode (`node --watch`), which
// restarts it whenever the app or any module it imported changes.
import { spawn } from "node:child_process";

/** WATCHED is the environment variable that tells the server it runs under the watcher. */
export const WATCHED = "SOCKSERVE_WATCHED";

/**
 * runWatched re-runs this CLI (`script`) with `argv` minus `--watch` under
 * `node --watch --watch-preserve-output`, forwards SIGTERM and SIGHUP to it, and resolves with
 * its exit code. SIGINT from a terminal reaches the whole process group by itself.
 */
export function runWatched(script: string, argv: string[]): Promise<number> {
  const args = ["--watch", "--watch-preserve-output", script, ...argv.filter((a) => a !== "--watch")];
  const child = spawn(process.execPath, args, { stdio: "inherit", env: { ...process.env, [WATCHED]: "1" } });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on("SIGTERM", forward("SIGTERM"));
  process.on("SIGHUP", forward("SIGHUP"));
  process.on("SIGINT", () => {}); // the watcher and the server get it from the terminal
  return new Promise((resolve) => child.once("close", (code, signal) => resolve(code ?? (signal === "SIGINT" ? 130 : 143))));
}
