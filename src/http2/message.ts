// HTTP/2 messages (RFC 9113 §8): a decoded request field list checked and turned into the shared
// RequestHead (§8.3.1 pseudo-headers, §8.2.2 connection-specific fields), trailers checked, and a
// response's fields made ready for HPACK (lowercase names, connection-specific fields dropped).
import type { RequestHead } from "../http/exchange.js";
import { parseLength } from "../http/fields.js";
import { httpDate } from "../http/http-date.js";
import { checkField } from "../http/response-head.js";
import { streamError, type H2Error } from "./h2-error.js";

/** CONNECTION_SPECIFIC names the fields RFC 9113 §8.2.2 forbids in HTTP/2 (te is checked apart). */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

/** PseudoHeaders collects a request's pseudo-header fields. */
interface PseudoHeaders {
  method: string | null;
  scheme: string | null;
  authority: string | null;
  path: string | null;
  protocol: string | null;
}

/**
 * requestHeadOf checks a request's decoded field list (§8.3.1, §8.2) and builds its RequestHead.
 * A malformed request is a stream PROTOCOL_ERROR (§8.1.1), thrown.
 */
export function requestHeadOf(fields: readonly string[], streamId: number): RequestHead {
  const malformed = (why: string): H2Error => streamError("PROTOCOL_ERROR", `malformed request: ${why}`, streamId);
  const pseudo: PseudoHeaders = { method: null, scheme: null, authority: null, path: null, protocol: null };
  const headers: string[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (name.charCodeAt(0) === 0x3a) {
      // §8.3: "All pseudo-header fields MUST appear in a field block before all regular field lines"
      if (headers.length > 0) throw malformed(`${name} after a regular field`);
      setPseudo(pseudo, name, value, malformed);
      continue;
    }
    checkFieldName(name, value, malformed);
    headers.push(name, value);
  }
  return headOf(pseudo, headers, malformed);
}

function setPseudo(pseudo: PseudoHeaders, name: string, value: string, malformed: (why: string) => H2Error): void {
  const key = name.slice(1) as keyof PseudoHeaders;
  if (!(key in pseudo) || name === ":status") throw malformed(`unknown pseudo-header ${name}`);
  if (pseudo[key] !== null) throw malformed(`${name} twice`);
  pseudo[key] = value;
}

/** checkFieldName applies §8.2.1 and §8.2.2 to one regular field. */
function checkFieldName(name: string, value: string, malformed: (why: string) => H2Error): void {
  if (name.length === 0) throw malformed("empty field name");
  for (let j = 0; j < name.length; j++) {
    const c = name.charCodeAt(j);
    // §8.2.1: field names "MUST be converted to lowercase"; a name with uppercase is malformed
    if ((c >= 0x41 && c <= 0x5a) || c <= 0x20 || c >= 0x7f || c === 0x3a) throw malformed(`bad field name ${JSON.stringify(name)}`);
  }
  if (CONNECTION_SPECIFIC.has(name)) throw malformed(`connection-specific field ${name}`);
  if (name === "te" && value.trim().toLowerCase() !== "trailers") throw malformed("te other than trailers");
  for (let j = 0; j < value.length; j++) {
    const c = value.charCodeAt(j);
    if (c === 0 || c === 0x0a || c === 0x0d) throw malformed(`bad value for ${name}`);
  }
}

function headOf(p: PseudoHeaders, headers: string[], malformed: (why: string) => H2Error): RequestHead {
  if (p.method === null) throw malformed(":method missing");
  let authority = p.authority;
  if (authority === null) {
    const i = headers.indexOf("host");
    authority = i !== -1 && i % 2 === 0 ? headers[i + 1] : null;
  }
  const length = contentLengthOf(headers, malformed);
  const base = { method: p.method, protocol: "HTTP/2" as const, headers, contentLength: length };
  if (p.method === "CONNECT" && p.protocol === null) {
    // §8.5: CONNECT has only :method and :authority
    if (p.scheme !== null || p.path !== null || p.authority === null) throw malformed("CONNECT needs :authority alone");
    return { ...base, scheme: "", authority: p.authority, path: p.authority };
  }
  if (p.protocol !== null) throw malformed(":protocol without extended CONNECT");
  if (p.scheme === null || p.path === null) throw malformed(":scheme or :path missing");
  // §8.3.1: ":path ... MUST NOT be empty"; "*" only for OPTIONS
  if (p.path === "" || (p.path === "*" ? p.method !== "OPTIONS" : p.path.charCodeAt(0) !== 0x2f && !/^[a-z][a-z0-9+.-]*:/i.test(p.path))) {
    throw malformed(`bad :path ${JSON.stringify(p.path)}`);
  }
  return { ...base, scheme: p.scheme, authority: authority ?? "", path: p.path };
}

/** contentLengthOf reads content-length (every copy must agree), or -1. */
function contentLengthOf(headers: readonly string[], malformed: (why: string) => H2Error): number {
  let length = -1;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== "content-length") continue;
    const n = parseLength(headers[i + 1]);
    if (n < 0 || (length >= 0 && n !== length)) throw malformed("bad content-length");
    length = n;
  }
  return length;
}

/** checkTrailers checks a trailer section (§8.1): no pseudo-headers, and the §8.2 field rules. */
export function checkTrailers(fields: readonly string[], streamId: number): string[] {
  const malformed = (why: string): H2Error => streamError("PROTOCOL_ERROR", `malformed trailers: ${why}`, streamId);
  const out: string[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    if (name.charCodeAt(0) === 0x3a) throw malformed(`pseudo-header ${name}`);
    checkFieldName(name, fields[i + 1], malformed);
    out.push(name, fields[i + 1]);
  }
  return out;
}

/**
 * responseFields is a response's field list for HPACK: `:status` first, names lowercased, the
 * connection-specific fields (§8.2.2) a handler may have set left out, `date` added when absent.
 * Untrusted fields are checked as on HTTP/1.1 (a ResponseHeadError is thrown for a bad one).
 */
export function responseFields(status: number, headers: readonly string[], contentLength = -1, trusted = false): string[] {
  const out = [":status", String(status)];
  let lengthSeen = false;
  let dateSeen = false;
  for (let i = 0; i < headers.length; i += 2) {
    if (!trusted) checkField(headers[i], headers[i + 1]);
    const name = headers[i].toLowerCase();
    if (CONNECTION_SPECIFIC.has(name) || name === "te") continue;
    if (name === "date") dateSeen = true;
    if (name === "content-length") {
      if (contentLength < 0 || lengthSeen) continue;
      lengthSeen = true;
      out.push(name, String(contentLength));
      continue;
    }
    out.push(name, headers[i + 1]);
  }
  if (!lengthSeen && contentLength >= 0) out.push("content-length", String(contentLength));
  if (!dateSeen && status >= 200) out.push("date", httpDate());
  return out;
}
