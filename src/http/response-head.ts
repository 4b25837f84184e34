// The response head: status line and header section (RFC 9112 §4 and §5), serialized in one string.
// The engine owns framing: Content-Length, Transfer-Encoding and Connection are its to write.
import { FIELD_VALUE, TOKEN } from "./chars.js";
import { httpDate } from "./http-date.js";
import { statusLine } from "./status-text.js";

/** Framing says how the body after a head is delimited. */
export interface Framing {
  /** contentLength is written when >= 0. */
  contentLength: number;
  chunked: boolean;
  /** connection is "close", "keep-alive" (HTTP/1.0 persistence) or "" for the HTTP/1.1 default. */
  connection: "" | "close" | "keep-alive";
}

/** ResponseHeadError is thrown for a header the engine refuses to send (it would corrupt the stream). */
export class ResponseHeadError extends TypeError {
  override name = "ResponseHeadError";
}

/** headerValue finds a response header by lowercase name in a flat list, or returns undefined. */
export function headerValue(headers: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return headers[i + 1];
  }
  return undefined;
}

/**
 * serializeHead writes the status line, the app's fields and the engine's framing fields.
 * The app's Content-Length, Transfer-Encoding, Connection and Keep-Alive are dropped: framing is ours.
 * It returns the head and whether it holds bytes above 0x7f (then it must be encoded as latin1, not UTF-8).
 */
export function serializeHead(
  status: number,
  statusText: string,
  headers: readonly string[],
  framing: Framing,
  trusted = false,
): { head: string; latin1: boolean } {
  let head = statusLine(status, validReason(statusText) ? statusText : "");
  let hasDate = false;
  let latin1 = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    if (trusted ? hasHighByte(value) : checkField(name, value)) latin1 = true;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === "date") hasDate = true;
        break;
      case 10:
        if (name.toLowerCase() === "connection" || name.toLowerCase() === "keep-alive") continue;
        break;
      case 14:
        if (name.toLowerCase() === "content-length") continue;
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") continue;
        break;
    }
    head += `${name}: ${value}\r\n`;
  }
  if (!hasDate) head += `Date: ${httpDate()}\r\n`;
  if (framing.contentLength >= 0) head += `Content-Length: ${framing.contentLength}\r\n`;
  else if (framing.chunked) head += "Transfer-Encoding: chunked\r\n";
  if (framing.connection === "close") head += "Connection: close\r\n";
  else if (framing.connection === "keep-alive") head += "Connection: keep-alive\r\n";
  return { head: head + "\r\n", latin1 };
}

/** checkField throws for a name that is not a token or a value with CR, LF, NUL or CTLs; it returns true for obs-text. */
function checkField(name: string, value: string): boolean {
  let high = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff || TOKEN[c] === 0) throw new ResponseHeadError(`invalid response header name ${JSON.stringify(name)}`);
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE[c] === 0) {
      throw new ResponseHeadError(`invalid character in response header ${JSON.stringify(name)}`);
    }
    if (c > 0x7f) high = true;
  }
  return high;
}

function hasHighByte(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** validReason accepts a reason-phrase of visible ASCII, SP and HTAB; anything else is replaced by the registered one. */
function validReason(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || FIELD_VALUE[c] === 0) return false;
  }
  return true;
}

/** bodyForbidden tells whether a status never carries content (RFC 9110 §6.4.1). */
export function bodyForbidden(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}
