// A directory listing as a response: a weak ETag from its bytes (RFC 9110 §8.8.1), 304 for a
// matching If-None-Match (§13.1.2), and brotli or gzip by Accept-Encoding like other text.
import { createHash } from "node:crypto";
import { requestHeaderList } from "../fetch/incoming-request.js";
import { LightResponse } from "../fetch/light-response.js";
import { acceptedEncodings } from "./accept-encoding.js";
import { compressAsync, type Coding } from "./compression.js";
import { evaluatePreconditions } from "./conditional.js";

/** ListingResponseOptions are the parts of the static options a listing response follows. */
export interface ListingResponseOptions {
  compress: boolean;
  compressThreshold: number;
  /** extraHeaders go on every response (CORS). */
  extraHeaders: [string, string][];
}

const FIELDS = ["accept-encoding", "if-none-match", "if-match"] as const;

/** listingResponse answers with a rendered listing (HTML or JSON): 200, 304 or 412. */
export async function listingResponse(req: Request, body: string, contentType: string, opts: ListingResponseOptions): Promise<Response> {
  const [acceptEncoding = null, ifNoneMatch = null, ifMatch = null] = requestHeaderList(req, FIELDS);
  const bytes = Buffer.from(body, "utf8");
  const etag = weakEtag(bytes);
  const headers: [string, string][] = [["ETag", etag], ["Cache-Control", "no-cache"], ["Vary", "Accept, Accept-Encoding"], ["X-Content-Type-Options", "nosniff"], ...opts.extraHeaders];
  // A listing has no modification date of its own, so only the entity-tag fields apply.
  const field = (name: string): string | null => (name === "if-none-match" ? ifNoneMatch : name === "if-match" ? ifMatch : null);
  const verdict = evaluatePreconditions(req.method, field, { etag, lastModified: 0 });
  if (verdict === "not-modified") return LightResponse.trusted(304, headers, null);
  if (verdict === "failed") return LightResponse.trusted(412, headers, null);
  headers.push(["Content-Type", contentType]);
  const coding = opts.compress && bytes.length >= opts.compressThreshold ? preferredCoding(acceptEncoding) : null;
  if (coding === null) return LightResponse.trusted(200, headers, bytes);
  headers.push(["Content-Encoding", coding]);
  return LightResponse.trusted(200, headers, await compressAsync(bytes, coding));
}

/** weakEtag names the listing's content: the same rows give the same tag, in every coding. */
function weakEtag(bytes: Uint8Array): string {
  return `W/"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"`;
}

function preferredCoding(acceptEncoding: string | null): Coding | null {
  const first = acceptedEncodings(acceptEncoding)[0];
  return first === "br" || first === "gzip" ? first : null;
}
