// Installs a Debian package the WebSocket client tests need (python3-websockets, chromium) when
// it is missing: `apt-get update`, then `apt-get install` waiting for the dpkg lock.
import { execFile } from "node:child_process";

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** ensureDebianPackage runs `present()`; when it says no, installs `pkg` and checks again. */
export async function ensureDebianPackage(pkg: string, present: () => Promise<boolean>, timeoutMs = 10 * 60_000): Promise<void> {
  if (await present()) return;
  const started = Date.now();
  await run("apt-get", ["update"], timeoutMs);
  const left = Math.max(60_000, timeoutMs - (Date.now() - started));
  await run("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", pkg], left);
  if (!(await present())) throw new Error(`apt-get installed ${pkg}, but it is still not usable`);
}

/** succeeds tells whether a command exits with 0. */
export function succeeds(command: string, args: string[]): Promise<boolean> {
  return run(command, args, 30_000).then(
    () => true,
    () => false,
  );
}
