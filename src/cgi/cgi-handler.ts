// cgi(options): a handler that runs CGI scripts (RFC 3875). The body streams to the script's
// stdin and its output streams back; Status, Location (client and local redirects) and NPH scripts
// work; timeouts, disconnects and crashes kill the script's whole process group.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { BodyReader } from "../http/exchange.js";
import { exchangeOf } from "../fetch/incoming-request.js";
import { declaredLength } from "../http/fields.js";
import { LightResponse, ReaderBody } from "../fetch/light-response.js";
import { pathOfUrl } from "../static/resolve-path.js";
import { buildCgiEnv, type CgiRequest } from "./cgi-env.js";
import { CgiOutputError, findHeaderEnd, MAX_HEADER_BLOCK, parseCgiHead } from "./cgi-output.js";
import { findScript } from "./script-path.js";

/**
 * CgiOptions configures {@link cgi}: the script directory (required), its URL path, the
 * environment passed through, the timeout, the concurrency limit and the logger.
 *
 * @example
 * ```ts
 * import { cgi, serve, type CgiOptions } from "sockserve";
 *
 * const options: CgiOptions = { dir: "./cgi-bin", mount: "/cgi-bin", env: ["LANG"], timeout: 30, maxConcurrent: 8 };
 * await serve({ port: 0, routes: { "/cgi-bin/*": cgi(options) } });
 * ```
 */
export interface CgiOptions {
  /** dir holds the scripts; only executable regular files inside it run. */
  dir: string;
  /** mount is the URL path the directory answers at. Default "/cgi-bin". */
  mount?: string;
  /** documentRoot maps PATH_INFO to PATH_TRANSLATED. Default: the parent of dir. */
  documentRoot?: string;
  /** env lists server environment variables passed to scripts besides PATH. */
  env?: string[];
  /** timeout in seconds before a script's process group is killed (504 if nothing was sent). Default 60. */
  timeout?: number;
  /** maxConcurrent scripts; more requests get 503. Default 16. */
  maxConcurrent?: number;
  /** logger receives script stderr lines and failures. Default console.error. */
  logger?: (line: string) => void;
}

/** FetchingServer is what local redirects need: the server's own handler. */
interface FetchingServer {
  fetch(request: Request): Promise<Response>;
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

const REDIRECT_DEPTH = Symbol("sockserve.cgiRedirectDepth");
const MAX_REDIRECTS = 10;

/**
 * cgi returns a handler running CGI scripts (RFC 3875) from `options.dir` under `options.mount`.
 * Pass the server as the handler's second argument so local redirects can be served.
 *
 * @example
 * ```ts
 * import { cgi, serve } from "sockserve";
 *
 * const scripts = cgi({ dir: "./cgi-bin", mount: "/cgi-bin", env: ["LANG"], timeout: 60 });
 * await serve({ port: 8000, fetch: (req, server) => scripts(req, server) });
 * ```
 */
export function cgi(options: CgiOptions): (request: Request, server?: FetchingServer) => Promise<Response | undefined> {
  const dir = resolve(options.dir);
  const realDir = realpathSync.native(dir);
  const mount = (options.mount ?? "/cgi-bin").replace(/\/+$/, "");
  const documentRoot = resolve(options.documentRoot ?? dirname(dir));
  const allow = options.env ?? [];
  const timeoutMs = (options.timeout ?? 60) * 1000;
  const maxConcurrent = options.maxConcurrent ?? 16;
  const log = options.logger ?? ((line: string) => console.error(line));
  let running = 0;

  return async (req, server) => {
    const found = findScript(dir, realDir, mount, pathOfUrl(req.url));
    if (found.kind !== "script") {
      const status = found.kind === "forbidden" ? 403 : found.kind === "bad-request" ? 400 : 404;
      return text(status, `${status} ${status === 403 ? "Forbidden" : status === 400 ? "Bad Request" : "Not Found"}`);
    }
    if (running >= maxConcurrent) return text(503, "503 Service Unavailable: too many CGI scripts running", [["Retry-After", "1"]]);
    const info = cgiRequestOf(req);
    const env = buildCgiEnv(info, {
      scriptName: found.scriptName,
      scriptFilename: found.file,
      pathInfo: found.pathInfo,
      pathTranslated: found.pathInfo === "" ? "" : join(documentRoot, found.pathInfo),
    }, process.env, allow);
    running++;
    const child = spawn(found.file, [], { cwd: dirname(found.file), env, detached: true, stdio: ["pipe", "pipe", "pipe"] }) as Child;
    const tag = `cgi ${found.scriptName}`;
    const run = new ScriptRun(child, tag, log, () => running--);
    run.killAfter(timeoutMs);
    req.signal.addEventListener("abort", () => run.kill("client disconnected"), { once: true });
    createInterface({ input: child.stderr }).on("line", (line) => log(`${tag}: ${line}`));
    const pumped = pumpBody(req, child.stdin);
    if (found.nph) return run.nph(req, pumped);
    return run.response(req, server);
  };
}

/** ScriptRun follows one script process: its header block, its body, its end. */
class ScriptRun {
  #child: Child;
  readonly tag: string;
  /** killed is set once the process group was killed (timeout, disconnect, bad output). */
  killed = false;
  #log: (line: string) => void;
  #exited = false;
  #timer: NodeJS.Timeout | null = null;
  #timedOut = false;
  #exit: Promise<number | null>;

