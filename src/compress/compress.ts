// compress(handler): a handler wrapper that compresses responses with br or gzip as the client's
// Accept-Encoding allows (RFC 9110 §12.5.3, §8.4), streaming through zlib with backpressure.
import type { BodyReader } from "../http/exchange.js";
import { requestHeader } from "../fetch/incoming-request.js";
import { LightResponse, ReaderBody } from "../fetch/light-response.js";
import { acceptedEncodings } from "../static/accept-encoding.js";
import { isCompressible } from "../static/mime.js";
import { zlibReader } from "./zlib-reader.js";

/**
 * CompressOptions configures {@link compress}: the smallest body worth compressing and the
 * codings offered, in the server's order of preference.
 *
 * @example
 * ```ts
 * import { compress, serve, type CompressOptions } from "sockserve";
 *
 * const options: CompressOptions = { threshold: 2048, encodings: ["gzip"] };
 * await serve({ port: 0, fetch: compress(() => new Response("x".repeat(4096)), options) });
 * ```
 */
export interface CompressOptions {
  /** threshold: bodies smaller than this many bytes go out as they are; unknown lengths count as above. Default 1024. */
  threshold?: number;
  /** encodings offered, most preferred first. Default ["br", "gzip"]. */
  encodings?: ("br" | "gzip")[];
}

type Result = Response | undefined | void;

/**
 * compress wraps a handler so its responses are compressed with `br` or `gzip` when the client's
 * Accept-Encoding allows it (q-values, `identity;q=0` and `*` honoured), the type is compressible
 * (mime-db's flag) and the body is at least `threshold` bytes. It sets `Vary: Accept-Encoding`,
 * makes a strong ETag weak and drops Content-Length. It leaves alone HEAD, 204, 304, 206 and
 * Content-Range answers, responses with Content-Encoding or `Cache-Control: no-transform`, and
 * `text/event-stream`. Streamed bodies are flushed chunk by chunk, so nothing waits in zlib.
 *
 * @example
 * ```ts
 * import { compress, serve } from "sockserve";
 *
 * await serve({
 *   port: 0,
 *   fetch: compress(() => new Response("<p>hello</p>".repeat(200), { headers: { "Content-Type": "text/html" } })),
 * });
 * ```
 */
export function compress<S>(handler: (request: Request, server: S) => Result | Promise<Result>, options: CompressOptions = {}): (request: Request, server: S) => Result | Promise<Result> {
  const threshold = options.threshold ?? 1024;
  const offered = options.encodings ?? ["br", "gzip"];
  if (!(threshold >= 0)) throw new RangeError(`compress: threshold must be a number of bytes >= 0, not ${String(options.threshold)}`);
  return (request, server) => {
    const accept = request.method === "HEAD" ? null : requestHeader(request, "accept-encoding");
    // The uncompressed path: no Accept-Encoding, nothing to look at, not even an extra promise.
    if (accept === null) return handler(request, server);
    const encoding = acceptedEncodings(accept).find((e): e is "br" | "gzip" => e !== "identity" && offered.includes(e));
    if (encoding === undefined) return handler(request, server);
    return coded(handler(request, server), encoding, threshold);
  };
}

/** coded awaits the handler's answer and compresses it if it is worth it. */
async function coded(result: Result | Promise<Result>, encoding: "br" | "gzip", threshold: number): Promise<Result> {
  const response = await result;
  if (!(response instanceof Response) || !worthCompressing(response, threshold)) return response;
  return compressed(response, encoding);
}

/** field reads a response field, cheaply for a LightResponse. */
function field(response: Response, lowerName: string): string | null {
  return LightResponse.isLight(response) ? LightResponse.fieldOf(response, lowerName) : response.headers.get(lowerName);
}

/** worthCompressing applies the rules of what compress() leaves alone. */
function worthCompressing(response: Response, threshold: number): boolean {
  const status = response.status;
  if (status === 204 || status === 304 || status === 206 || status < 200) return false;
  const light = LightResponse.isLight(response);
  if (light ? LightResponse.bodyLength(response) === 0 : response.body === null) return false;
  const type = field(response, "content-type");
  if (type === null || !isCompressible(type) || /^\s*text\/event-stream/i.test(type)) return false;
  if (field(response, "content-encoding") !== null || field(response, "content-range") !== null) return false;
  if (/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(field(response, "cache-control") ?? "")) return false;
  const declared = field(response, "content-length");
  const length = declared !== null ? Number(declared) : light ? LightResponse.bodyLength(response) : -1;
  return length === -1 || length >= threshold;
}

/** compressed builds the coded response: the same status and fields, with the coding's fields set. */
function compressed(response: Response, encoding: "br" | "gzip"): Response {
  const pairs: [string, string][] = [];
  let vary = false;
  for (const [name, value] of response.headers) {
    if (name === "content-length") continue;
    if (name === "etag" && !value.startsWith("W/")) {
      pairs.push([name, `W/${value}`]); // the coded bytes differ: a strong validator no longer holds (RFC 9110 §8.8.1)
      continue;
    }
    if (name === "vary") {
      vary = true;
      if (!/(?:^|,)\s*(?:accept-encoding|\*)\s*(?:,|$)/i.test(value)) {
        pairs.push([name, `${value}, Accept-Encoding`]);
        continue;
      }
    }
    pairs.push([name, value]);
  }
  if (!vary) pairs.push(["vary", "Accept-Encoding"]);
  pairs.push(["content-encoding", encoding]);
  const body = response.body!;
  const open = (): BodyReader => zlibReader(body.getReader(), encoding);
  return LightResponse.trusted(response.status, pairs, new ReaderBody(open, -1), response.statusText);
}
