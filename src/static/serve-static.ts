// serveStatic: a fetch handler that serves a directory the way Caddy's file_server and nginx do:
// index files, listings, redirects to the trailing slash, methods, SPA fallback, CORS, 404 page.
import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { requestHeader, requestPath } from "../fetch/incoming-request.js";
import { LightResponse } from "../fetch/light-response.js";
import { FileCache, type FileEntry } from "./file-cache.js";
import { fileResponse, type FileResponseOptions } from "./file-response.js";
import { readListing, renderListing } from "./listing.js";
import { PathError, queryOfUrl, resolvePath, type ResolvedPath } from "./resolve-path.js";

/**
 * StaticOptions configures {@link serveStatic}: the `root` directory (required), index files,
 * listings, dotfiles, symlinks, compression, caching, SPA fallback, CORS and the 404 page.
 *
 * @example
 * ```ts
 * import { serve, serveStatic, type StaticOptions } from "sockserve";
 *
 * const options: StaticOptions = { root: "./public", listing: false, cacheMaxAge: 3600, spa: true };
 * await serve({ port: 0, fetch: serveStatic(options) });
 * ```
 */
export interface StaticOptions {
  /** root is the directory to serve. */
  root: string;
  /** index lists the files a directory serves, in order. Default ["index.html", "index.htm"]. */
  index?: string[];
  /** listing shows a directory without an index file. Default true; false gives 404. */
  listing?: boolean;
  /** dotfiles serves and lists names starting with ".". Default false (404). */
  dotfiles?: boolean;
  /** followSymlinks follows symlinks that leave the root. Default false. */
  followSymlinks?: boolean;
  /** compress compresses compressible types on the fly with brotli or gzip. Default true. */
  compress?: boolean;
  /** compressThreshold is the smallest file compressed on the fly, in bytes. Default 1024. */
  compressThreshold?: number;
  /** cacheMaxAge sets `Cache-Control: max-age=N` (seconds); without it responses say `no-cache`. */
  cacheMaxAge?: number;
  /** spa answers extension-less paths that match no file with /index.html, for clients that accept HTML. */
  spa?: boolean;
  /** cors adds `Access-Control-Allow-Origin: *` and answers preflight requests. */
  cors?: boolean;
  /** notFoundPage is served (with 404) for missing files when it exists under root. Default "404.html". */
  notFoundPage?: string | false;
}

const ALLOW = "GET, HEAD, OPTIONS";
const PATH_CACHE_SIZE = 2048;
const SMALL_FILE = 1024 * 1024; // files up to 1 MiB are served from memory, revalidated by stat

/**
 * serveStatic returns a handler serving the files under `options.root` (ranges, conditional
 * requests, compression, listings); mount it as `fetch` or as a route.
 *
 * @example
 * ```ts
 * import { serve, serveStatic } from "sockserve";
 *
 * await serve({ port: 8000, fetch: serveStatic({ root: "./public", cacheMaxAge: 3600 }) });
 * // or as one route among others: routes: { "/assets/*": serveStatic({ root: "./assets" }) }
 * ```
 */
