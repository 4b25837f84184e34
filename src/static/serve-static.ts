// serveStatic: a fetch handler that serves a directory the way Caddy's file_server and nginx do:
// index files, listings, redirects to the trailing slash, methods, SPA fallback, CORS, 404 page.
import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { normalizePrefix } from "./mount-path.js";
import { StaticHandler } from "./static-handler.js";

/**
 * StaticOptions configures {@link serveStatic}: the `root` directory (required), index files,
 * listings, dotfiles, symlinks, compression, caching, SPA fallback, CORS, the 404 page, the
 * mount prefix and the logger.
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
  /**
   * prefix is the URL path the handler is mounted at ("/assets"): it is stripped before the file
   * is looked up, and other paths get 404. Under a `routes` wildcard ("/assets/*") the matched
   * prefix is stripped without it, as express.static does under `app.use("/assets", ...)`.
   */
  prefix?: string;
  /**
   * logger receives one line for each refusal an operator should know of: a path the server may
   * not read (EACCES, EPERM; answered 403) and a symlink leaving the root (404). Default: stderr.
   */
  logger?: (line: string) => void;
}

/**
 * serveStatic returns a handler serving the files under `options.root` (ranges, conditional
 * requests, compression, listings); mount it as `fetch` or as a route.
 *
 * @example
 * ```ts
 * import { serve, serveStatic } from "sockserve";
 *
 * await serve({ port: 8000, fetch: serveStatic({ root: "./public", cacheMaxAge: 3600 }) });
 * // or as one route among others, "/assets/app.css" serving ./public/app.css:
 * // routes: { "/assets/*": serveStatic({ root: "./public" }) }
 * ```
 */
export function serveStatic(options: StaticOptions): (request: Request) => Response | Promise<Response> {
  const root = resolve(options.root);
  const handler = new StaticHandler({
    root,
    index: options.index ?? ["index.html", "index.htm"],
    listing: options.listing ?? true,
    spa: options.spa ?? false,
    policy: { dotfiles: options.dotfiles ?? false, followSymlinks: options.followSymlinks ?? false, realRoot: realpathSync.native(root) },
    prefix: normalizePrefix(options.prefix),
    file: {
      compress: options.compress ?? true,
      compressThreshold: options.compressThreshold ?? 1024,
      cacheControl: options.cacheMaxAge !== undefined ? `max-age=${Math.max(0, Math.floor(options.cacheMaxAge))}` : "no-cache",
      extraHeaders: options.cors === true ? [["Access-Control-Allow-Origin", "*"]] : [],
    },
    notFoundPage: options.notFoundPage === false ? null : join(root, options.notFoundPage ?? "404.html"),
    log: options.logger ?? ((line) => console.error(`sockserve: ${line}`)),
  });
  return (request) => handler.handle(request);
}
