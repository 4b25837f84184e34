// apt.js: install a Debian package the harness needs (wrk, nginx-light) when its command is missing.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

/** onPath tells whether `cmd` is an executable in a directory of $PATH. */
export function onPath(cmd) {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let updated = false;

/**
 * aptInstall installs `pkg` with apt-get (`apt-get update` once per run, then install) so that
 * `cmd` is on PATH. It needs root and apt-get; it returns null when `cmd` is there afterwards,
 * or else the reason it is not.
 */
export function aptInstall(cmd, pkg) {
  if (onPath(cmd)) return null;
  if (process.getuid?.() !== 0) return `${cmd} is not installed (install ${pkg}; needs root)`;
  if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) return `${cmd} is not installed and there is no apt-get`;
  console.error(`${cmd} is missing; installing ${pkg} with apt-get ...`);
  const steps = [...(updated ? [] : [["update"]]), ["-o", "DPkg::Lock::Timeout=300", "install", "-y", pkg]];
  for (const args of steps) {
    const r = spawnSync("apt-get", args, { stdio: ["ignore", process.stderr, "inherit"] });
    if (r.status !== 0) return `apt-get ${args.join(" ")} failed`;
    if (args[0] === "update") updated = true;
  }
  return onPath(cmd) ? null : `${cmd} is still missing after apt-get install ${pkg}`;
}
