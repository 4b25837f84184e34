// Conditional requests (RFC 9110 §13): validators and the precedence of §13.2.2.

/** Validators are what a representation offers to be compared against. */
export interface Validators {
  etag: string;
  /** lastModified in milliseconds, truncated to whole seconds as HTTP dates are. */
  lastModified: number;
}

/** FieldGetter reads a request field by lowercase name. */
export type FieldGetter = (lowerName: string) => string | null;

/** PreconditionResult is what the evaluation decided: go on, 304, or 412. */
export type PreconditionResult = "proceed" | "not-modified" | "failed";

/** evaluatePreconditions applies If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since in RFC 9110 §13.2.2 order. */
export function evaluatePreconditions(method: string, field: FieldGetter, v: Validators): PreconditionResult {
  const ifMatch = field("if-match");
  if (ifMatch !== null) {
    if (!matchesAny(ifMatch, v.etag, strongEqual)) return "failed";
  } else {
    const since = parseHttpDate(field("if-unmodified-since"));
    if (since !== null && v.lastModified > since) return "failed";
  }
  const ifNoneMatch = field("if-none-match");
  const safe = method === "GET" || method === "HEAD";
  if (ifNoneMatch !== null) {
    if (matchesAny(ifNoneMatch, v.etag, weakEqual)) return safe ? "not-modified" : "failed";
  } else if (safe) {
    const since = parseHttpDate(field("if-modified-since"));
    if (since !== null && v.lastModified <= since) return "not-modified";
  }
  return "proceed";
}

/** rangeApplies evaluates If-Range (RFC 9110 §13.1.5): a strong ETag match or an exact Last-Modified date. */
export function rangeApplies(field: FieldGetter, v: Validators): boolean {
  const ifRange = field("if-range");
  if (ifRange === null) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith("W/")) return strongEqual(value, v.etag);
  const date = parseHttpDate(value);
  return date !== null && date === v.lastModified;
}

/** matchesAny tests a field value (`*` or a list of entity-tags) against an ETag. */
function matchesAny(field: string, etag: string, equal: (a: string, b: string) => boolean): boolean {
  if (field.trim() === "*") return true;
  for (const tag of splitEtags(field)) if (equal(tag, etag)) return true;
  return false;
}

/** splitEtags splits a list of entity-tags; commas inside quotes belong to the tag. */
export function splitEtags(field: string): string[] {
  const tags: string[] = [];
  const re = /\s*((?:W\/)?"[^"]*")\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field)) !== null && m[0] !== "") tags.push(m[1]);
  return tags;
}

function strongEqual(a: string, b: string): boolean {
  return !a.startsWith("W/") && !b.startsWith("W/") && a === b;
}

function weakEqual(a: string, b: string): boolean {
  return opaque(a) === opaque(b);
}

function opaque(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/** parseHttpDate reads an HTTP-date (RFC 9110 §5.6.7) into ms, or null when absent or invalid. */
export function parseHttpDate(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
