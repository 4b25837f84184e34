// A private PostgreSQL cluster for the Todo tests: Debian's server binaries (installed with apt-get
// when missing), a data directory in a temp dir, a free loopback port, trust auth. As root the
// cluster runs as the `postgres` user (initdb refuses root). Stopped with pg_ctl stop -m immediate.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

interface RunResult {
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr.slice(-3000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** findPgBin returns the newest /usr/lib/postgresql/N/bin holding initdb and pg_ctl, or null. */
export function findPgBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(root, v, "bin");
    if (existsSync(path.join(bin, "initdb")) && existsSync(path.join(bin, "pg_ctl"))) return bin;
  }
  return null;
}

/**
 * ensurePgBin finds the server binaries, or installs Debian's postgresql package (apt-get update,
 * then install with a dpkg lock timeout). It returns the bin folder, or the reason it cannot.
 */
export async function ensurePgBin(timeoutMs = 15 * 60_000): Promise<{ bin: string } | { unavailable: string }> {
  const found = findPgBin();
  if (found !== null) return { bin: found };
  if (process.getuid?.() !== 0) return { unavailable: "PostgreSQL is not installed and installing it needs root" };
  const started = Date.now();
  try {
    await run("apt-get", ["update"], timeoutMs);
    await run("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "postgresql"], Math.max(60_000, timeoutMs - (Date.now() - started)));
  } catch (err) {
    return { unavailable: `could not install PostgreSQL with apt-get: ${(err as Error).message}` };
  }
  const bin = findPgBin();
  return bin === null ? { unavailable: "apt-get installed postgresql but no initdb/pg_ctl under /usr/lib/postgresql/*/bin" } : { bin };
}

/** freePort asks the kernel for a free loopback port (released before the cluster binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** PgCluster is a running private cluster. */
export interface PgCluster {
  dir: string;
  port: number;
  /** pid is the postmaster's PID. */
  pid: number;
  /** url is a connection string for database `db` (default "postgres"). */
  url(db?: string): string;
  /** createDatabase creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** log is the server log so far. */
  log(): Promise<string>;
  /** restart stops the server at once (-m immediate) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** stop stops the cluster (pg_ctl stop -m immediate; SIGKILL to the postmaster if that fails) and removes its files. */
  stop(): Promise<void>;
}

/** startCluster runs initdb and pg_ctl start in a fresh temp dir, as `postgres` when we are root. */
export async function startCluster(bin: string): Promise<PgCluster> {
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(path.join(tmpdir(), "sockserve-pg-"));
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const as = (tool: string, args: string[], ms: number): Promise<RunResult> =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args], ms) : run(path.join(bin, tool), args, ms);
  let pid = 0;
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      try {
        await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], 40_000);
      } catch {
        if (pid > 0) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
      }
      started = false;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (asRoot) {
      const uid = Number((await run("id", ["-u", "postgres"], 10_000)).stdout.trim());
      const gid = Number((await run("id", ["-g", "postgres"], 10_000)).stdout.trim());
      await chown(dir, uid, gid);
    }
    await as("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"], 120_000);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3 && !started; attempt++) {
      const port = await freePort();
      const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=100`;
      try {
        await as("pg_ctl", ["-D", data, "-l", logFile, "-w", "-t", "60", "-o", options, "start"], 90_000);
        started = true;
        pid = Number((await readFile(path.join(data, "postmaster.pid"), "utf8")).split("\n")[0]);
        const url = (db = "postgres") => `postgres://postgres@127.0.0.1:${port}/${db}`;
        return {
          dir,
          port,
          pid,
          url,
          async createDatabase(name) {
            const client = new pg.Client({ connectionString: url() });
            await client.connect();
            try {
              await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
            } finally {
              await client.end();
            }
            return url(name);
          },
          log: () => readFile(logFile, "utf8").catch(() => ""),
          async restart() {
            await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], 40_000);
            await as("pg_ctl", ["-D", data, "-l", logFile, "-w", "-t", "60", "-o", options, "start"], 90_000);
          },
          stop,
        };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  } catch (err) {
    const log = await readFile(logFile, "utf8").catch(() => "");
    await stop();
    throw new Error(`${(err as Error).message}\nserver log:\n${log.slice(-3000)}`);
  }
}
