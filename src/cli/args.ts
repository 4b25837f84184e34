// The sockserve command line: flags, defaults, validation and --help, as a pure function.
import { parseArgs } from "node:util";
import { TLS_FLAGS, TLS_HELP, tlsSpec, type TlsSpec } from "./tls-spec.js";
import { parseByteSize } from "./byte-size.js";
import { describeParseError, type FlagSpec } from "./parse-error.js";

/** CliOptions is a validated command line. */
export interface CliOptions {
  /** dir is the directory to serve, or a .js/.mjs app module to run. */
  dir: string;
  /** port is undefined when not given: an app module's own `port`, else 8000. */
  port: number | undefined;
  host: string;
  log: "common" | "combined" | "json" | "off";
  listing: boolean;
  cache: number | undefined;
  compress: boolean;
  spa: boolean;
  cors: boolean;
  dotfiles: boolean;
  followSymlinks: boolean;
  /** cgiDirs are URL paths under DIR whose executables run as CGI scripts. */
  cgiDirs: string[];
  workers: number | "auto";
  drainTimeout: number;
  shutdownDelay: number;
  health: boolean;
  /** tls says where the certificates come from; undefined serves plain HTTP. */
  tls: TlsSpec | undefined;
  /** config is --config FILE; without it DIR/sockserve.json is read when it exists. */
  config: string | undefined;
  /** maxBodySize in bytes; Infinity for `--max-body-size 0`; undefined keeps the default. */
  maxBodySize: number | undefined;
  /** auth is `user:password` from --auth; authFile an htpasswd file. */
  auth: string | undefined;
  authFile: string | undefined;
  authInsecure: boolean;
  open: boolean;
  watch: boolean;
  /** http2: true (--http2) also accepts h2c on plain TCP; false (--no-http2) keeps TLS to HTTP/1.1; undefined: the default. */
  http2: boolean | undefined;
  help: boolean;
  version: boolean;
}

/** UsageError is a bad command line: one line for stderr, exit code 2. */
export class UsageError extends Error {}

export const HELP = `Usage: sockserve [DIR | APP.js] [options]

Serve DIR (default: the current directory) over HTTP, or run APP.js (.js or .mjs), whose
default export is { fetch(request, server), websocket?, routes?, port? }.

Options:
  -p, --port N            port to listen on; 0 picks a free one (default: 8000)
  -H, --host ADDR         address to bind; 0.0.0.0 or :: shares on the network (default: 127.0.0.1)
      --log FORMAT        access log on stdout: combined, common, json or off (default: combined)
      --quiet             no access log (same as --log off)
      --no-listing        answer 404 for directories without an index file (default: list them)
      --cache SECONDS     send Cache-Control: max-age=SECONDS (default: no-cache)
      --no-compress       do not compress responses on the fly (default: brotli/gzip for text types)
      --spa               serve /index.html for unknown extension-less paths (default: off)
      --cors              allow every origin and answer preflight requests (default: off)
      --dotfiles          serve and list files starting with "." (default: 404)
      --follow-symlinks   follow symlinks that leave DIR (default: only those inside DIR)
      --cgi               run executables under DIR/cgi-bin/ as CGI scripts at /cgi-bin/ (default: off)
      --cgi-dir PATH      run executables under the URL path PATH (e.g. /htbin) as CGI; repeatable
      --workers N|auto    worker processes sharing the port; auto is one per CPU (default: 1)
      --drain-timeout S   seconds a graceful stop waits for in-flight requests (default: 10)
      --shutdown-delay S  seconds a stop keeps serving, health answering 503, before it drains (default: 0)
      --health            answer GET /.well-known/sockserve/health: 200, or 503 while draining (default: off)
      --config FILE       read headers, redirects, rewrites, cleanUrls, trailingSlash from FILE (default: DIR/sockserve.json)
${TLS_HELP}      --max-body-size SIZE  largest request body: bytes, or with k, m or g; 0 is no limit (default: 128m)
      --auth USER:PASS    require HTTP Basic auth with this user and password
      --auth-file FILE    require Basic auth for the users of an htpasswd file (bcrypt or plain)
      --auth-insecure     allow --auth over plain HTTP on a non-loopback address
      --open              open the URL in the default browser (not when CI is set)
      --watch             restart APP.js when it or a file it imports changes
  -v, --version           print the version
      --http2             also accept HTTP/2 (h2c, prior knowledge) on plain TCP (default: HTTP/1.1 only)
      --no-http2          with TLS, offer only HTTP/1.1 by ALPN (default: h2 and http/1.1)
  -h, --help              show this help
`;

