// The response for one file: encoding negotiation, preconditions (304/412), ranges (206/416,
// multipart/byteranges) and the body, from memory for small files or streamed for large ones.
import { randomBytes } from "node:crypto";
import { requestHeaderList } from "../fetch/incoming-request.js";
import { LightResponse, ReaderBody } from "../fetch/light-response.js";
import { acceptedEncodings } from "./accept-encoding.js";
import { evaluatePreconditions, rangeApplies } from "./conditional.js";
import type { FileCache, FileEntry, Variant } from "./file-cache.js";
import { compressReader, FileRangeReader, SequenceReader } from "./file-reader.js";
import { contentRange, parseRange, type ByteRange } from "./range.js";

/** FileResponseOptions are the parts of the static options that shape a file response. */
export interface FileResponseOptions {
  compress: boolean;
  compressThreshold: number;
  cacheControl: string;
  /** extraHeaders go on every response (CORS). */
  extraHeaders: [string, string][];
}

type Pairs = [string, string][];

/** The request fields a file response depends on, read in one pass; see FieldIndex. */
const FIELDS = ["range", "accept-encoding", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range"] as const;
const enum FieldIndex {
  Range,
  AcceptEncoding,
  FirstConditional, // if-match and the rest
}

/** fileResponse answers a GET or HEAD for a file entry with the given status (200, or 404 for an error page). */
export function fileResponse(req: Request, cache: FileCache, entry: FileEntry, opts: FileResponseOptions, status = 200): Response {
  const values = requestHeaderList(req, FIELDS);
  const rangeHeader = status === 200 ? (values[FieldIndex.Range] ?? null) : null;
  const variant = rangeHeader !== null ? entry.identity : chooseVariant(cache, entry, values[FieldIndex.AcceptEncoding] ?? null, opts);
  if (status === 200 && (rangeHeader !== null || hasConditional(values))) {
    const special = conditionalResponse(req.method, values, cache, entry, variant, opts);
    if (special !== null) return special;
  }
  // The fields of a full answer depend only on the file version and the variant: made once.
  const flat = (variant.fields ??= fieldsOf(baseHeaders(entry, variant, opts), entry.contentType, variant.encoding));
  return LightResponse.trustedFlat(status, flat, bodyOf(cache, entry, variant));
}

function hasConditional(values: (string | null)[]): boolean {
  for (let i = FieldIndex.FirstConditional; i < values.length; i++) if (values[i] !== null) return true;
  return false;
}

/** conditionalResponse answers 304, 412, 416 or 206 from the preconditions and Range, or returns null for a full answer. */
function conditionalResponse(method: string, values: (string | null)[], cache: FileCache, entry: FileEntry, variant: Variant, opts: FileResponseOptions): Response | null {
  const field = (name: string): string | null => values[FIELDS.indexOf(name as (typeof FIELDS)[number])] ?? null;
  const base = baseHeaders(entry, variant, opts);
  const v = { etag: variant.etag, lastModified: entry.lastModified };
  const verdict = evaluatePreconditions(method, field, v);
  if (verdict === "not-modified") return LightResponse.trusted(304, base, null);
  if (verdict === "failed") return LightResponse.trusted(412, base, null);
  const rangeHeader = values[FieldIndex.Range] ?? null;
  if (rangeHeader === null || !rangeApplies(field, v)) return null;
  const ranges = parseRange(rangeHeader, entry.stats.size);
  if (ranges === "unsatisfiable") {
    base.push(["Content-Range", `bytes */${entry.stats.size}`]);
    return LightResponse.trusted(416, base, null);
  }
  return ranges === null ? null : rangeResponse(cache, entry, ranges, base);
}

function fieldsOf(base: Pairs, contentType: string, encoding: string): string[] {
  const flat: string[] = [];
  for (const [name, value] of base) flat.push(name, value);
  flat.push("Content-Type", contentType);
  if (encoding !== "identity") flat.push("Content-Encoding", encoding);
  return flat;
}

function chooseVariant(cache: FileCache, entry: FileEntry, acceptEncoding: string | null, opts: FileResponseOptions): Variant {
  if (acceptEncoding === null) return entry.identity;
  for (const encoding of acceptedEncodings(acceptEncoding)) {
    if (encoding === "identity") return entry.identity;
    const sidecar = entry.sidecars[encoding];
    if (sidecar !== undefined) return sidecar;
    if (opts.compress && entry.compressible && entry.stats.size >= opts.compressThreshold) return cache.compressedVariant(entry, encoding);
  }
  return entry.identity;
}

function baseHeaders(entry: FileEntry, variant: Variant, opts: FileResponseOptions): Pairs {
  const pairs: Pairs = [
    ["ETag", variant.etag],
    ["Last-Modified", entry.lastModifiedText],
    ["Cache-Control", opts.cacheControl],
    ["Accept-Ranges", "bytes"],
    ["X-Content-Type-Options", "nosniff"],
  ];
  if (entry.compressible || entry.sidecars.br !== undefined || entry.sidecars.gzip !== undefined) pairs.push(["Vary", "Accept-Encoding"]);
  for (const pair of opts.extraHeaders) pairs.push(pair);
  return pairs;
}

function bodyOf(cache: FileCache, entry: FileEntry, variant: Variant): Uint8Array | ReaderBody {
  const bytes = cache.bytesOf(entry, variant);
  if (bytes !== null) return bytes;
  if (variant.onTheFly) {
    const encoding = variant.encoding as "br" | "gzip";
    return new ReaderBody(() => compressReader(new FileRangeReader(entry.path, 0, entry.stats.size - 1), encoding), -1);
  }
  return new ReaderBody(() => new FileRangeReader(variant.path, 0, variant.size - 1), variant.size);
}

function slice(cache: FileCache, entry: FileEntry, range: ByteRange): Uint8Array | (() => FileRangeReader) {
  const bytes = cache.bytesOf(entry, entry.identity);
  if (bytes !== null) return bytes.subarray(range.start, range.end + 1);
  return () => new FileRangeReader(entry.path, range.start, range.end);
}

/** rangeResponse builds a 206: one range as is, several as multipart/byteranges (RFC 9110 §14.6). */
function rangeResponse(cache: FileCache, entry: FileEntry, ranges: ByteRange[], headers: Pairs): Response {
  const size = entry.stats.size;
  if (ranges.length === 1) {
    const range = ranges[0];
    headers.push(["Content-Type", entry.contentType], ["Content-Range", contentRange(range, size)]);
    const part = slice(cache, entry, range);
    const body = part instanceof Uint8Array ? part : new ReaderBody(part, range.end - range.start + 1);
    return LightResponse.trusted(206, headers, body);
  }
  const boundary = randomBytes(12).toString("hex");
  const parts: (Uint8Array | (() => FileRangeReader))[] = [];
  let length = 0;
  for (const range of ranges) {
    const head = Buffer.from(`--${boundary}\r\nContent-Type: ${entry.contentType}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`);
    const part = slice(cache, entry, range);
    parts.push(head, part, CRLF);
    length += head.length + (range.end - range.start + 1) + CRLF.length;
  }
  const tail = Buffer.from(`--${boundary}--\r\n`);
  parts.push(tail);
  length += tail.length;
  headers.push(["Content-Type", `multipart/byteranges; boundary=${boundary}`]);
  return LightResponse.trusted(206, headers, new ReaderBody(() => new SequenceReader([...parts]), length));
}

const CRLF = Buffer.from("\r\n");
