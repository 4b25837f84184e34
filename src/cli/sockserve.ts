#!/usr/bin/env node
// sockserve [DIR]: serve a directory over HTTP, like `python -m http.server`, grown up.
import { readFileSync, statSync } from "node:fs";
import cluster from "node:cluster";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import { join } from "node:path";
import { cgi, ClusterServer, formatAccessLog, serve, serveStatic, type Server, type TlsOptions } from "../index.js";
import { HELP, parseCli, UsageError, type CliOptions } from "./args.js";

function fail(message: string, code: number): never {
  process.stderr.write(`sockserve: ${message}\n`);
  process.exit(code);
}

function lanUrls(host: string, port: number, scheme: string): string[] {
  const family = host === "::" ? null : "IPv4";
  const urls: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal || (family !== null && a.family !== family)) continue;
      urls.push(a.family === "IPv6" ? `${scheme}://[${a.address}]:${port}/` : `${scheme}://${a.address}:${port}/`);
    }
  }
  return urls;
}

async function start(opts: CliOptions): Promise<Server | ClusterServer> {
  const root = resolve(opts.dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) fail(`${opts.dir}: no such directory`, 2);
  const log = opts.log;
  for (const mount of opts.cgiDirs) {
    if (!statSync(join(root, mount), { throwIfNoEntry: false })?.isDirectory()) fail(`CGI directory ${join(opts.dir, mount)}: no such directory`, 2);
  }
  try {
    const files = serveStatic({
      root,
      listing: opts.listing,
      compress: opts.compress,
      spa: opts.spa,
      cors: opts.cors,
      dotfiles: opts.dotfiles,
      followSymlinks: opts.followSymlinks,
      ...(opts.cache !== undefined ? { cacheMaxAge: opts.cache } : {}),
    });
    const scripts = opts.cgiDirs.map((mount) => ({ mount, handler: cgi({ dir: join(root, mount), mount, documentRoot: root }) }));
    return await serve({
      port: opts.port,
      hostname: opts.host,
      workers: opts.workers,
      drainTimeout: opts.drainTimeout,
      health: opts.health,
      ...(opts.tlsCert !== undefined ? { tls: readTls(opts) } : {}),
      ...(opts.http2 !== undefined ? { http2: opts.http2 } : {}),
      fetch(request, server) {
        if (scripts.length === 0) return files(request);
        // The parsed URL's path has its dot segments removed, so /x/../cgi-bin/s reaches the script.
        const path = new URL(request.url).pathname;
        for (const { mount, handler } of scripts) if (path === mount || path.startsWith(`${mount}/`)) return handler(request, server);
        return files(request);
      },
      ...(log !== "off" ? { accessLog: (entry) => process.stdout.write(`${formatAccessLog(log, entry)}\n`) } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE") fail(`port ${opts.port} on ${opts.host} is already in use; choose another with --port N, or --port 0 for any free port`, 1);
    if (e.code === "EACCES") fail(`not allowed to listen on port ${opts.port} (ports below 1024 need privileges); choose another with --port N`, 1);
    if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") fail(`cannot listen on ${opts.host}: no such local address`, 1);
    throw err;
  }
}

function readTls(opts: CliOptions): TlsOptions {
  try {
    return { cert: readFileSync(opts.tlsCert!), key: readFileSync(opts.tlsKey!) };
  } catch (err) {
    fail(`cannot read the TLS certificate or key: ${(err as Error).message}`, 2);
  }
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message} (see sockserve --help)`, 2);
    throw err;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return;
  }
  const server = await start(opts);
  if (cluster.isWorker) return; // the primary prints, and handles the signals
  const scheme = opts.tlsCert !== undefined ? "https" : "http";
  const display = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  process.stdout.write(`Serving ${resolve(opts.dir)} at ${scheme}://${display}:${server.port}/\n`);
  if (opts.host === "0.0.0.0" || opts.host === "::") {
    for (const url of lanUrls(opts.host, server.port, scheme)) process.stdout.write(`  also at ${url}\n`);
  }
  if (server instanceof ClusterServer) return; // the primary drains and restarts workers on SIGTERM, SIGINT and SIGHUP
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(0); // a second signal: do not wait any longer
    stopping = true;
    void server.drain(opts.drainTimeout * 1000).then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("SIGHUP", () => {
    if (opts.tlsCert === undefined) return;
    server.reloadTLS(readTls(opts));
    process.stderr.write("sockserve: TLS certificate reloaded\n");
  });
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 1));