/** FLAGS are the parseArgs options of the command line. */
const FLAGS = {
  port: { type: "string", short: "p" },
  host: { type: "string", short: "H" },
  log: { type: "string" },
  quiet: { type: "boolean" },
  "no-listing": { type: "boolean" },
  cache: { type: "string" },
  "no-compress": { type: "boolean" },
  spa: { type: "boolean" },
  cors: { type: "boolean" },
  dotfiles: { type: "boolean" },
  "follow-symlinks": { type: "boolean" },
  cgi: { type: "boolean" },
  "cgi-dir": { type: "string", multiple: true },
  workers: { type: "string" },
  "drain-timeout": { type: "string" },
  "shutdown-delay": { type: "string" },
  health: { type: "boolean" },
  ...TLS_FLAGS,
  config: { type: "string" },
  http2: { type: "boolean" },
  "no-http2": { type: "boolean" },
  "max-body-size": { type: "string" },
  auth: { type: "string" },
  "auth-file": { type: "string" },
  "auth-insecure": { type: "boolean" },
  open: { type: "boolean" },
  watch: { type: "boolean" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const satisfies Record<string, FlagSpec & { multiple?: boolean }>;

/** parseCli turns argv (without node and the script) into options, or throws UsageError. */
export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: FLAGS });
  } catch (err) {
    throw new UsageError(describeParseError(err, FLAGS));
  }
  const { values: v, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`expected one directory or app, got ${positionals.length}: ${positionals.join(" ")}`);
  const log = v.quiet === true ? "off" : (v.log ?? "combined");
  if (log !== "common" && log !== "combined" && log !== "json" && log !== "off") {
    throw new UsageError(`--log must be combined, common, json or off, not "${log}"`);
  }
  if (v.auth !== undefined && v["auth-file"] !== undefined) throw new UsageError("--auth and --auth-file cannot be used together");
  if (v.http2 === true && v["no-http2"] === true) throw new UsageError("--http2 and --no-http2 contradict each other");
  return {
    dir: positionals[0] ?? ".",
    port: v.port === undefined ? undefined : integer("--port", v.port, 0, 65535),
    host: v.host ?? "127.0.0.1",
    log,
    listing: v["no-listing"] !== true,
    cache: v.cache === undefined ? undefined : integer("--cache", v.cache, 0, 2 ** 31 - 1),
    compress: v["no-compress"] !== true,
    spa: v.spa === true,
    cors: v.cors === true,
    dotfiles: v.dotfiles === true,
    followSymlinks: v["follow-symlinks"] === true,
    cgiDirs: cgiDirs(v.cgi === true, v["cgi-dir"] ?? []),
    workers: v.workers === undefined || v.workers === "auto" ? (v.workers ?? 1) : integer("--workers", v.workers, 1, 1024),
    drainTimeout: integer("--drain-timeout", v["drain-timeout"] ?? "10", 0, 3600),
    shutdownDelay: integer("--shutdown-delay", v["shutdown-delay"] ?? "0", 0, 3600),
    health: v.health === true,
    tls: tlsSpec(v, (message) => {
      throw new UsageError(message);
    }),
    config: v.config,
    maxBodySize: v["max-body-size"] === undefined ? undefined : byteSize("--max-body-size", v["max-body-size"]),
    auth: v.auth,
    authFile: v["auth-file"],
    authInsecure: v["auth-insecure"] === true,
    open: v.open === true,
    watch: v.watch === true,
    http2: v.http2 === true ? true : v["no-http2"] === true ? false : undefined,
    help: v.help === true,
    version: v.version === true,
  };
}

function byteSize(flag: string, value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === null) throw new UsageError(`${flag} must be bytes, or a number with k, m or g (such as 64m), or 0 for no limit; not "${value}"`);
  return bytes;
}

function cgiDirs(cgi: boolean, dirs: string[]): string[] {
  const all = cgi ? ["/cgi-bin", ...dirs] : dirs;
  return [...new Set(all.map((d) => {
    const path = `/${d.replace(/^\/+|\/+$/g, "")}`;
    if (path === "/" || path.split("/").some((s) => s === ".." || s === ".")) throw new UsageError(`--cgi-dir must be a path under DIR such as /cgi-bin, not "${d}"`);
    return path;
  }))];
}

function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return Number(value);
}
