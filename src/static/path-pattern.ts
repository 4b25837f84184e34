// PathPattern: the `source` of sockserve.json redirects and rewrites (`/blog/:slug`, `/app/*`)
// matched against a decoded URL path, and the `destination` its captures are put into.

/** PatternError is a source or destination that cannot be used; `message` says why. */
export class PatternError extends Error {}

/** Captures are a match's values: `:name` segments by name, the rest of the path as "*". */
export type Captures = Record<string, string>;

type Part = { kind: "literal"; value: string } | { kind: "param"; name: string } | { kind: "rest" };

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * PathPattern matches paths segment by segment: a literal, `:name` (one segment) or, last, `*`
 * (also spelled `**`): the rest of the path, none included. Empty segments are ignored.
 */
export class PathPattern {
  readonly #parts: Part[];
  /** names lists what a match captures ("*" for the rest). */
  readonly names: ReadonlySet<string>;

  constructor(source: string) {
    const segments = source.split("/").filter((s) => s !== "");
    this.#parts = segments.map((s, i) => {
      if (s === "*" || s === "**") {
        if (i !== segments.length - 1) throw new PatternError(`may use ${s} only as its last segment`);
        return { kind: "rest" };
      }
      const param = PARAM.exec(s);
      if (param !== null) return { kind: "param", name: param[1] };
      if (s.startsWith(":")) throw new PatternError(`has a bad parameter name "${s}" (letters, digits and _)`);
      if (s.includes("*")) throw new PatternError(`may use * only as a whole last segment, not in "${s}" (headers take globs; sources take :name and *)`);
      return { kind: "literal", value: s };
    });
    this.names = new Set(this.#parts.flatMap((p) => (p.kind === "param" ? [p.name] : p.kind === "rest" ? ["*"] : [])));
  }

  /** match returns the captures for the decoded `path`, or null when it does not match. */
  match(path: string): Captures | null {
    const segments = path.split("/").filter((s) => s !== "");
    const captures: Captures = {};
    for (let i = 0; i < this.#parts.length; i++) {
      const part = this.#parts[i];
      if (part.kind === "rest") {
        captures["*"] = segments.slice(i).join("/");
        return captures;
      }
      const segment = segments[i];
      if (segment === undefined) return null;
      if (part.kind === "literal" && part.value !== segment) return null;
      if (part.kind === "param") captures[part.name] = segment;
    }
    return segments.length === this.#parts.length ? captures : null;
  }
}

/** destinationNames lists the `:name` and `*` placeholders a destination uses. */
export function destinationNames(destination: string): string[] {
  const names = [...destination.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  // "*" is a placeholder only as a whole path segment, so a query like "?q=*" stays literal.
  if (/(^|\/)\*(\/|$)/.test(pathPart(destination))) names.push("*");
  return names;
}

/** fillDestination puts the captures, percent-encoded, into `destination` (in one pass, so a value is never filled twice). */
export function fillDestination(destination: string, captures: Captures): string {
  const path = pathPart(destination);
  const param = (whole: string, name: string): string => (name in captures ? encodeURIComponent(captures[name]) : whole);
  const filledPath = path.replace(/:([A-Za-z_][A-Za-z0-9_]*)|(^|\/)\*(?=\/|$)/g, (whole, name: string | undefined, lead: string | undefined) => {
    if (name !== undefined) return param(whole, name);
    return (lead ?? "") + (captures["*"] ?? "").split("/").map(encodeURIComponent).join("/");
  });
  return filledPath + destination.slice(path.length).replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, param);
}

/** pathPart is the part of a destination before its query or fragment, scheme and host included. */
function pathPart(destination: string): string {
  const end = destination.search(/[?#]/);
  return end === -1 ? destination : destination.slice(0, end);
}
