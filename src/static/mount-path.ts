// mountedPath: the part of a request path that serveStatic looks up under its root. Mounted
// below a prefix (the `prefix` option, or a `routes` wildcard such as "/assets/*") the prefix is
// stripped first, as express.static does under app.use("/assets", ...).

/** Mounted splits a raw (percent-encoded) request path at its mount point. */
export interface Mounted {
  /** mount is the raw prefix, without a trailing slash; "" when the handler serves from "/". */
  mount: string;
  /** rest is the raw path under the mount, starting with "/"; "" for the mount itself without its slash. */
  rest: string;
}

/** normalizePrefix turns a `prefix` option ("/assets", "assets/", "/") into "/assets", or "" for none. */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined) return "";
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : encodeURI(`/${trimmed}`);
}

/**
 * mountedPath splits `rawPath` under `prefix` (from normalizePrefix), or else at the wildcard the
 * router matched (`params["*"]`, the decoded rest). Returns null when the path is not under `prefix`.
 */
export function mountedPath(rawPath: string, prefix: string, params: unknown): Mounted | null {
  if (prefix !== "") {
    if (rawPath === prefix) return { mount: prefix, rest: "" };
    return rawPath.startsWith(`${prefix}/`) ? { mount: prefix, rest: rawPath.slice(prefix.length) } : null;
  }
  const star = (params as Record<string, unknown> | undefined)?.["*"];
  if (typeof star !== "string") return { mount: "", rest: rawPath };
  return wildcardSplit(rawPath, star);
}

/**
 * wildcardSplit finds where the wildcard's rest begins: as many raw segments from the end as the
 * rest has. When they do not decode to it (an encoded "/" or a bad escape, both refused later
 * anyway), the whole path is looked up; an empty rest on a path without "/" at its end is the
 * mount itself ("/assets" for "/assets/*").
 */
function wildcardSplit(rawPath: string, star: string): Mounted {
  let at = rawPath.length;
  for (let slashes = star.split("/").length; slashes > 0 && at > 0; slashes--) at = rawPath.lastIndexOf("/", at - 1);
  if (at >= 0 && decodes(rawPath.slice(at + 1), star)) return { mount: collapseSlashes(rawPath.slice(0, at)), rest: rawPath.slice(at) };
  if (star === "" && !rawPath.endsWith("/")) return { mount: collapseSlashes(rawPath), rest: "" };
  return { mount: "", rest: rawPath };
}

function decodes(raw: string, decoded: string): boolean {
  try {
    return decodeURIComponent(raw) === decoded;
  } catch {
    return false;
  }
}

/** collapseSlashes keeps a mount from starting with "//", which a Location would read as a host. */
function collapseSlashes(mount: string): string {
  return mount.replace(/^\/{2,}/, "/");
}
