// The CGI meta-variables of RFC 3875 §4.1, built from a request. Only PATH and an operator's
// allow-list come from the server's own environment.
import type { HttpProtocol } from "../http/exchange.js";

/** CgiRequest is what the environment is built from. */
export interface CgiRequest {
  method: string;
  /** requestTarget is the raw request-target, as received. */
  requestTarget: string;
  protocol: HttpProtocol;
  /** headers as received, flat: [name, value, ...]. */
  headers: readonly string[];
  remoteAddress: string;
  remotePort: number;
  serverAddress: string;
  serverPort: number;
  encrypted: boolean;
  /** contentLength of the body, or -1 when unknown (chunked) or absent. */
  contentLength: number;
}

/** CgiScript says which script runs, and the rest of the path. */
export interface CgiScript {
  scriptName: string;
  scriptFilename: string;
  /** pathInfo is decoded (RFC 3875 §4.1.5), "" when none. */
  pathInfo: string;
  /** pathTranslated maps pathInfo under the document root, or "" when there is no pathInfo. */
  pathTranslated: string;
}

/** SERVER_SOFTWARE names this server to scripts. */
export const SERVER_SOFTWARE = "sockserve";

// Fields that already have their own meta-variable, and Proxy (httpoxy: a script would take it for HTTP_PROXY).
const SKIPPED = new Set(["content-type", "content-length", "proxy", "authorization", "connection", "transfer-encoding"]);

/** buildCgiEnv returns the environment for one script run. */
export function buildCgiEnv(req: CgiRequest, script: CgiScript, serverEnv: NodeJS.ProcessEnv, allow: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", ...allow]) {
    const value = serverEnv[name];
    if (value !== undefined) env[name] = value;
  }
  const q = req.requestTarget.indexOf("?");
  Object.assign(env, {
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_SOFTWARE,
    SERVER_PROTOCOL: req.protocol,
    SERVER_NAME: serverName(field(req.headers, "host"), req.serverAddress),
    SERVER_PORT: String(req.serverPort),
    REQUEST_METHOD: req.method,
    REQUEST_URI: req.requestTarget,
    QUERY_STRING: q === -1 ? "" : req.requestTarget.slice(q + 1),
    SCRIPT_NAME: script.scriptName,
    SCRIPT_FILENAME: script.scriptFilename,
    PATH_INFO: script.pathInfo,
    REMOTE_ADDR: req.remoteAddress,
    REMOTE_PORT: String(req.remotePort),
  });
  if (script.pathInfo !== "") env.PATH_TRANSLATED = script.pathTranslated;
  if (req.encrypted) env.HTTPS = "on";
  if (req.contentLength >= 0) env.CONTENT_LENGTH = String(req.contentLength);
  const type = field(req.headers, "content-type");
  if (type !== null) env.CONTENT_TYPE = type;
  const auth = basicAuth(field(req.headers, "authorization"));
  if (auth !== null) {
    env.AUTH_TYPE = "Basic";
    env.REMOTE_USER = auth;
  }
  for (let i = 0; i < req.headers.length; i += 2) {
    const lower = req.headers[i].toLowerCase();
    // "X_Foo" would become the same HTTP_X_FOO as "X-Foo" and could pass for a header a proxy set:
    // like Apache and nginx, fields with "_" are not passed.
    if (SKIPPED.has(lower) || lower.includes("_")) continue;
    const name = `HTTP_${lower.toUpperCase().replace(/-/g, "_")}`;
    // RFC 3875 §4.1.18: repeated fields are joined with ", ".
    env[name] = env[name] === undefined ? req.headers[i + 1] : `${env[name]}, ${req.headers[i + 1]}`;
  }
  return env;
}

function field(headers: readonly string[], lower: string): string | null {
  let value: string | null = null;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].toLowerCase() === lower) value = value === null ? headers[i + 1] : `${value}, ${headers[i + 1]}`;
  }
  return value;
}

/** serverName is the Host without its port, or the local address. */
function serverName(host: string | null, local: string): string {
  if (host === null || host === "") return local;
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.indexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

/** basicAuth returns the user of a Basic Authorization value, or null. */
function basicAuth(value: string | null): string | null {
  if (value === null) return null;
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (m === null) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? null : decoded.slice(0, colon);
}
