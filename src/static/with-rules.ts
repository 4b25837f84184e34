// withRules: sockserve.json's rules as a handler wrapper: redirects (cleanUrls, trailingSlash,
// then the list), clean-URL and rewrite lookups by asking the handler again, and headers by glob.
import { requestPath } from "../fetch/incoming-request.js";
import { LightResponse } from "../fetch/light-response.js";
import { compileGlob } from "./glob.js";
import { fillDestination, PathPattern } from "./path-pattern.js";
import { queryOfUrl } from "./resolve-path.js";
import type { StaticRules } from "./static-rules.js";

type Handler<A extends unknown[]> = (request: Request, ...rest: A) => Response | Promise<Response>;

/** StaticRulesOptions are settings of {@link withRules} that are not rules. */
export interface StaticRulesOptions {
  /** hide lists decoded URL paths answered with 404 whatever the handler has there (the config file itself). */
  hide?: string[];
}

interface Compiled {
  headers: { glob: RegExp; fields: [string, string][] }[];
  redirects: { pattern: PathPattern; destination: string; status: number }[];
  rewrites: { pattern: PathPattern; destination: string }[];
  cleanUrls: boolean;
  trailingSlash: boolean | undefined;
  hide: Set<string>;
}

const REASON: Record<number, string> = { 301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect", 308: "Permanent Redirect" };

/**
 * withRules wraps a handler (usually {@link serveStatic}) with {@link StaticRules}. Redirects
 * come first; a GET or HEAD is then served from `path.html` (cleanUrls), from the path itself,
 * and, when that is a 404, from the first matching rewrite. Headers rules add their fields to
 * every response whose request path matches. Validate untrusted rules with {@link validateRules}.
 *
 * @example
 * ```ts
 * import { serve, serveStatic, withRules } from "sockserve";
 *
 * const files = serveStatic({ root: "./public" });
 * await serve({ port: 0, fetch: withRules({ cleanUrls: true, rewrites: [{ source: "/*", destination: "/index.html" }] }, files) });
 * ```
 */
export function withRules<A extends unknown[]>(rules: StaticRules, handler: Handler<A>, options: StaticRulesOptions = {}): Handler<A> {
  const c = compile(rules, options);
  const serve = async (req: Request, raw: string, query: string, rest: A, rewritten: boolean): Promise<Response> => {
    for (const candidate of cleanCandidates(c, raw)) {
      const res = await handler(at(req, candidate, query), ...rest);
      if (res.status !== 404) return res;
      discard(res);
    }
    const res = await handler(raw === requestPath(req) ? req : at(req, raw, query), ...rest);
    const rewrite = res.status === 404 && !rewritten ? firstMatch(c.rewrites, decodePath(raw) ?? "") : null;
    if (rewrite !== null) {
      discard(res);
      const destination = fillDestination(rewrite.rule.destination, rewrite.captures);
      if (isHidden(c, decodePath(destination) ?? "")) return notFound(); // a rewrite cannot reach the config file either
      return serve(req, destination, query, rest, true);
    }
    // trailingSlash false: a directory's own "add the slash" redirect is followed here instead of looping.
    if (c.trailingSlash === false && res.status === 301 && res.headers.get("location") === `${raw}/${query}`) {
      discard(res);
      return handler(at(req, `${raw}/`, query), ...rest);
    }
    return res;
  };
  return (req, ...rest) => {
    const raw = requestPath(req);
    const path = decodePath(raw);
    if (path === null) return handler(req, ...rest); // the handler refuses what cannot be decoded
    const answer = route(c, req, raw, path, (r, q) => serve(req, r, q, rest, false), () => handler(req, ...rest));
    const fields = c.headers.filter((h) => h.glob.test(path.slice(1))).flatMap((h) => h.fields);
    if (fields.length === 0) return answer;
    return answer instanceof Promise ? answer.then((res) => withFields(res, fields)) : withFields(answer, fields);
  };
}

function route(c: Compiled, req: Request, raw: string, path: string, serve: (raw: string, query: string) => Promise<Response>, pass: () => Response | Promise<Response>): Response | Promise<Response> {
  if (isHidden(c, path)) return notFound();
  const query = queryOfUrl(req.url);
  const target = builtInRedirect(c, raw, query) ?? ruleRedirect(c, path, query);
  if (target !== null) return redirect(target.status, target.location);
  if (req.method !== "GET" && req.method !== "HEAD") return pass();
  return serve(raw, query);
}

function compile(rules: StaticRules, options: StaticRulesOptions): Compiled {
  return {
    headers: (rules.headers ?? []).map((h) => ({ glob: compileGlob(h.source), fields: h.headers.map((f): [string, string] => [f.key, f.value]) })),
    redirects: (rules.redirects ?? []).map((r) => ({ pattern: new PathPattern(r.source), destination: r.destination, status: r.status ?? 301 })),
    rewrites: (rules.rewrites ?? []).map((r) => ({ pattern: new PathPattern(r.source), destination: r.destination })),
    cleanUrls: rules.cleanUrls === true,
    trailingSlash: rules.trailingSlash,
    hide: new Set(options.hide ?? []),
  };
}

/** builtInRedirect is the cleanUrls and trailingSlash redirect for `raw`, or null. */
function builtInRedirect(c: Compiled, raw: string, query: string): { status: number; location: string } | null {
  // A path's leading slashes collapse to one, so a Location can never become "//host" (no open redirect).
  const one = (path: string): { status: number; location: string } => ({ status: 301, location: path.replace(/^\/+/, "/") + query });
  const last = raw.slice(raw.lastIndexOf("/") + 1);
  if (c.cleanUrls && last.endsWith(".html")) {
    let to = raw.slice(0, -".html".length);
    if (to.endsWith("/index")) to = to.slice(0, -"index".length);
    if (c.trailingSlash === false && to.length > 1) to = to.replace(/\/+$/, "");
    return one(to === "" ? "/" : to);
  }
  if (c.trailingSlash === true && last !== "" && !last.includes(".")) return one(`${raw}/`);
  if (c.trailingSlash === false && raw.length > 1 && raw.endsWith("/")) return one(raw.replace(/\/+$/, "") || "/");
  return null;
}

function ruleRedirect(c: Compiled, path: string, query: string): { status: number; location: string } | null {
  const found = firstMatch(c.redirects, path);
  if (found === null) return null;
  const location = fillDestination(found.rule.destination, found.captures);
  return { status: found.rule.status, location: location.includes("?") ? location : location + query };
}

function firstMatch<R extends { pattern: PathPattern }>(rules: R[], path: string): { rule: R; captures: Record<string, string> } | null {
  for (const rule of rules) {
    const captures = rule.pattern.match(path);
    if (captures !== null) return { rule, captures };
  }
  return null;
}

/** cleanCandidates lists the paths cleanUrls tries before `raw` itself. */
function cleanCandidates(c: Compiled, raw: string): string[] {
  if (!c.cleanUrls || raw === "/") return [];
  const last = raw.slice(raw.lastIndexOf("/") + 1);
  if (last === "") return c.trailingSlash === true ? [`${raw.replace(/\/+$/, "")}.html`] : [];
  if (last.includes(".")) return [];
  return c.trailingSlash === false ? [`${raw}.html`, `${raw}/index.html`] : [`${raw}.html`];
}

/** decodePath decodes a raw path for matching, or null for one the handler must judge (bad escapes, "\", NUL). */
function decodePath(raw: string): string | null {
  if (raw.includes("\\")) return null;
  try {
    const path = decodeURIComponent(raw);
    return path.includes("\0") ? null : path;
  } catch {
    return null;
  }
}

/** at is `req` as if it asked for `path`: only `url` differs, so the handler's lookups see the new path. */
function at(req: Request, path: string, query: string): Request {
  const url = req.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  const next = (start === -1 ? url : url.slice(0, start)) + path.replace(/^\/+/, "/") + query;
  return new Proxy(req, {
    get(target, key) {
      if (key === "url") return next;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    // Not the engine's own request class, so helpers read `url` instead of the raw request-target.
    getPrototypeOf: () => Request.prototype,
  });
}

/** isHidden tells whether a decoded path names a hidden file, however its slashes are written. */
function isHidden(c: Compiled, path: string): boolean {
  return c.hide.size > 0 && c.hide.has(`/${path.split("/").filter((s) => s !== "").join("/")}`);
}

function notFound(): Response {
  return LightResponse.trusted(404, [["Content-Type", "text/plain; charset=utf-8"], ["X-Content-Type-Options", "nosniff"]], "404 Not Found\n");
}

function redirect(status: number, location: string): Response {
  return LightResponse.trusted(status, [["Location", location], ["Content-Type", "text/plain; charset=utf-8"]], `${status} ${REASON[status] ?? "Redirect"}\n`);
}

function withFields(res: Response, fields: [string, string][]): Response {
  let out = res;
  try {
    for (const [key, value] of fields) out.headers.set(key, value);
  } catch {
    out = new Response(res.body, res); // a Response whose headers are immutable (one from fetch())
    for (const [key, value] of fields) out.headers.set(key, value);
  }
  return out;
}

function discard(res: Response): void {
  res.body?.cancel().catch(() => {});
}
