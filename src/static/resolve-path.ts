// resolvePath: a request URL's path, decoded segment by segment into a path under the root.
// Traversal, encoded slashes, NUL, a raw backslash and over-long paths are refused here; "%5C"
// is a backslash inside a name (legal on Linux), refused only where a backslash separates paths.
import { join, sep } from "node:path";

/** MAX_PATH_LENGTH bounds the decoded URL path, in characters. */
export const MAX_PATH_LENGTH = 4096;

// On Windows a backslash separates paths, so "%5C" there could climb out of the root.
const BACKSLASH_SEPARATES = sep === "\\";

/** ResolvedPath is a safe location under the root. */
export interface ResolvedPath {
  /** segments are the decoded path segments, without empty ones. */
  segments: string[];
  /** urlPath is the normalized, still percent-encoded path, always with one leading slash. */
  urlPath: string;
  /** fsPath is root joined with the segments. */
  fsPath: string;
  /** trailingSlash tells whether the request path ended in "/". */
  trailingSlash: boolean;
  /** hidden tells whether a segment starts with "." (a dotfile or dot-directory). */
  hidden: boolean;
}

/** PathError carries the status a refused path gets. */
export class PathError extends Error {
  constructor(readonly status: 400 | 404) {
    super(status === 400 ? "bad request path" : "not found");
  }
}

/** resolvePath maps the raw (percent-encoded) path of a request-target under `root`. */
export function resolvePath(root: string, rawPath: string): ResolvedPath {
  if (rawPath.length > MAX_PATH_LENGTH * 3 || rawPath.includes("\\") || !rawPath.startsWith("/")) throw new PathError(400);
  const segments: string[] = [];
  const encoded: string[] = [];
  let hidden = false;
  for (const raw of rawPath.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new PathError(400);
    }
    // An encoded "/" would smuggle a separator past the split; NUL would cut the path short.
    if (segment === "." || segment === ".." || segment.includes("/") || segment.includes("\0")) throw new PathError(400);
    if (BACKSLASH_SEPARATES && segment.includes("\\")) throw new PathError(400);
    if (segment.startsWith(".")) hidden = true;
    segments.push(segment);
    encoded.push(raw);
  }
  const decodedLength = segments.reduce((n, s) => n + s.length + 1, 0);
  if (decodedLength > MAX_PATH_LENGTH) throw new PathError(400);
  return {
    segments,
    urlPath: `/${encoded.join("/")}`,
    fsPath: join(root, ...segments),
    trailingSlash: rawPath.endsWith("/") && segments.length > 0,
    hidden,
  };
}

/** pathOfUrl extracts the raw path of a request URL string (no URL parsing, so nothing is normalized). */
export function pathOfUrl(url: string): string {
  let start = url.indexOf("://");
  start = start === -1 ? 0 : url.indexOf("/", start + 3);
  if (start === -1) return "/";
  let end = url.length;
  const q = url.indexOf("?", start);
  if (q !== -1) end = q;
  const h = url.indexOf("#", start);
  if (h !== -1 && h < end) end = h;
  return url.slice(start, end);
}

/** queryOfUrl returns "?..." of a request URL, or "". */
export function queryOfUrl(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return "";
  const h = url.indexOf("#", q);
  return h === -1 ? url.slice(q) : url.slice(q, h);
}