  constructor(child: Child, tag: string, log: (line: string) => void, onExit: () => void) {
    this.#child = child;
    this.tag = tag;
    this.#log = log;
    this.#exit = new Promise((resolveExit) => {
      child.on("error", (err) => log(`${tag}: cannot run: ${err.message}`));
      child.on("close", (code, signal) => {
        this.#exited = true;
        if (this.#timer !== null) clearTimeout(this.#timer);
        onExit();
        if (code !== 0) log(`${tag}: exited with ${signal ?? `status ${code}`}`);
        resolveExit(code);
      });
    });
  }

  killAfter(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.kill(`timed out after ${ms / 1000} s`);
    }, ms);
    this.#timer.unref();
  }

  /** exited resolves with the exit code once the process has ended. */
  get exited(): Promise<number | null> {
    return this.#exit;
  }

  /** kill ends the script's whole process group. */
  kill(why: string): void {
    if (this.#exited || this.#child.pid === undefined) return;
    this.killed = true;
    this.#log(`${this.tag}: killed: ${why}`);
    try {
      process.kill(-this.#child.pid, "SIGKILL");
    } catch {
      this.#child.kill("SIGKILL");
    }
  }

  /** response reads the header block and answers with the script's document, a redirect, or 502/504. */
  async response(req: Request, server: FetchingServer | undefined): Promise<Response> {
    const stdout = this.#child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let buffered: Buffer = Buffer.alloc(0);
    let split: [number, number] | null = null;
    while (split === null) {
      const next = await stdout.next();
      if (next.done === true) {
        await this.#exit;
        if (this.#timedOut) return text(504, "504 Gateway Timeout: the script took too long");
        this.#log(`${this.tag}: ended before its header block was complete`);
        return text(502, "502 Bad Gateway: the script failed");
      }
      buffered = buffered.length === 0 ? next.value : Buffer.concat([buffered, next.value]);
      split = findHeaderEnd(buffered);
      if (split === null && buffered.length > MAX_HEADER_BLOCK) return this.#badGateway("header block too long");
    }
    let head;
    try {
      head = parseCgiHead(buffered.toString("latin1", 0, split[0]));
    } catch (err) {
      if (err instanceof CgiOutputError) return this.#badGateway(err.message);
      throw err;
    }
    if (head.kind === "local-redirect") {
      this.#child.stdout.destroy();
      return localRedirect(req, head.location!, server);
    }
    const pairs: [string, string][] = [];
    for (let i = 0; i < head.headers.length; i += 2) pairs.push([head.headers[i], head.headers[i + 1]]);
    const rest = buffered.subarray(split[1]);
    if (head.kind === "status-only") return this.#statusOnly(head.status, head.statusText, pairs, rest, stdout);
    const length = declaredLength(head.headers);
    const reader = bodyReader(rest, stdout, this);
    return LightResponse.trusted(head.status, pairs, new ReaderBody(() => reader, length), head.statusText);
  }

  /**
   * nph hands the socket to the script's output, once the request body has gone to its stdin.
   * NPH output is HTTP/1.1 bytes (RFC 3875 §5), so only an HTTP/1.x connection can carry it;
   * elsewhere the client gets a 502 saying so.
   */
  async nph(req: Request, pumped: Promise<void>): Promise<Response | undefined> {
    const ex = exchangeOf(req);
    if (ex === null) throw new TypeError("NPH scripts need a request received by sockserve");
    await pumped;
    const taken = ex.takeSocket((socket) => {
      this.#child.stdout.pipe(socket);
      socket.on("close", () => this.kill("client disconnected"));
    });
    if (taken) return undefined;
    this.kill("NPH output needs an HTTP/1.1 connection");
    return text(502, `502 Bad Gateway: NPH scripts write HTTP/1.1 and cannot answer an ${ex.head.protocol} request`);
  }

  /**
   * #statusOnly answers a Status without Content-Type (RFC 3875 §6.3.1): valid when no body
   * follows, which means the script's stdout ends right after its header block. Then the status
   * goes out with an empty body (Content-Length: 0); any body byte makes it malformed, 502.
   */
  async #statusOnly(status: number, statusText: string, pairs: [string, string][], rest: Buffer, stdout: AsyncIterator<Buffer>): Promise<Response> {
    if (rest.length > 0 || (await stdout.next()).done !== true) return this.#badGateway("a body without Content-Type");
    await this.#exit; // the concurrency slot is free before the client can ask again
    if (this.#timedOut) return text(504, "504 Gateway Timeout: the script took too long");
    return LightResponse.trusted(status, pairs, "", statusText);
  }

  #badGateway(why: string): Response {
    this.#log(`${this.tag}: bad output: ${why}`);
    this.kill("bad output");
    return text(502, "502 Bad Gateway: the script's response was malformed");
  }
}

async function pumpBody(req: Request, stdin: Writable): Promise<void> {
  stdin.on("error", () => {}); // a script that does not read its input closes the pipe early
  const body = req.body;
  if (body === null) return void stdin.end();
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      if (!stdin.write(chunk)) await drainOrClose(stdin);
      if (stdin.destroyed) break;
    }
  } catch {
    // the client went away: the abort listener kills the script
  }
  stdin.end();
}

