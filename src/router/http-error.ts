// HttpError: what a handler throws to answer with a status and a message (app errors, not
// protocol errors). Anything else thrown becomes a logged 500.

/** HttpError carries the status and message of a deliberate error response. */
export class HttpError extends Error {
  readonly status: number;
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
