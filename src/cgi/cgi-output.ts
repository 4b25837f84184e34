// Parsing a script's response header block (RFC 3875 §6): Status, Content-Type, Location and
// other fields, and what kind of response they make (a document, a redirect, or a status alone).
import { isToken } from "../http/chars.js";

/** CgiResponseHead is a parsed header block. */
export interface CgiResponseHead {
  status: number;
  statusText: string;
  /** headers to send, flat: [name, value, ...] (Status and a local Location are not among them). */
  headers: string[];
  /**
   * kind: "document", a "client-redirect" (absolute Location), a "local-redirect" (a path to serve
   * instead), or "status-only": a Status without Content-Type, valid only if no body follows.
   */
  kind: "document" | "client-redirect" | "local-redirect" | "status-only";
  location: string | null;
}

/** CgiOutputError is a script's bad header block; the client gets 502. */
export class CgiOutputError extends Error {}

/** MAX_HEADER_BLOCK bounds the header block a script may write. */
export const MAX_HEADER_BLOCK = 64 * 1024;

/** findHeaderEnd returns [end of headers, start of body], or null when the blank line has not come. */
export function findHeaderEnd(buf: Buffer): [number, number] | null {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf === -1 && lf === -1) return null;
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return [crlf, crlf + 4];
  return [lf, lf + 2];
}

/** parseCgiHead parses the header block (without its blank line). */
export function parseCgiHead(block: string): CgiResponseHead {
  const headers: string[] = [];
  let status: number | null = null;
  let statusText = "";
  let location: string | null = null;
  let hasType = false;
  for (const raw of block.split(/\r?\n/)) {
    if (raw === "") continue;
    const colon = raw.indexOf(":");
    const name = colon > 0 ? raw.slice(0, colon) : "";
    if (!isToken(name)) throw new CgiOutputError(`malformed header line ${JSON.stringify(raw.slice(0, 80))}`);
    const value = raw.slice(colon + 1).trim();
    if (/[\0\r\n]/.test(value)) throw new CgiOutputError(`bad character in header ${name}`);
    const lower = name.toLowerCase();
    if (lower === "status") {
      const m = /^(\d{3})(?:\s+(.*))?$/.exec(value);
      if (m === null || Number(m[1]) < 100 || Number(m[1]) > 999) throw new CgiOutputError(`malformed Status ${JSON.stringify(value)}`);
      status = Number(m[1]);
      statusText = m[2] ?? "";
      continue;
    }
    if (lower === "location") location = value;
    if (lower === "content-type") hasType = true;
    headers.push(name, value);
  }
  if (location !== null && location.startsWith("/") && !location.startsWith("//") && (status === null || status === 200)) {
    // RFC 3875 §6.2.2: a local redirect is served by the server; the script's other fields do not apply.
    // With another Status (a 303 after a form post, say), the Location goes to the client as it is.
    return { status: 200, statusText: "", headers: [], kind: "local-redirect", location };
  }
  if (location !== null) {
    const local = location.startsWith("/") && !location.startsWith("//");
    if (!local && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(location)) throw new CgiOutputError(`Location is neither absolute nor a local path: ${JSON.stringify(location)}`);
    return { status: status ?? 302, statusText, headers, kind: "client-redirect", location };
  }
  if (!hasType) {
    // RFC 3875 §6.3.1 asks for Content-Type only "if an entity body is returned": a Status alone
    // (git http-backend's 403 and 404) stands if the script's output ends with its header block.
    if (status !== null) return { status, statusText, headers, kind: "status-only", location: null };
    throw new CgiOutputError("a document response needs Content-Type (RFC 3875 §6.3.1)");
  }
  return { status: status ?? 200, statusText, headers, kind: "document", location: null };
}
