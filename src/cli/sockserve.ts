#!/usr/bin/env node
// sockserve [DIR | APP.js]: serve a directory over HTTP, like `python -m http.server`, grown up,
// or run a fetch app module as `bun run` and `deno serve` do.
import { readFileSync, statSync } from "node:fs";
import cluster from "node:cluster";
import { networkInterfaces } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cgi, ClusterServer, formatAccessLog, serve, serveStatic, withRules, type ServeOptions, type Server } from "../index.js";
import { AppModuleError, isAppPath, loadApp, type AppModule } from "./app-module.js";
import { HELP, parseCli, UsageError, type CliOptions } from "./args.js";
import { AuthConfigError, credentialsFromHtpasswd, credentialsFromPair, isLoopback, withBasicAuth } from "./basic-auth.js";
import { applyConfig, loadConfig, type ConfigFile } from "./config-file.js";
import { lanUrls } from "./lan-urls.js";
import { browsableUrl, openInBrowser } from "./open-browser.js";
import { stopOnSignals } from "./stop-signals.js";
import { readTls, reloadOnHangup, selfSignedNote } from "./tls-cli.js";
import { runWatched, WATCHED } from "./watch.js";

type Handler = NonNullable<ServeOptions["fetch"]>;

function fail(message: string, code: number): never {
  process.stderr.write(`sockserve: ${message}\n`);
  process.exit(code);
}

/** Target is what the CLI serves: a directory, or an app module's default export. */
type Target = { kind: "dir"; root: string } | { kind: "app"; file: string; app: AppModule };

async function targetOf(opts: CliOptions): Promise<Target> {
  const path = resolve(opts.dir);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return { kind: "dir", root: path };
  if (isAppPath(opts.dir)) {
    if (stat === undefined) fail(`${opts.dir}: no such file`, 2);
    return { kind: "app", file: path, app: await loadApp(path, opts.dir) };
  }
  if (stat !== undefined) fail(`${opts.dir} is a file, not a directory (to run an app, give a .js or .mjs file)`, 2);
  fail(`${opts.dir}: no such directory`, 2);
}

function configOf(opts: CliOptions, root: string): ConfigFile | null {
  try {
    return loadConfig(opts, root);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, 2);
    throw err;
  }
}

function staticHandler(opts: CliOptions, root: string, config: ConfigFile | null): Handler {
  for (const mount of opts.cgiDirs) {
    if (!statSync(join(root, mount), { throwIfNoEntry: false })?.isDirectory()) fail(`CGI directory ${join(opts.dir, mount)}: no such directory`, 2);
  }
  const plainFiles = serveStatic({
    root,
    listing: opts.listing,
    compress: opts.compress,
    spa: opts.spa,
    cors: opts.cors,
    dotfiles: opts.dotfiles,
    followSymlinks: opts.followSymlinks,
    ...(opts.cache !== undefined ? { cacheMaxAge: opts.cache } : {}),
  });
  const files = config === null ? plainFiles : withRules(config.rules, plainFiles, { hide: config.hide });
  if (opts.cgiDirs.length === 0) return files;
  const scripts = opts.cgiDirs.map((mount) => ({ mount, handler: cgi({ dir: join(root, mount), mount, documentRoot: root }) }));
  return (request, server) => {
    // The parsed URL's path has its dot segments removed, so /x/../cgi-bin/s reaches the script.
    const path = new URL(request.url).pathname;
    for (const { mount, handler } of scripts) if (path === mount || path.startsWith(`${mount}/`)) return handler(request, server);
    return files(request);
  };
}

/** withAuth wraps the handler in Basic auth when --auth or --auth-file asks for it. */
function withAuth(opts: CliOptions, handler: Handler | undefined): Handler | undefined {
  if (handler === undefined || (opts.auth === undefined && opts.authFile === undefined)) return handler;
  if (opts.tls === undefined && !isLoopback(opts.host) && !opts.authInsecure) {
    fail(`--auth over plain HTTP on ${opts.host} would send passwords in the clear; use --tls-cert and --tls-key, bind to 127.0.0.1, or add --auth-insecure`, 2);
  }
  try {
    const users = opts.auth !== undefined ? credentialsFromPair(opts.auth) : credentialsFromHtpasswd(readAuthFile(opts.authFile!), opts.authFile!);
    return withBasicAuth(handler, users);
  } catch (err) {
    if (err instanceof AuthConfigError) fail(err.message, 2);
    throw err;
  }
}

function readAuthFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    fail(`cannot read --auth-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2);
  }
}

async function serveOptions(opts: CliOptions, target: Target): Promise<ServeOptions> {
  const config = target.kind === "dir" ? configOf(opts, target.root) : null;
  opts = applyConfig(opts, config); // the file's settings under the flags
  const log = opts.log;
  const app: AppModule = target.kind === "app" ? target.app : { fetch: staticHandler(opts, target.root, config) };
  const fetch = withAuth(opts, app.fetch);
  return {
    port: opts.port ?? app.port ?? 8000,
    hostname: opts.host,
    workers: opts.workers,
    drainTimeout: opts.drainTimeout,
    shutdownDelay: opts.shutdownDelay,
    health: opts.health,
    ...(fetch !== undefined ? { fetch } : {}),
    ...(app.routes !== undefined ? { routes: app.routes } : {}),
    ...(app.websocket !== undefined ? { websocket: app.websocket } : {}),
    ...(opts.maxBodySize !== undefined ? { limits: { maxBodySize: opts.maxBodySize } } : {}),
    ...(opts.tls !== undefined ? { tls: await readTls(opts.tls, fail) } : {}),
    ...(opts.http2 !== undefined ? { http2: opts.http2 } : {}),
    ...(log !== "off" ? { accessLog: (entry) => process.stdout.write(`${formatAccessLog(log, entry)}\n`) } : {}),
  };
}

async function start(opts: CliOptions, options: ServeOptions): Promise<Server | ClusterServer> {
  try {
    return await serve(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const port = options.port;
    // A worker's bind error goes to the primary, which prints it once for all of them.
    if (cluster.isWorker && ["EADDRINUSE", "EACCES", "EADDRNOTAVAIL", "ENOTFOUND"].includes(e.code ?? "")) process.exit(1);
    if (e.code === "EADDRINUSE") fail(`port ${port} on ${opts.host} is already in use; choose another with --port N, or --port 0 for any free port`, 1);
    if (e.code === "EACCES") fail(`not allowed to listen on port ${port} (ports below 1024 need privileges); choose another with --port N`, 1);
    if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") fail(`cannot listen on ${opts.host}: no such local address`, 1);
    throw err;
  }
}

function parse(argv: string[]): CliOptions {
  try {
    return parseCli(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message}; see sockserve --help`, 2);
    throw err;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function announce(opts: CliOptions, server: Server | ClusterServer, target: Target): Promise<void> {
  const scheme = opts.tls !== undefined ? "https" : "http";
  const display = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  const what = target.kind === "dir" ? target.root : target.file;
  process.stdout.write(`Serving ${what} at ${scheme}://${display}:${server.port}/\n`);
  if (opts.host === "0.0.0.0" || opts.host === "::") {
    for (const url of lanUrls(networkInterfaces(), opts.host, server.port, scheme)) process.stdout.write(`  also at ${url}\n`);
  }
  if (opts.tls?.selfSigned === true) process.stdout.write(await selfSignedNote());
  const say = (line: string): void => void process.stderr.write(`sockserve: ${line}\n`);
  if (opts.open) void openInBrowser(browsableUrl(server.url), process.env, say);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opts = parse(argv);
  if (opts.help) return void process.stdout.write(HELP);
  if (opts.version) return void process.stdout.write(`${version()}\n`);
  if (opts.watch && !isAppPath(opts.dir)) fail("--watch restarts an app; give a .js or .mjs file (a directory is read afresh on every request)", 2);
  if (opts.watch && !cluster.isWorker) process.exit(await runWatched(fileURLToPath(import.meta.url), argv));
  let target: Target;
  try {
    target = await targetOf(opts);
  } catch (err) {
    if (err instanceof AppModuleError) fail(err.message, err.exitCode);
    throw err;
  }
  const server = await start(opts, await serveOptions(opts, target));
  if (cluster.isWorker) return; // the primary prints, and handles the signals
  // The handlers go in before the listening line: a signal sent on seeing it must find them.
  if (!(server instanceof ClusterServer)) handleSignals(opts, server); // the primary handles its own
  await announce(opts, server, target);
}

function handleSignals(opts: CliOptions, server: Server): void {
  const echoMs = process.env[WATCHED] === "1" ? 250 : 0;
  stopOnSignals(server, opts.drainTimeout * 1000, (line) => void process.stderr.write(`sockserve: ${line}\n`), echoMs);
  if (opts.tls !== undefined) reloadOnHangup(server, opts.tls);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 1));
