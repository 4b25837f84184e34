// pubsub-2-nodes.js: the "server" of the pubsub-2-nodes case: a private redis-server on a free
// port, then two nodes (argv[2]: the node script) on it. Prints `PORT <node A>`; node A answers
// GET /other with node B's port. SIGTERM stops the three children by PID.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), process.argv[2]);
const children = [];
const stopAll = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
};
process.on("SIGTERM", () => (stopAll(), process.exit(0)));
process.on("exit", stopAll);

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** run starts a child and resolves once `ready` matches its stdout (the match is returned). */
function run(argv, env, ready) {
  const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  child.on("exit", (code, signal) => {
    console.error(`${path.basename(argv[1] ?? argv[0])} exited (${code ?? signal})`);
    stopAll();
    process.exit(1);
  });
  return new Promise((resolve) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s) => {
      out += s;
      const m = ready.exec(out);
      if (m) resolve(m);
    });
  });
}

const redisPort = await freePort();
await run(["redis-server", "--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {}, /Ready to accept connections/);
const REDIS_URL = `redis://127.0.0.1:${redisPort}`;
const [, b] = await run([process.execPath, script], { PORT: "0", REDIS_URL }, /PORT (\d+)/);
const [, a] = await run([process.execPath, script], { PORT: process.env.PORT ?? "0", REDIS_URL, OTHER_PORT: b }, /PORT (\d+)/);
console.log(`PORT ${a}`);
