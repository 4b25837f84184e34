// nginx for test/ops/nginx.test.ts: installed from Debian when missing, configured with the
// nginx block of docs/deploying.md (only the upstream ports and the listen address are changed),
// run in the foreground (daemon off, master_process off) with every path in a temporary directory.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { OpsProcess, REPO } from "./ops-cli.js";

const CANDIDATES = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"];

/** findNginx returns the nginx binary, or null. */
export function findNginx(): string | null {
  for (const file of CANDIDATES) if (existsSync(file)) return file;
  const which = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() !== "" ? which.stdout.trim() : null;
}

/** ensureNginx installs Debian's nginx-light when nginx is missing, and returns its path. */
export function ensureNginx(): string {
  const found = findNginx();
  if (found !== null) return found;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: "ignore", env, timeout: 300_000 });
  execFileSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "nginx-light"], { stdio: "ignore", env, timeout: 600_000 });
  const installed = findNginx();
  if (installed === null) throw new Error("nginx-light was installed but no nginx binary was found");
  return installed;
}

/** docNginxConfig returns the ```nginx block of docs/deploying.md. */
export function docNginxConfig(): string {
  const doc = readFileSync(path.join(REPO, "docs/deploying.md"), "utf8");
  const match = /```nginx\n([\s\S]*?)```/.exec(doc);
  if (match === null) throw new Error("docs/deploying.md has no ```nginx block");
  return match[1];
}

/**
 * nginxConfig wraps the documented http-level configuration in a main context that runs in the
 * foreground as the current user with every file under `dir`, and points it at `upstreams`
 * (replacing 127.0.0.1:8001, :8002) and `listen` (replacing `listen 80;`).
 */
export function nginxConfig(dir: string, listen: number, upstreams: [number, number]): string {
  const documented = docNginxConfig();
  for (const needle of ["127.0.0.1:8001", "127.0.0.1:8002", "listen 80;"]) {
    if (!documented.includes(needle)) throw new Error(`the documented nginx config lost ${needle}`);
  }
  const http = documented
    .replace("127.0.0.1:8001", `127.0.0.1:${upstreams[0]}`)
    .replace("127.0.0.1:8002", `127.0.0.1:${upstreams[1]}`)
    .replace("listen 80;", `listen 127.0.0.1:${listen};`);
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(dir, sub), { recursive: true });
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 1024; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
${http}
}
`;
}

/** startNginx writes the configuration into `dir`, starts nginx and waits until it accepts connections. */
export async function startNginx(binary: string, dir: string, listen: number, upstreams: [number, number]): Promise<OpsProcess> {
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(conf, nginxConfig(dir, listen, upstreams));
  const test = spawnSync(binary, ["-t", "-c", conf, "-p", dir, "-e", path.join(dir, "error.log")], { encoding: "utf8" });
  if (test.status !== 0) throw new Error(`nginx -t failed: ${test.stderr}`);
  return spawnNginx(binary, conf, dir, listen);
}

async function spawnNginx(binary: string, conf: string, dir: string, listen: number): Promise<OpsProcess> {
  const proc = new OpsProcess(["-c", conf, "-p", dir, "-e", path.join(dir, "error.log")], { file: binary });
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    if (!proc.running) break;
    if (await accepts(listen)) return proc;
    await new Promise((r) => setTimeout(r, 50));
  }
  await proc.kill();
  throw new Error(`nginx did not start: ${proc.stderr} ${existsSync(path.join(dir, "error.log")) ? readFileSync(path.join(dir, "error.log"), "utf8") : ""}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
