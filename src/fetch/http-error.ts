// HttpError: what a handler throws to answer with a status and a message (app errors, not
// protocol errors). Anything else thrown becomes a logged 500.

/**
 * HttpError carries the status (400-599), message and extra headers of a deliberate error
 * response. Thrown (or rejected) from any handler, a `routes` handler or the plain `fetch`
 * handler, it becomes that response: JSON `{ "error": message }` for clients that accept JSON,
 * text otherwise. It is not logged and does not reach the `error` option, which is for faults.
 *
 * @example
 * ```ts
 * import { HttpError, serve } from "sockserve";
 *
 * await serve({
 *   port: 0,
 *   routes: {
 *     "/todos/:id": (req) => {
 *       if (req.params.id !== "1") throw new HttpError(404, "no such todo");
 *       return Response.json({ id: 1 });
 *     },
 *   },
 *   fetch(req) {
 *     if (req.method !== "GET") throw new HttpError(405, "read only", { Allow: "GET" });
 *     return new Response("hello");
 *   },
 * });
 * ```
 */
export class HttpError extends Error {
  /** status is the response status, 400-599. */
  readonly status: number;
  /** headers are added to the response. */
  readonly headers: Record<string, string>;

  constructor(status: number, message?: string, headers: Record<string, string> = {}) {
    super(message ?? `HTTP ${status}`);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError("HttpError status must be 400-599");
    this.name = "HttpError";
    this.status = status;
    this.headers = headers;
  }

  /** toResponse renders the error: JSON `{ "error": message }` for clients that ask for JSON, text otherwise. */
  toResponse(request?: Request): Response {
    const wantsJson = (request?.headers.get("accept") ?? "").includes("application/json");
    const body = wantsJson ? JSON.stringify({ error: this.message }) : `${this.message}\n`;
    const type = wantsJson ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";
    return new Response(body, { status: this.status, headers: { "Content-Type": type, ...this.headers } });
  }
}
