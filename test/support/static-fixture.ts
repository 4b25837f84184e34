// Shared pieces of the static file server tests: temp trees built by each test,
// a static server on 127.0.0.1 port 0, raw-socket requests that no client
// normalizes, curl through execFile, and a tiny PNG encoder.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { serve, serveStatic, type Server } from "../../src/index.js";
import type { ParsedResponse } from "./http-response.js";
import { exchange } from "./raw.js";

/** StaticOptions is serveStatic's options object, taken from its signature. */
export type StaticOptions = Parameters<typeof serveStatic>[0];

/** Entry describes one node of a test tree: file contents, a symlink, or an empty directory. */
export type Entry = string | Buffer | { symlink: string } | { dir: true };

/** FIXED_MTIME is a fixed modification time (whole seconds) given to every file of a tree. */
export const FIXED_MTIME = new Date(Date.UTC(2021, 2, 4, 5, 6, 7));

/** TempTree is a temporary directory holding `root` (the served directory) and whatever sits beside it. */
export interface TempTree {
  /** base is the temporary directory; root and its siblings live inside it. */
  base: string;
  root: string;
  remove(): Promise<void>;
}

/**
 * makeTree builds `files` (paths relative to base, "/"-separated) in a fresh temp
 * directory. Paths under "site/" land in the served root; anything else is outside it.
 * Files (not symlinks) get FIXED_MTIME unless `mtime` says otherwise.
 */
export async function makeTree(files: Record<string, Entry>, options: { mtime?: Date; rootName?: string } = {}): Promise<TempTree> {
  const base = await mkdtemp(path.join(tmpdir(), "sockserve-static-"));
  const rootName = options.rootName ?? "site";
  const root = path.join(base, rootName);
  await mkdir(root, { recursive: true });
  const mtime = options.mtime ?? FIXED_MTIME;
  const links: Array<[string, string]> = [];
  for (const [rel, entry] of Object.entries(files)) {
    const full = path.join(base, ...rel.split("/"));
    await mkdir(path.dirname(full), { recursive: true });
    if (typeof entry === "object" && !Buffer.isBuffer(entry) && "symlink" in entry) {
      links.push([entry.symlink, full]);
    } else if (typeof entry === "object" && !Buffer.isBuffer(entry) && "dir" in entry) {
      await mkdir(full, { recursive: true });
    } else {
      await writeFile(full, entry);
      await utimes(full, mtime, mtime);
    }
  }
  for (const [target, full] of links) await symlink(target, full);
  return { base, root, remove: () => rm(base, { recursive: true, force: true }) };
}

/** StaticServer is a running serve() with a serveStatic handler. */
export interface StaticServer {
  server: Server;
  port: number;
  /** base is "http://127.0.0.1:PORT" without a trailing slash. */
  base: string;
  stop(): Promise<void>;
}