function drainOrClose(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

/**
 * bodyReader streams the script's output after its header block. The body ends only once the
 * script has exited (so its concurrency slot is free before the client can ask again), and a
 * script killed mid-output makes the read fail, so the client sees a cut, not a complete body.
 */
function bodyReader(first: Buffer, rest: AsyncIterator<Buffer>, run: ScriptRun): BodyReader {
  let pending: Buffer | null = first.length > 0 ? first : null;
  return {
    async read() {
      if (pending !== null) {
        const value = pending;
        pending = null;
        return { done: false, value };
      }
      const next = await rest.next();
      if (next.done !== true) return { done: false, value: next.value };
      await run.exited;
      if (run.killed) throw new Error(`${run.tag}: killed before its output was complete`);
      return { done: true, value: undefined };
    },
    cancel: () => run.kill("response cancelled"),
  };
}

function cgiRequestOf(req: Request): CgiRequest {
  const source = exchangeOf(req) !== null ? req : ((req as unknown as Record<symbol, unknown>)[REDIRECT_DEPTH] as { origin: Request } | undefined)?.origin;
  const origin = source === undefined ? null : exchangeOf(source);
  if (source === undefined || origin === null) throw new TypeError("cgi() serves requests received by sockserve");
  const { head, peer } = origin;
  const url = new URL(req.url);
  const direct = (source as unknown) === req;
  return {
    method: req.method,
    requestTarget: direct ? head.path : url.pathname + url.search,
    protocol: head.protocol,
    headers: direct ? head.headers : [...req.headers].flat(),
    remoteAddress: peer.remoteAddress,
    remotePort: peer.remotePort,
    serverAddress: peer.localAddress,
    serverPort: peer.localPort,
    encrypted: peer.encrypted,
    contentLength: direct ? head.contentLength : -1,
  };
}

/** localRedirect serves the path a script named (RFC 3875 §6.2.2) as a GET through the server's handler. */
async function localRedirect(req: Request, location: string, server: FetchingServer | undefined): Promise<Response> {
  const state = (req as unknown as Record<symbol, { depth: number; origin: Request } | undefined>)[REDIRECT_DEPTH];
  const depth = (state?.depth ?? 0) + 1;
  const origin = state?.origin ?? (exchangeOf(req) !== null ? req : undefined);
  if (server === undefined || origin === undefined) return text(500, "500 Internal Server Error: local redirect without a server");
  if (depth > MAX_REDIRECTS) return text(500, "500 Internal Server Error: too many local redirects");
  const headers = new Headers(req.headers);
  for (const name of ["content-length", "content-type", "transfer-encoding"]) headers.delete(name);
  const next = new Request(new URL(location, req.url), { method: "GET", headers });
  Object.defineProperty(next, REDIRECT_DEPTH, { value: { depth, origin } });
  return server.fetch(next);
}

function text(status: number, message: string, extra: [string, string][] = []): Response {
  return LightResponse.trusted(status, [["Content-Type", "text/plain; charset=utf-8"], ...extra], `${message}\n`);
}
