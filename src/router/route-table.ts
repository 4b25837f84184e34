// RouteTable: Bun's `routes` compiled once into a map of exact paths, a segment tree for
// `:param` paths and a list of `*` prefixes, so matching builds no regular expressions.

/**
 * RouteHandler is a route's fetch function; `request.params` holds the decoded path parameters
 * (`"*"` for the rest of a wildcard path). `S` is the server type.
 *
 * @example
 * ```ts
 * import { serve, type RouteHandler, type Server } from "sockserve";
 *
 * const hello: RouteHandler<Server> = (req) => new Response(`hello ${req.params.name}`);
 * await serve({ port: 0, routes: { "/hello/:name": hello } });
 * ```
 */
export type RouteHandler<S> = (request: Request & { params: Record<string, string> }, server: S) => Response | Promise<Response> | undefined | void | Promise<Response | undefined | void>;

/**
 * MethodHandlers maps request methods (`"GET"`, `"POST"`, ..., or `"*"` for any) to
 * {@link RouteHandler}s. Other methods get 405 with `Allow`; HEAD runs GET.
 *
 * @example
 * ```ts
 * import { serve, type MethodHandlers, type Server } from "sockserve";
 *
 * const todos: MethodHandlers<Server> = {
 *   GET: () => Response.json([]),
 *   POST: async (req) => Response.json(await req.json(), { status: 201 }),
 * };
 * await serve({ port: 0, routes: { "/todos": todos } });
 * ```
 */
export type MethodHandlers<S> = Partial<Record<string, RouteHandler<S>>>;

/** RouteValue is what `routes` may hold for a path. */
export type RouteValue<S> = Response | RouteHandler<S> | MethodHandlers<S>;

/** Match is a found route: its handlers (by method, "*" for any) and parameters. */
export interface Match<S> {
  methods: MethodHandlers<S>;
  params: Record<string, string>;
  pattern: string;
}

interface Node<S> {
  statics: Map<string, Node<S>>;
  param: { name: string; node: Node<S> } | null;
  route: { methods: MethodHandlers<S>; pattern: string; names: string[] } | null;
}

const node = <S>(): Node<S> => ({ statics: new Map(), param: null, route: null });

/** RouteTable matches paths against compiled patterns: exact beats `:param`, which beats `*`. */
export class RouteTable<S> {
  #exact = new Map<string, Match<S>>();
  #tree: Node<S> = node();
  #wildcards: { prefix: string; methods: MethodHandlers<S>; pattern: string }[] = [];

  /** add compiles one pattern: "/a/b", "/a/:id", or "/a/*". */
  add(pattern: string, methods: MethodHandlers<S>): void {
    if (!pattern.startsWith("/")) throw new TypeError(`route "${pattern}" must start with "/"`);
    if (pattern.endsWith("/*") || pattern === "*") {
      const prefix = pattern === "*" ? "/" : pattern.slice(0, -1);
      this.#wildcards.push({ prefix, methods, pattern });
      this.#wildcards.sort((a, b) => b.prefix.length - a.prefix.length); // longest prefix first
      return;
    }
    if (!pattern.includes("/:")) {
      this.#exact.set(pattern, { methods, params: {}, pattern });
      return;
    }
    let at = this.#tree;
    const names: string[] = [];
    for (const segment of pattern.split("/").slice(1)) {
      if (segment.startsWith(":")) {
        const name = segment.slice(1);
        if (name === "" || names.includes(name)) throw new TypeError(`route "${pattern}" has a bad or repeated parameter`);
        if (at.param !== null && at.param.name !== name) throw new TypeError(`route "${pattern}" names a parameter differently from another route`);
        at.param ??= { name, node: node() };
        names.push(name);
        at = at.param.node;
      } else {
        let next = at.statics.get(segment);
        if (next === undefined) at.statics.set(segment, (next = node()));
        at = next;
      }
    }
    at.route = { methods, pattern, names };
  }

  /** match finds the route for a raw (percent-encoded) path, or null. */
  match(path: string): Match<S> | null {
    const exact = this.#exact.get(path);
    if (exact !== undefined) return exact;
    const found = this.#walk(this.#tree, path.split("/"), 1, []);
    if (found !== null) return found;
    for (const w of this.#wildcards) {
      if (path.startsWith(w.prefix) || path === w.prefix.slice(0, -1)) {
        return { methods: w.methods, params: { "*": safeDecode(path.slice(w.prefix.length)) }, pattern: w.pattern };
      }
    }
    return null;
  }

  /** #walk prefers a static segment over a parameter at every level, backtracking when a branch fails. */
  #walk(at: Node<S>, segments: string[], i: number, values: string[]): Match<S> | null {
    if (i === segments.length) {
      if (at.route === null) return null;
      const params: Record<string, string> = {};
      at.route.names.forEach((name, k) => (params[name] = safeDecode(values[k])));
      return { methods: at.route.methods, params, pattern: at.route.pattern };
    }
    const segment = segments[i];
    const next = at.statics.get(segment);
    if (next !== undefined) {
      const found = this.#walk(next, segments, i + 1, values);
      if (found !== null) return found;
    }
    if (at.param !== null && segment !== "") {
      values.push(segment);
      const found = this.#walk(at.param.node, segments, i + 1, values);
      if (found !== null) return found;
      values.pop();
    }
    return null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
