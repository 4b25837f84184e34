// validateRules: checks a parsed sockserve.json (or any value) against the StaticRules shape and
// names the first bad key, e.g. `redirects[2].status must be 301, 302, 303, 307 or 308`.
import { compileGlob, GlobError } from "./glob.js";
import { destinationNames, PathPattern, PatternError } from "./path-pattern.js";
import type { RedirectStatus, StaticRules } from "./static-rules.js";

/** MAX_RULES bounds each list (headers, redirects, rewrites), so matching stays cheap. */
export const MAX_RULES = 1000;

const STATUSES: readonly RedirectStatus[] = [301, 302, 303, 307, 308];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * RulesError is a rules value that does not fit {@link StaticRules}: `key` is the path to the
 * bad key (`redirects[2].status`), and `message` reads `<key> <what is wrong>`.
 *
 * @example
 * ```ts
 * import { RulesError, validateRules } from "sockserve";
 *
 * try {
 *   validateRules({ redirects: [{ source: "/a", destination: "/b", status: 200 }] });
 * } catch (err) {
 *   if (err instanceof RulesError) console.error(err.message); // redirects[0].status must be 301, ...
 * }
 * ```
 */
export class RulesError extends Error {
  /** key is where the problem is, such as `headers[0].source`; "" for the value itself. */
  readonly key: string;

  constructor(key: string, problem: string) {
    super(key === "" ? problem : `${key} ${problem}`);
    this.name = "RulesError";
    this.key = key;
  }
}

/**
 * validateRules returns `value` as {@link StaticRules} when it fits, and throws a
 * {@link RulesError} naming the first bad key otherwise. Unknown keys are errors (a typo in a
 * config file should not pass silently).
 *
 * @example
 * ```ts
 * import { validateRules } from "sockserve";
 *
 * const rules = validateRules(JSON.parse('{ "cleanUrls": true }'));
 * ```
 */
export function validateRules(value: unknown): StaticRules {
  const o = object(value, "", ["headers", "redirects", "rewrites", "cleanUrls", "trailingSlash"]);
  if (o.headers !== undefined) list(o.headers, "headers", headerRule);
  if (o.redirects !== undefined) list(o.redirects, "redirects", redirectRule);
  if (o.rewrites !== undefined) list(o.rewrites, "rewrites", rewriteRule);
  for (const key of ["cleanUrls", "trailingSlash"]) {
    if (o[key] !== undefined && typeof o[key] !== "boolean") throw new RulesError(key, "must be true or false");
  }
  return o;
}

function object(value: unknown, key: string, known: string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new RulesError(key, "must be an object");
  const o = value as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    const where = key === "" ? name : `${key}.${name}`;
    if (!known.includes(name)) throw new RulesError(where, `is not a known key (expected ${known.join(", ")})`);
  }
  return o;
}

function list(value: unknown, key: string, each: (item: unknown, key: string) => void): void {
  if (!Array.isArray(value)) throw new RulesError(key, "must be an array");
  if (value.length > MAX_RULES) throw new RulesError(key, `must have at most ${MAX_RULES} rules`);
  value.forEach((item, i) => each(item, `${key}[${i}]`));
}

function text(value: unknown, key: string): string {
  if (typeof value !== "string" || value === "") throw new RulesError(key, "must be a non-empty string");
  if (/[\r\n\0]/.test(value)) throw new RulesError(key, "must not contain CR, LF or NUL");
  return value;
}

function headerRule(item: unknown, key: string): void {
  const o = object(item, key, ["source", "headers"]);
  try {
    compileGlob(text(o.source, `${key}.source`));
  } catch (err) {
    if (err instanceof GlobError) throw new RulesError(`${key}.source`, err.message);
    throw err;
  }
  list(o.headers, `${key}.headers`, (h, hkey) => {
    const field = object(h, hkey, ["key", "value"]);
    if (typeof field.key !== "string" || !TOKEN.test(field.key)) throw new RulesError(`${hkey}.key`, "must be a header name (letters, digits and !#$%&'*+-.^_`|~)");
    if (typeof field.value !== "string") throw new RulesError(`${hkey}.value`, "must be a string");
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(field.value)) throw new RulesError(`${hkey}.value`, "must be Latin-1 text without control characters (CR, LF, NUL)");
  });
}

function pathRule(o: Record<string, unknown>, key: string, destinationOk: RegExp, destinationRule: string): void {
  let pattern: PathPattern;
  try {
    pattern = new PathPattern(text(o.source, `${key}.source`));
  } catch (err) {
    if (err instanceof PatternError) throw new RulesError(`${key}.source`, err.message);
    throw err;
  }
  const destination = text(o.destination, `${key}.destination`);
  if (!/^[\x21-\x7e]+$/.test(destination)) throw new RulesError(`${key}.destination`, "must be visible ASCII (percent-encode spaces and other characters)");
  if (!destinationOk.test(destination)) throw new RulesError(`${key}.destination`, `must be ${destinationRule}`);
  for (const name of destinationNames(destination)) {
    if (!pattern.names.has(name)) throw new RulesError(`${key}.destination`, `uses ${name === "*" ? "*" : `:${name}`}, which source does not capture`);
  }
}

function redirectRule(item: unknown, key: string): void {
  const o = object(item, key, ["source", "destination", "status"]);
  pathRule(o, key, /^(\/(?!\/)|https?:\/\/[^/?#]+)/, 'a path starting with "/" or an http(s):// URL');
  if (o.status !== undefined && !STATUSES.includes(o.status as RedirectStatus)) throw new RulesError(`${key}.status`, "must be 301, 302, 303, 307 or 308");
}

function rewriteRule(item: unknown, key: string): void {
  const o = object(item, key, ["source", "destination"]);
  pathRule(o, key, /^\/(?!\/)[^?#]*$/, 'a path starting with "/", without "?" or "#"');
}
