// The HTTP/1.1 response head: framing decided from a ResponsePlan (RFC 9112 §6.3, §9.3), then the
// status line and header section (RFC 9112 §4, §5) serialized as one latin1 string, which is
// encoded to bytes by a plain copy. The engine owns framing: Content-Length, Transfer-Encoding
// and Connection are its to write.
import { FIELD_VALUE, TOKEN } from "./chars.js";
import { fieldValue, hasToken } from "./fields.js";
import { httpDate } from "./http-date.js";
import type { ResponsePlan } from "./response-plan.js";
import { statusLine } from "./status-text.js";

/** Framing says how the body after a head is delimited. */
export interface Framing {
  /** contentLength is written when >= 0. */
  contentLength: number;
  chunked: boolean;
  /** connection is "close", "keep-alive" (HTTP/1.0 persistence) or "" for the HTTP/1.1 default. */
  connection: "" | "close" | "keep-alive";
}

/** Http1Framing is the framing of one response and the connection decision that comes with it. */
export interface Http1Framing extends Framing {
  /** close is true when the connection must close after this response. */
  close: boolean;
}

/**
 * frameHttp1 settles how a planned response is delimited on an HTTP/1.x connection, and returns
 * whether the connection must close after it: because it was to close already (`last`), because
 * the app said `Connection: close`, or because an HTTP/1.0 body of unknown length ends with the
 * connection. It decides; the caller acts.
 */
export function frameHttp1(plan: ResponsePlan, versionMinor: 0 | 1, last: boolean): Http1Framing {
  let close = last || hasToken(fieldValue(plan.response.headers, "connection"), "close");
  let chunked = false;
  if (plan.delimited && plan.length < 0) {
    if (versionMinor === 1) chunked = true;
    else close = true; // HTTP/1.0: the body ends when the connection does
  }
  const connection = close ? "close" : versionMinor === 0 ? "keep-alive" : "";
  return { contentLength: plan.delimited || plan.length >= 0 ? plan.length : -1, chunked, connection, close };
}

/** informationalHead serializes a 1xx response (100 Continue, 101, 103 Early Hints) with its fields. */
export function informationalHead(status: number, fields: readonly string[]): string {
  let head = statusLine(status, "");
  for (let i = 0; i < fields.length; i += 2) {
    checkField(fields[i], fields[i + 1]);
    head += `${fields[i]}: ${fields[i + 1]}\r\n`;
  }
  return `${head}\r\n`;
}

/** ResponseHeadError is thrown for a header the engine refuses to send (it would corrupt the stream). */
export class ResponseHeadError extends TypeError {
  override name = "ResponseHeadError";
}

/**
 * serializeHead writes the status line, the app's fields and the engine's framing fields.
 * The app's Content-Length, Transfer-Encoding, Connection and Keep-Alive are dropped: framing is ours.
 * Every character of the result is an octet (field values are checked to be): `ascii` tells
 * whether all are below 0x80, so the head can share one UTF-8 encoding with a string body;
 * otherwise it is encoded as latin1, so obs-text bytes pass through as the app gave them.
 */
export function serializeHead(
  status: number,
  statusText: string,
  headers: readonly string[],
  framing: Framing,
  trusted = false,
): SerializedHead {
  // A frozen, trusted field list never changes: the same response shape in the same second has the same head.
  if (!trusted || !Object.isFrozen(headers)) return buildHead(status, statusText, headers, framing, trusted);
  const date = httpDate();
  const m = lastHead;
  if (m !== null && m.headers === headers && m.status === status && m.statusText === statusText && m.date === date &&
    m.contentLength === framing.contentLength && m.chunked === framing.chunked && m.connection === framing.connection) {
    return m.result;
  }
  const result = buildHead(status, statusText, headers, framing, true);
  lastHead = { headers, status, statusText, date, contentLength: framing.contentLength, chunked: framing.chunked, connection: framing.connection, result };
  return result;
}

/** SerializedHead is a response head's text; `ascii` tells whether every char is below 0x80. */
export interface SerializedHead {
  readonly head: string;
  readonly ascii: boolean;
}

/** lastHead is the last head made from a frozen field list, kept for the next response of the same shape. */
let lastHead: {
  headers: readonly string[];
  status: number;
  statusText: string;
  date: string;
  contentLength: number;
  chunked: boolean;
  connection: Framing["connection"];
  result: SerializedHead;
} | null = null;

function buildHead(status: number, statusText: string, headers: readonly string[], framing: Framing, trusted: boolean): SerializedHead {
  let head = statusLine(status, validReason(statusText) ? statusText : "");
  let hasDate = false;
  let ascii = true;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    if (trusted ? hasHighByte(value) : checkField(name, value)) ascii = false;
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
  return { head: head + "\r\n", ascii };
}

/**
 * checkField throws for a name that is not a token or a value with CR, LF, NUL, CTLs or chars
 * above 0xff; it returns true when the value holds obs-text (0x80 to 0xff).
 */
export function checkField(name: string, value: string): boolean {
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
