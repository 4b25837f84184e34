// StaticHandler: the request side of serveStatic. Strips the mount prefix, resolves the path,
// and answers with a file, a directory's index or listing, a redirect, or an error: 403 (logged)
// for paths the server may not read, 404 for what is not there, never a stack for either.
import { join } from "node:path";
import { requestHeader, requestPath } from "../fetch/incoming-request.js";
import { LightResponse } from "../fetch/light-response.js";
import { FileCache, type Lookup } from "./file-cache.js";
import { fileResponse, type FileResponseOptions } from "./file-response.js";
import { deniedCode, isAbsentError } from "./fs-errors.js";
import { errorPage } from "./html-page.js";
import { readListing, renderListing, type ListingPolicy } from "./listing.js";
import { listingResponse } from "./listing-response.js";
import { mountedPath } from "./mount-path.js";
import { PathError, queryOfUrl, resolvePath, type ResolvedPath } from "./resolve-path.js";

/** SiteConfig is serveStatic's options, resolved and checked once. */
export interface SiteConfig {
  root: string;
  index: string[];
  listing: boolean;
  spa: boolean;
  policy: ListingPolicy;
  /** prefix is the normalized `prefix` option ("/assets"), or "". */
  prefix: string;
  file: FileResponseOptions;
  /** notFoundPage is the absolute path of the 404 page, or null. */
  notFoundPage: string | null;
  log: (line: string) => void;
}

type ErrorStatus = 400 | 403 | 404 | 405;
type Refusal = Extract<Lookup, { kind: "forbidden" | "outside" }>;

const ALLOW = "GET, HEAD, OPTIONS";
const PATH_CACHE_SIZE = 2048;
const SMALL_FILE = 1024 * 1024; // files up to 1 MiB are served from memory, revalidated by stat
const ERRORS: Record<ErrorStatus, [string, string]> = {
  400: ["400 Bad Request", "The request path is not one this server can look up."],
  403: ["403 Forbidden", "The server is not allowed to read this file."],
  404: ["404 Not Found", "There is no file at this address."],
  405: ["405 Method Not Allowed", `This address answers only ${ALLOW}.`],
};

/** StaticHandler answers GET, HEAD and OPTIONS for the files under one root. */
export class StaticHandler {
  #site: SiteConfig;
  #cache: FileCache;
  /** #paths keeps the answers for recent raw paths: resolving one is pure. */
  #paths = new Map<string, ResolvedPath | PathError>();

  constructor(site: SiteConfig) {
    this.#site = site;
    this.#cache = new FileCache({ root: site.root, followSymlinks: site.policy.followSymlinks, smallFileSize: SMALL_FILE, maxCachedBytes: 64 * 1024 * 1024, maxEntries: 10_000 });
  }

