// A private Redis for the pub/sub tests: Debian's redis-server on a free loopback port, no
// persistence, killed by PID; restart() brings it back on the same port (an outage in a test).
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./todo-pg.js";

/** RedisServer is a running redis-server the test started. */
export interface RedisServer {
  port: number;
  url: string;
  readonly pid: number;
  /** kill stops it with SIGKILL and waits for its exit. */
  kill(): Promise<void>;
  /** restart starts it again on the same port. */
  restart(): Promise<void>;
}

function launch(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start: ${out}`));
    }, 10_000);
    child.once("error", reject);
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", () => reject(new Error(`redis-server exited: ${out}`)));
  });
}

/** startRedis starts redis-server on a free loopback port. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((done) => {
        child.once("exit", () => done());
        process.kill(child.pid!, "SIGKILL");
      });
    },
    async restart() {
      child = await launch(port);
    },
  };
}