/** startStatic serves `options` (a serveStatic handler) on 127.0.0.1, port 0. */
export async function startStatic(options: StaticOptions): Promise<StaticServer> {
  const handler = serveStatic(options);
  const server = await serve({ port: 0, hostname: "127.0.0.1", fetch: handler, logger: () => {} });
  return { server, port: server.port, base: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** host overrides the Host field; null leaves it out. */
  host?: string | null;
  timeoutMs?: number;
}

/** RawAnswer is one response read over a raw socket, with the bytes that followed its head. */
export interface RawAnswer {
  response: ParsedResponse;
  /** afterHead is every byte after the response head's blank line, exactly as received. */
  afterHead: Buffer;
  data: Buffer;
}

/**
 * rawRequest sends `target` byte for byte (latin1) with Connection: close and parses
 * the one response. No URL parser sees the target, so "..", "%2f" and "\\" arrive as written.
 */
export async function rawRequest(port: number, target: string, options: RawRequest = {}): Promise<RawAnswer> {
  const method = options.method ?? "GET";
  const lines = [`${method} ${target} HTTP/1.1`];
  if (options.host !== null) lines.push(`Host: ${options.host ?? `127.0.0.1:${port}`}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  if (options.body !== undefined) lines.push(`Content-Length: ${body.length}`);
  lines.push("Connection: close");
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  const result = await exchange(port, Buffer.concat([head, body]), { methods: [method], timeoutMs: options.timeoutMs ?? 10_000 });
  const response = result.responses[0];
  if (!response) throw new Error(`no complete response to ${method} ${JSON.stringify(target)}; got ${JSON.stringify(result.text.slice(0, 400))}`);
  const headEnd = result.data.indexOf("\r\n\r\n");
  return { response, afterHead: result.data.subarray(headEnd + 4), data: result.data };
}

export interface CurlResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** curl runs curl (no shell) with --silent --show-error and a time limit; stdout stays bytes. */
export function curl(args: string[], timeoutSeconds = 30): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      "curl",
      ["--silent", "--show-error", "--max-time", String(timeoutSeconds), ...args],
      { encoding: "buffer", maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr: stderr.toString("utf8") });
      },
    );
  });
}

/** parseCurlHeaders reads the last header block of `curl -D -` output (or a --dump-header file). */
export function parseCurlHeaders(text: string): { status: number; headers: Map<string, string[]> } {
  const blocks = text.split(/\r?\n\r?\n/).filter((b) => /^HTTP\//.test(b));
  const block = blocks.at(-1) ?? "";
  const [statusLine, ...lines] = block.split(/\r?\n/);
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(/^HTTP\/\S+ (\d{3})/.exec(statusLine ?? "")?.[1] ?? 0), headers };
}

/** normalizeMediaType lower-cases a Content-Type and drops optional whitespace, for comparisons. */
export function normalizeMediaType(value: string | null | undefined): string {
  return (value ?? "").toLowerCase().replace(/\s*;\s*/g, ";").trim();
}

/** decodedPathOf gives the path of `href` resolved against `base`, percent-decoded segment by segment. */
export function decodedPathOf(href: string, base: string): string {
  return decodeURIComponent(new URL(href, base).pathname);
}

/** decodeEntities undoes HTML character references in text or attribute values. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return String.fromCodePoint(code);
    }
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
    return named[ref.toLowerCase()] ?? whole;
  });
}

/** Anchor is one <a href> of an HTML page, text without tags, both with entities decoded. */
export interface Anchor {
  href: string;
  text: string;
  /** index is where the anchor starts in the HTML. */
  index: number;
}

/** anchorsOf lists the <a href="..."> elements of `html` in document order. */
export function anchorsOf(html: string): Anchor[] {
  const anchors: Anchor[] = [];
  const re = /<a\b[^>]*?\bhref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi;
  for (const m of html.matchAll(re)) {
    const raw = m[2] ?? m[3] ?? m[4] ?? "";
    anchors.push({ href: decodeEntities(raw), text: decodeEntities((m[5] ?? "").replace(/<[^>]*>/g, "")).trim(), index: m.index ?? 0 });
  }
  return anchors;
}

/** makePng encodes a w×h truecolour PNG with a gradient, so a browser has something real to decode. */
export function makePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then RGB
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = Math.round((255 * x) / Math.max(1, width - 1));
      row[2 + x * 3] = 80;
      row[3 + x * 3] = Math.round((255 * y) / Math.max(1, height - 1));
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** textOf makes `size` bytes of deterministic, compressible ASCII text tagged with `tag`. */
export function textOf(size: number, tag: string): string {
  let out = "";
  for (let i = 0; out.length < size; i++) out += `/* ${tag} line ${i} */ const v${i} = "${"abcdefghij".repeat(1 + (i % 4))}";\n`;
  return out.slice(0, size);
}

/** bytesOf makes `size` deterministic bytes covering every byte value (not compressible to a pattern). */
export function bytesOf(size: number, seed = 1): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}
