// createRouter: Bun's `routes` option as a fetch handler. Exact paths beat `:param` paths, which
// beat `*`; a path without a route falls back to `fetch`. Unknown methods get 405 with Allow.
import { requestPath } from "../fetch/incoming-request.js";
import { isToken } from "../http/chars.js";
import { LightResponse } from "../fetch/light-response.js";
import { HttpError } from "../fetch/http-error.js";
import { RouteTable, type MethodHandlers, type RouteHandler, type RouteValue } from "./route-table.js";

/**
 * Routes is the `routes` option of serve(): path patterns (`"/a"`, `"/a/:id"`, `"/a/*"`) mapped
 * to a static Response, a {@link RouteHandler}, or {@link MethodHandlers}. `S` is the server type.
 *
 * @example
 * ```ts
 * import { serve, type Routes, type Server } from "sockserve";
 *
 * const routes: Routes<Server> = {
 *   "/": new Response("home"),
 *   "/users/:id": (req) => Response.json({ id: req.params.id }),
 *   "/files/*": { GET: (req) => new Response(req.params["*"]) },
 * };
 * await serve({ port: 0, routes });
 * ```
 */
export type Routes<S> = Record<string, RouteValue<S>>;

type Fallback<S> = (request: Request, server: S) => Response | Promise<Response> | undefined | void | Promise<Response | undefined | void>;

/** createRouter compiles `routes` once; static Responses are read once and served as fresh copies. */
export async function createRouter<S>(routes: Routes<S>, fallback: Fallback<S> | undefined): Promise<Fallback<S>> {
  const table = new RouteTable<S>();
  for (const [pattern, value] of Object.entries(routes)) table.add(pattern, await toMethods(value));
  const notFound: Fallback<S> = fallback ?? (() => new Response("Not Found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
  return (request, server) => {
    const match = table.match(requestPath(request));
    if (match === null) return notFound(request, server);
    const method = request.method;
    const handler = match.methods[method] ?? (method === "HEAD" ? match.methods.GET : undefined) ?? match.methods["*"];
    if (handler === undefined) return methodNotAllowed(method, match.methods);
    setParams(request, match.params);
    let result;
    try {
      result = handler(request as Request & { params: Record<string, string> }, server);
    } catch (err) {
      return errorResponse(err, request);
    }
    if (result instanceof Promise) return result.catch((err: unknown) => errorResponse(err, request));
    return result;
  };
}

function errorResponse(err: unknown, request: Request): Response {
  if (err instanceof HttpError) return err.toResponse(request);
  throw err;
}

/** allowOf lists the methods a route answers, HEAD with GET and OPTIONS always. */
function allowOf(methods: MethodHandlers<unknown>): string {
  const names = new Set(Object.keys(methods));
  if (names.has("GET")) names.add("HEAD");
  names.add("OPTIONS");
  return [...names].sort().join(", ");
}

function methodNotAllowed<S>(method: string, methods: MethodHandlers<S>): Response {
  const allow = allowOf(methods as MethodHandlers<unknown>);
  if (method === "OPTIONS") return LightResponse.trusted(204, [["Allow", allow]], null);
  return LightResponse.trusted(405, [["Allow", allow], ["Content-Type", "text/plain; charset=utf-8"]], "405 Method Not Allowed\n");
}

async function toMethods<S>(value: RouteValue<S>): Promise<MethodHandlers<S>> {
  if (typeof value === "function") return { "*": value };
  if (value instanceof Response) return { GET: await staticResponse(value) };
  for (const [method, handler] of Object.entries(value)) {
    if (typeof handler !== "function") throw new TypeError(`routes: the ${method} handler must be a function`);
    if (!isToken(method)) throw new TypeError(`routes: "${method}" is not a method name`);
  }
  return value;
}

/** staticResponse reads a Response once and serves a fresh copy of it per request. */
async function staticResponse<S>(res: Response): Promise<RouteHandler<S>> {
  const status = res.status;
  const statusText = res.statusText;
  const headers: [string, string][] = [...res.headers];
  const body = res.body === null ? null : new Uint8Array(await res.arrayBuffer());
  return () => LightResponse.trusted(status, headers, body, statusText);
}

function setParams(request: Request, params: Record<string, string>): void {
  if ("params" in request) (request as unknown as { params: Record<string, string> }).params = params;
  else Object.defineProperty(request, "params", { value: params, writable: true, configurable: true });
}
