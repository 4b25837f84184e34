// compileGlob: the glob patterns of sockserve.json `headers` rules, compiled once to a RegExp
// over a URL path: `*`, `**`, `?`, `[abc]`/`[!abc]`, `{a,b}` and `@(a|b)`, as in serve.json.

/** MAX_GLOB_LENGTH bounds one pattern, in characters. */
export const MAX_GLOB_LENGTH = 1024;

/** GlobError is a pattern that cannot be compiled; `message` says why. */
export class GlobError extends Error {}

/**
 * compileGlob compiles `pattern` to a RegExp matching a decoded URL path without its leading
 * "/" (a leading "/" in the pattern is ignored). `*` and `?` stay within a segment; `**` as a
 * whole segment crosses any number of them, none included.
 */
export function compileGlob(pattern: string): RegExp {
  if (pattern.length > MAX_GLOB_LENGTH) throw new GlobError(`is longer than ${MAX_GLOB_LENGTH} characters`);
  const body = pattern.replace(/^\/+/, "");
  const state = { i: 0, depth: 0 };
  const source = compileUntil(body, state, "");
  return new RegExp(`^${source}$`, "u");
}

/** compileUntil compiles from state.i to the closing character `end` ("" for the end of the pattern). */
function compileUntil(p: string, state: { i: number; depth: number }, end: string): string {
  let out = "";
  while (state.i < p.length) {
    const c = p[state.i];
    if (end !== "" && (c === end || c === (end === "}" ? "," : "|"))) return out;
    if (c === "*") out += star(p, state);
    else if (c === "[") out += charClass(p, state);
    else if (c === "{" || (c === "@" && p[state.i + 1] === "(")) out += alternatives(p, state, c === "{" ? "}" : ")");
    else out += literal(p, state);
  }
  if (end !== "") throw new GlobError(`has an unclosed "${end === "}" ? "{" : "@("}"`);
  return out;
}

function star(p: string, state: { i: number }): string {
  const double = p[state.i + 1] === "*";
  const start = state.i;
  state.i += double ? 2 : 1;
  if (!double) return "[^/]*";
  const segmentStart = start === 0 || p[start - 1] === "/";
  if (segmentStart && p[state.i] === "/") {
    state.i++;
    return "(?:.*/)?"; // "**/" matches no directory too
  }
  return ".*";
}

function charClass(p: string, state: { i: number }): string {
  const close = p.indexOf("]", state.i + 2);
  if (close === -1) throw new GlobError('has an unclosed "["');
  let inner = p.slice(state.i + 1, close);
  state.i = close + 1;
  const negate = inner.startsWith("!") || inner.startsWith("^");
  if (negate) inner = inner.slice(1);
  const safe = inner.replace(/[\\\]^]/g, "\\$&").replace(/\//g, "");
  return negate ? `[^/${safe}]` : `[${safe}]`;
}

function alternatives(p: string, state: { i: number; depth: number }, end: "}" | ")"): string {
  if (++state.depth > 8) throw new GlobError("nests alternatives more than 8 deep");
  state.i += end === "}" ? 1 : 2;
  const options: string[] = [];
  for (;;) {
    options.push(compileUntil(p, state, end));
    const c = p[state.i++];
    if (c === end) break;
  }
  state.depth--;
  return `(?:${options.join("|")})`;
}

/** literal compiles `?`, an escaped character ("\\*") or a plain one. */
function literal(p: string, state: { i: number }): string {
  const c = p[state.i++];
  if (c === "?") return "[^/]";
  if (c === "\\" && state.i < p.length) return escape(p[state.i++]);
  return escape(c);
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
