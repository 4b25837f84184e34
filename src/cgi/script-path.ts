// Finding the script a CGI request names: the first path prefix under the CGI directory that is a
// regular file; the rest of the path is PATH_INFO (RFC 3875 §3.3). Symlinks may not leave the directory.
import { accessSync, constants, realpathSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { PathError, resolvePath } from "../static/resolve-path.js";

/** ScriptLookup is where a request path led. */
export type ScriptLookup =
  | { kind: "script"; file: string; scriptName: string; pathInfo: string; nph: boolean }
  | { kind: "not-found" }
  | { kind: "forbidden" }
  | { kind: "bad-request" };

/** findScript maps `rawPath` (percent-encoded, starting at the mount point) to a script under `dir`. */
export function findScript(dir: string, realDir: string, mount: string, rawPath: string): ScriptLookup {
  if (rawPath !== mount && !rawPath.startsWith(`${mount}/`)) return { kind: "not-found" };
  let segments: string[];
  let trailingSlash: boolean;
  try {
    const resolved = resolvePath(dir, rawPath.slice(mount.length) || "/");
    if (resolved.hidden) return { kind: "not-found" };
    segments = resolved.segments;
    trailingSlash = resolved.trailingSlash;
  } catch (err) {
    if (err instanceof PathError) return { kind: err.status === 400 ? "bad-request" : "not-found" };
    throw err;
  }
  for (let k = 1; k <= segments.length; k++) {
    const file = join(dir, ...segments.slice(0, k));
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined) return { kind: "not-found" };
    if (stats.isDirectory()) continue;
    if (!stats.isFile() || !inside(file, realDir)) return { kind: "not-found" };
    try {
      accessSync(file, constants.X_OK);
    } catch {
      return { kind: "forbidden" };
    }
    const rest = segments.slice(k);
    const pathInfo = rest.length === 0 ? "" : `/${rest.join("/")}${trailingSlash ? "/" : ""}`;
    const name = segments[k - 1];
    return { kind: "script", file, scriptName: `${mount}/${segments.slice(0, k).map(encodeURIComponent).join("/")}`, pathInfo, nph: name.startsWith("nph-") };
  }
  return { kind: "not-found" };
}

function inside(file: string, realDir: string): boolean {
  try {
    const real = realpathSync.native(file);
    return real.startsWith(realDir + sep);
  } catch {
    return false;
  }
}