export function serveStatic(options: StaticOptions): (request: Request) => Response | Promise<Response> {
  const root = resolve(options.root);
  const realRoot = realpathSync.native(root);
  const index = options.index ?? ["index.html", "index.htm"];
  const dotfiles = options.dotfiles ?? false;
  const followSymlinks = options.followSymlinks ?? false;
  const cors: [string, string][] = options.cors === true ? [["Access-Control-Allow-Origin", "*"]] : [];
  const fileOpts: FileResponseOptions = {
    compress: options.compress ?? true,
    compressThreshold: options.compressThreshold ?? 1024,
    cacheControl: options.cacheMaxAge !== undefined ? `max-age=${Math.max(0, Math.floor(options.cacheMaxAge))}` : "no-cache",
    extraHeaders: cors,
  };
  const cache = new FileCache({ root, followSymlinks, smallFileSize: SMALL_FILE, maxCachedBytes: 64 * 1024 * 1024, maxEntries: 10_000 });
  const notFoundPage = options.notFoundPage === false ? null : join(root, options.notFoundPage ?? "404.html");

  const plain = (status: number, text: string, extra: [string, string][] = []): Response =>
    LightResponse.trusted(status, [["Content-Type", "text/plain; charset=utf-8"], ["X-Content-Type-Options", "nosniff"], ...cors, ...extra], `${text}\n`);

  const notFound = (req: Request): Response => {
    const page = notFoundPage !== null ? cache.lookup(notFoundPage) : null;
    if (page?.kind === "file") return fileResponse(req, cache, page.entry, fileOpts, 404);
    return plain(404, "404 Not Found");
  };

  const missing = (req: Request, path: ResolvedPath): Response => {
    const last = path.segments[path.segments.length - 1] ?? "";
    if (options.spa === true && !last.includes(".") && (requestHeader(req, "accept") ?? "").includes("text/html")) {
      const home = cache.lookup(join(root, "index.html"));
      if (home.kind === "file") return fileResponse(req, cache, home.entry, fileOpts);
    }
    return notFound(req);
  };

  const directory = (req: Request, path: ResolvedPath): Response | Promise<Response> => {
    if (!path.trailingSlash && path.segments.length > 0) {
      // The target is built from the normalized path, which always starts with exactly one "/":
      // it can never become "//host", so this is no open redirect.
      return plain(301, "301 Moved Permanently", [["Location", `${path.urlPath}/${queryOfUrl(req.url)}`]]);
    }
    for (const name of index) {
      const found = cache.lookup(join(path.fsPath, name));
      if (found.kind === "file") return fileResponse(req, cache, found.entry, fileOpts);
    }
    if (options.listing === false) return notFound(req);
    return listing(req, path);
  };

  const listing = async (req: Request, path: ResolvedPath): Promise<Response> => {
    const entries = await readListing(path.fsPath, { dotfiles, followSymlinks, realRoot });
    const headers: [string, string][] = [["Cache-Control", "no-cache"], ["X-Content-Type-Options", "nosniff"], ["Vary", "Accept"], ...cors];
    if ((requestHeader(req, "accept") ?? "").includes("application/json")) {
      return LightResponse.trusted(200, [["Content-Type", "application/json; charset=utf-8"], ...headers], JSON.stringify(entries));
    }
    const urlPath = path.segments.length === 0 ? "/" : `${path.urlPath}/`;
    const display = path.segments.length === 0 ? "/" : `/${path.segments.join("/")}/`;
    return LightResponse.trusted(200, [["Content-Type", "text/html; charset=utf-8"], ...headers], renderListing(urlPath, display, entries));
  };

  // Resolving a path is pure, so the answers for recent paths are kept.
  const paths = new Map<string, ResolvedPath | PathError>();
  const resolved = (raw: string): ResolvedPath | PathError => {
    let path = paths.get(raw);
    if (path === undefined) {
      try {
        path = resolvePath(root, raw);
      } catch (err) {
        if (!(err instanceof PathError)) throw err;
        path = err;
      }
      if (paths.size >= PATH_CACHE_SIZE) paths.delete(paths.keys().next().value as string);
      paths.set(raw, path);
    }
    return path;
  };

  return (req) => {
    const method = req.method;
    if (method !== "GET" && method !== "HEAD") {
      if (method !== "OPTIONS") return plain(405, "405 Method Not Allowed", [["Allow", ALLOW]]);
      if (cors.length > 0 && requestHeader(req, "access-control-request-method") !== null) return preflight(req, cors);
      return LightResponse.trusted(204, [["Allow", ALLOW], ["X-Content-Type-Options", "nosniff"], ...cors], null);
    }
    const path = resolved(requestPath(req));
    if (path instanceof PathError) return path.status === 400 ? plain(400, "400 Bad Request") : notFound(req);
    if (path.hidden && !dotfiles) return notFound(req);
    const found = cache.lookup(path.fsPath);
    switch (found.kind) {
      case "file":
        return path.trailingSlash ? notFound(req) : serveFile(req, found.entry);
      case "directory":
        return directory(req, path);
      case "forbidden":
        return plain(403, "403 Forbidden");
      default:
        return missing(req, path);
    }
  };

  function serveFile(req: Request, entry: FileEntry): Response {
    return fileResponse(req, cache, entry, fileOpts);
  }
}

function preflight(req: Request, cors: [string, string][]): Response {
  const headers: [string, string][] = [
    ...cors,
    ["Access-Control-Allow-Methods", ALLOW],
    ["Access-Control-Max-Age", "86400"],
    ["Allow", ALLOW],
    ["X-Content-Type-Options", "nosniff"],
  ];
  const requested = requestHeader(req, "access-control-request-headers");
  if (requested !== null) headers.push(["Access-Control-Allow-Headers", requested]);
  return LightResponse.trusted(204, headers, null);
}