  /** handle answers one request. */
  handle(req: Request): Response | Promise<Response> {
    const method = req.method;
    if (method !== "GET" && method !== "HEAD") return this.#otherMethod(req, method);
    const mounted = mountedPath(requestPath(req), this.#site.prefix, (req as { params?: unknown }).params);
    if (mounted === null) return this.#notFound(req);
    if (mounted.rest === "") return this.#redirect(req, `${mounted.mount}/`);
    const path = this.#resolved(mounted.rest);
    if (path instanceof PathError) return path.status === 400 ? this.#error(req, 400) : this.#notFound(req);
    if (path.hidden && !this.#site.policy.dotfiles) return this.#notFound(req);
    try {
      return this.#serve(req, path, mounted.mount);
    } catch (err) {
      return this.#failed(req, err, path.fsPath);
    }
  }

  #serve(req: Request, path: ResolvedPath, mount: string): Response | Promise<Response> {
    const found = this.#cache.lookup(path.fsPath);
    switch (found.kind) {
      case "file":
        return path.trailingSlash ? this.#notFound(req) : fileResponse(req, this.#cache, found.entry, this.#site.file);
      case "directory":
        return this.#directory(req, path, mount);
      case "missing":
        return this.#missing(req, path);
      default:
        return this.#refused(req, path.fsPath, found);
    }
  }

  #directory(req: Request, path: ResolvedPath, mount: string): Response | Promise<Response> {
    // The target is built from the normalized path, which always starts with exactly one "/":
    // it can never become "//host", so this is no open redirect.
    if (!path.trailingSlash && path.segments.length > 0) return this.#redirect(req, `${mount}${path.urlPath}/`);
    for (const name of this.#site.index) {
      const file = join(path.fsPath, name);
      const found = this.#cache.lookup(file);
      if (found.kind === "file") return fileResponse(req, this.#cache, found.entry, this.#site.file);
      if (found.kind === "forbidden") return this.#refused(req, file, found);
      if (found.kind === "outside") this.#logOutside(file, found.realPath);
    }
    if (!this.#site.listing) return this.#notFound(req);
    return this.#listing(req, path, mount).catch((err: unknown) => this.#failed(req, err, path.fsPath));
  }

  async #listing(req: Request, path: ResolvedPath, mount: string): Promise<Response> {
    const entries = await readListing(path.fsPath, this.#site.policy);
    if ((requestHeader(req, "accept") ?? "").includes("application/json")) {
      return listingResponse(req, JSON.stringify(entries), "application/json; charset=utf-8", this.#site.file);
    }
    const display = `${decoded(mount)}/${path.segments.map((s) => `${s}/`).join("")}`;
    return listingResponse(req, renderListing(display, entries, path.segments.length > 0), "text/html; charset=utf-8", this.#site.file);
  }

  #missing(req: Request, path: ResolvedPath): Response {
    const last = path.segments[path.segments.length - 1] ?? "";
    if (this.#site.spa && !last.includes(".") && wantsHtml(req)) {
      const home = this.#cache.lookup(join(this.#site.root, "index.html"));
      if (home.kind === "file") return fileResponse(req, this.#cache, home.entry, this.#site.file);
    }
    return this.#notFound(req);
  }

  #notFound(req: Request): Response {
    const page = this.#site.notFoundPage !== null ? this.#cache.lookup(this.#site.notFoundPage) : null;
    if (page?.kind === "file") return fileResponse(req, this.#cache, page.entry, this.#site.file, 404);
    return this.#error(req, 404);
  }

  /** refused answers a path the server may not read (403) or that leaves the root (404), with one log line. */
  #refused(req: Request, fsPath: string, found: Refusal): Response {
    if (found.kind === "outside") {
      this.#logOutside(fsPath, found.realPath);
      return this.#notFound(req);
    }
    this.#site.log(`cannot read ${fsPath}: ${found.code} (permission denied); answered 403`);
    return this.#error(req, 403);
  }

  #logOutside(fsPath: string, realPath: string): void {
    this.#site.log(`${fsPath} is a symlink to ${realPath}, outside the root; answered 404 (serve such links with --follow-symlinks, or followSymlinks: true)`);
  }

  /** failed answers the expected file system errors met while serving; anything else stays a fault. */
  #failed(req: Request, err: unknown, fsPath: string): Response {
    const code = deniedCode(err);
    if (code !== null) return this.#refused(req, fsPath, { kind: "forbidden", code });
    if (isAbsentError(err)) return this.#notFound(req);
    throw err;
  }

  #otherMethod(req: Request, method: string): Response {
    const cors = this.#site.file.extraHeaders;
    if (method !== "OPTIONS") return this.#error(req, 405, [["Allow", ALLOW]]);
    if (cors.length > 0 && requestHeader(req, "access-control-request-method") !== null) return preflight(req, cors);
    return LightResponse.trusted(204, [["Allow", ALLOW], ["X-Content-Type-Options", "nosniff"], ...cors], null);
  }

  #redirect(req: Request, location: string): Response {
    const headers: [string, string][] = [["Content-Type", "text/plain; charset=utf-8"], ["X-Content-Type-Options", "nosniff"], ...this.#site.file.extraHeaders];
    headers.push(["Location", `${location}${queryOfUrl(req.url)}`]);
    return LightResponse.trusted(301, headers, "301 Moved Permanently\n");
  }

  /** error is a short page for browsers (Accept: text/html), in the listing's look, and plain text for others. */
  #error(req: Request, status: ErrorStatus, extra: [string, string][] = []): Response {
    const [line, sentence] = ERRORS[status];
    const html = wantsHtml(req);
    const headers: [string, string][] = [["Content-Type", html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8"], ["X-Content-Type-Options", "nosniff"], ["Vary", "Accept"]];
    headers.push(...this.#site.file.extraHeaders, ...extra);
    return LightResponse.trusted(status, headers, html ? errorPage(line, sentence) : `${line}\n`);
  }

  #resolved(raw: string): ResolvedPath | PathError {
    let path = this.#paths.get(raw);
    if (path === undefined) {
      try {
        path = resolvePath(this.#site.root, raw);
      } catch (err) {
        if (!(err instanceof PathError)) throw err;
        path = err;
      }
      if (this.#paths.size >= PATH_CACHE_SIZE) this.#paths.delete(this.#paths.keys().next().value as string);
      this.#paths.set(raw, path);
    }
    return path;
  }
}

function wantsHtml(req: Request): boolean {
  return (requestHeader(req, "accept") ?? "").includes("text/html");
}

function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
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
