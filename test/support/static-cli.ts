// Runs the sockserve CLI (src/cli/sockserve.ts through tsx, or the built
// dist/cli/sockserve.js) as a child process for black-box tests: waits for its
// "Serving DIR at URL" line, collects stdout and stderr, stops it by PID.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { OpsProcess } from "./ops-cli.js";

/** REPO is the repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** CLI_SOURCE is the CLI's TypeScript entry point. */
export const CLI_SOURCE = path.join(REPO, "src/cli/sockserve.ts");
/** CLI_DIST is the built CLI. */
export const CLI_DIST = path.join(REPO, "dist/cli/sockserve.js");
// Resolved here so the child finds tsx whatever its working directory is.
const TSX = import.meta.resolve("tsx");

/** LISTENING matches the CLI's listening line: "Serving /abs/dir at http://host:port/". */
export const LISTENING = /^Serving (.+) at (http:\/\/(\S+):(\d+)\/)\s*$/m;

export interface CliOptions {
  cwd?: string;
  /** dist runs dist/cli/sockserve.js with plain node instead of the source through tsx. */
  dist?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** CliProcess is a running CLI child with everything it printed so far (an OpsProcess running the CLI). */
export class CliProcess extends OpsProcess {
  constructor(args: string[], options: CliOptions = {}) {
    super(options.dist ? [CLI_DIST, ...args] : ["--import", TSX, CLI_SOURCE, ...args], { cwd: options.cwd, env: options.env });
  }

  /** stdoutLines gives the complete lines printed on stdout. */
  stdoutLines(): string[] {
    const lines = this.stdout.split("\n");
    lines.pop(); // the unfinished rest
    return lines.map((l) => l.replace(/\r$/, ""));
  }
}

/** RunningCli is a CLI that printed its listening line. */
export interface RunningCli {
  cli: CliProcess;
  dir: string;
  url: string;
  host: string;
  port: number;
}

/** startCli spawns the CLI and waits (up to `timeoutMs`) for its listening line. */
export async function startCli(args: string[], options: CliOptions & { timeoutMs?: number } = {}): Promise<RunningCli> {
  const cli = new CliProcess(args, options);
  const ok = await cli.until(() => LISTENING.test(cli.stdout) || !cli.running, options.timeoutMs ?? 30_000);
  const match = LISTENING.exec(cli.stdout);
  if (!ok || !match) {
    await cli.stop(1000);
    throw new Error(`the CLI did not print its listening line (exit ${cli.exitCode} ${cli.exitSignal})\nstdout: ${cli.stdout}\nstderr: ${cli.stderr}`);
  }
  return { cli, dir: match[1], url: match[2], host: match[3], port: Number(match[4]) };
}

/** runCli runs the CLI to its exit (killing it after `timeoutMs`) and returns what it printed. */
export async function runCli(args: string[], options: CliOptions & { timeoutMs?: number } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const cli = new CliProcess(args, options);
  const exited = await cli.until(() => !cli.running, options.timeoutMs ?? 30_000);
  if (!exited) await cli.stop(1000);
  return { code: cli.exitCode, signal: cli.exitSignal, stdout: cli.stdout, stderr: cli.stderr };
}

/** nonEmptyLines splits output into its non-blank lines. */
export function nonEmptyLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== "");
}
