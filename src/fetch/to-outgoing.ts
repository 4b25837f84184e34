// toOutgoing: the bridge from a WHATWG Response to the engine's OutgoingResponse. A LightResponse
// with a string or byte body goes through without streams or Headers; anything else is read as
// Fetch defines it.
import type { BodyReader, OutgoingResponse } from "../http/exchange.js";
import { hasField } from "../http/fields.js";
import { LightResponse, ReaderBody, type RawParts } from "./light-response.js";

type HeadersInit = ConstructorParameters<typeof Headers>[0];

/** toOutgoing converts what a handler returned into what the engine writes. */
export function toOutgoing(res: Response): OutgoingResponse {
  if (LightResponse.isLight(res)) return fromParts(LightResponse.rawParts(res));
  if (res.type === "error" || res.status === 0) throw new TypeError("a network error Response cannot be sent");
  const body = res.body;
  return {
    status: res.status,
    statusText: res.statusText,
    headers: flatten(res.headers),
    body: body === null ? null : (body.getReader() as BodyReader),
    bodyLength: -1,
  };
}

/**
 * IMPLIED_ONLY holds, for the Content-Types a body implies by itself (a string, JSON), the field
 * list of a response that sets no header: frozen and shared, so the engine may reuse its head.
 */
const IMPLIED_ONLY = new Map<string, readonly string[]>(
  ["text/plain;charset=UTF-8", "application/json"].map((type) => [type, Object.freeze(["Content-Type", type])]),
);

function fromParts(parts: RawParts): OutgoingResponse {
  const implied = parts.flat === null && parts.headers === undefined && parts.contentType !== null ? IMPLIED_ONLY.get(parts.contentType) : undefined;
  if (implied !== undefined) return withBody(parts, implied, true);
  const trusted = parts.flat !== null;
  const headers = parts.flat !== null ? (parts.flat as string[]) : flattenInit(parts.headers);
  if (!trusted && parts.contentType !== null && !(parts.headers instanceof Headers) && !hasField(headers, "content-type")) {
    headers.push("Content-Type", parts.contentType);
  }
  return withBody(parts, headers, trusted);
}

/** withBody completes an OutgoingResponse from the parts' body. */
function withBody(parts: RawParts, headers: readonly string[], trusted: boolean): OutgoingResponse {
  const source = parts.body;
  let body: OutgoingResponse["body"];
  let bodyLength = -1;
  if (source === null || typeof source === "string" || source instanceof Uint8Array) body = source;
  else if (source instanceof ReaderBody) {
    body = source.open();
    bodyLength = source.length;
  } else if (source instanceof Blob) {
    body = source.stream().getReader() as BodyReader;
    bodyLength = source.size;
  } else body = source.getReader();
  return { status: parts.status, statusText: parts.statusText, headers, body, bodyLength, trusted };
}

/** flattenInit turns any HeadersInit into the engine's flat [name, value, ...] list. */
function flattenInit(init: HeadersInit | undefined): string[] {
  if (init === undefined) return [];
  if (init instanceof Headers) return flatten(init);
  const out: string[] = [];
  if (Array.isArray(init)) {
    for (const pair of init) {
      if (pair.length !== 2) throw new TypeError("Headers: each header pair needs a name and a value");
      out.push(String(pair[0]), trimValue(String(pair[1])));
    }
    return out;
  }
  if (Symbol.iterator in (init as object)) return flatten(new Headers(init));
  const record = init as Record<string, string>;
  for (const name in record) out.push(name, trimValue(String(record[name])));
  return out;
}

function flatten(headers: Headers): string[] {
  const out: string[] = [];
  for (const [name, value] of headers) out.push(name, value);
  return out;
}

/** trimValue strips leading and trailing HTTP whitespace, as Headers normalizes values (Fetch §3.1.2). */
function trimValue(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (isHttpSpace(first) || isHttpSpace(last)) return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  return value;
}

function isHttpSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
