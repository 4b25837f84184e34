// Access log entries and their common, combined and JSON line formats.
import type { Exchange, HttpProtocol } from "../http/exchange.js";
import { fieldValue } from "../http/fields.js";

/**
 * AccessLogEntry describes one finished (or cut short) exchange; `serve({ accessLog })` receives
 * one per request, and {@link formatAccessLog} renders it.
 *
 * @example
 * ```ts
 * import { serve, type AccessLogEntry } from "sockserve";
 *
 * const warnSlow = (entry: AccessLogEntry): void => {
 *   if (entry.durationMs > 1000) console.warn(`slow: ${entry.method} ${entry.target} ${entry.status}`);
 * };
 * await serve({ port: 0, accessLog: warnSlow, fetch: () => new Response("hi") });
 * ```
 */
export interface AccessLogEntry {
  /** time is when the exchange ended. */
  time: Date;
  /** remoteAddress is the client's IP address. */
  remoteAddress: string;
  /** method is the request method. */
  method: string;
  /** target is the request-target as sent (path and query; for HTTP/2 the :path). */
  target: string;
  /** protocol is the protocol the request came over ("HTTP/2" is written "HTTP/2.0" in log lines). */
  protocol: HttpProtocol;
  /** status sent, or 0 when the client left before a response began. */
  status: number;
  /** bodyBytes is how many content bytes were actually sent. */
  bodyBytes: number;
  /** durationMs from the end of the request head to the last byte handed to the socket. */
  durationMs: number;
  /** referer is the Referer header, or "". */
  referer: string;
  /** userAgent is the User-Agent header, or "". */
  userAgent: string;
  /** user is the name in the request's `Authorization: Basic` credentials (as nginx's $remote_user), or "". */
  user?: string;
  /** requestId is the client's X-Request-Id, or one made up for this request. */
  requestId: string;
  /** completed is false when the client went away before the response was complete. */
  completed: boolean;
}

/**
 * AccessLogFormat names the line formats of {@link formatAccessLog}: Apache's `common` and
 * `combined` (with the response time appended), or `json`.
 *
 * @example
 * ```ts
 * import { formatAccessLog, serve, type AccessLogFormat } from "sockserve";
 *
 * const format: AccessLogFormat = process.env.LOG_JSON ? "json" : "common";
 * await serve({ port: 0, accessLog: (entry) => console.log(formatAccessLog(format, entry)), fetch: () => new Response("hi") });
 * ```
 */
export type AccessLogFormat = "common" | "combined" | "json";

/** accessLogEntry builds the entry for an exchange. */
export function accessLogEntry(ex: Exchange): AccessLogEntry {
  const { head } = ex;
  return {
    time: new Date(),
    remoteAddress: ex.peer.remoteAddress,
    method: head.method,
    target: head.path,
    protocol: head.protocol,
    status: ex.status,
    bodyBytes: ex.bodyBytes,
    durationMs: performance.now() - ex.startTime,
    referer: fieldValue(head.headers, "referer") ?? "",
    userAgent: fieldValue(head.headers, "user-agent") ?? "",
    user: basicUser(fieldValue(head.headers, "authorization") ?? ""),
    requestId: ex.requestId() ?? nextRequestId(),
    completed: ex.responseDone,
  };
}

/**
 * formatAccessLog renders an {@link AccessLogEntry} as one line (without a newline). `common`
 * and `combined` follow Apache's formats, with the response time in seconds appended (as nginx's
 * $request_time); `json` is one object per line.
 *
 * @example
 * ```ts
 * import { formatAccessLog, serve } from "sockserve";
 *
 * await serve({
 *   port: 0,
 *   accessLog: (entry) => console.log(formatAccessLog("combined", entry)),
 *   fetch: () => new Response("hi"),
 * });
 * // 127.0.0.1 - - [22/Nov/2026:09:59:10 +0000] "GET / HTTP/1.1" 200 2 "-" "curl/7.88.1" 0.001
 * ```
 */
export function formatAccessLog(format: AccessLogFormat, e: AccessLogEntry): string {
  if (format === "json") {
    return JSON.stringify({
      time: e.time.toISOString(),
      remote: e.remoteAddress,
      method: e.method,
      target: e.target,
      protocol: e.protocol,
      status: e.status,
      bytes: e.bodyBytes,
      duration_ms: Math.round(e.durationMs * 1000) / 1000,
      referer: e.referer || undefined,
      user_agent: e.userAgent || undefined,
      user: e.user || undefined,
      request_id: e.requestId || undefined,
      completed: e.completed,
    });
  }
  const request = quote(`${e.method} ${e.target} ${e.protocol === "HTTP/2" ? "HTTP/2.0" : e.protocol}`);
  let line = `${e.remoteAddress || "-"} - ${e.user ? quote(e.user).slice(1, -1).replace(/ /g, "\\x20") : "-"} [${clfDate(e.time)}] ${request} ${e.status || "-"} ${e.bodyBytes}`;
  if (format === "combined") line += ` ${quote(e.referer || "-")} ${quote(e.userAgent || "-")}`;
  return `${line} ${(e.durationMs / 1000).toFixed(3)}`;
}

const ID_PREFIX = `${process.pid.toString(36)}-${Date.now().toString(36)}`;
let idCounter = 0;

/** nextRequestId makes a process-unique id for requests that brought none. */
function nextRequestId(): string {
  return `${ID_PREFIX}-${(++idCounter).toString(36)}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** clfDate formats `10/Oct/2000:13:55:36 +0000` (in UTC). */
function clfDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** quote wraps a value in double quotes, escaping quotes, backslashes and control bytes, so a line cannot be forged. */
function quote(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c ? `\\x${c.toString(16).padStart(2, "0")}` : value[i];
  }
  return `"${out}"`;
}

/** basicUser is the user name of Basic credentials (RFC 7617 §2), or "". */
function basicUser(authorization: string): string {
  const m = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization);
  if (m === null) return "";
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  return decoded.includes(":") ? decoded.slice(0, decoded.indexOf(":")) : "";
}
